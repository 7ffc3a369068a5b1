import { chmod, link, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseAgentConfig } from './config';
import { effectiveCapabilities, hasNetAdmin, missingPrivileges } from './privileges';
import { HooksProbe, rulesetUsesConntrack } from './stats/hooks';
import { toCpuRow } from './stats/sampler';
import { readTokenFile, TokenFileError } from './token';

describe('agent arguments', () => {
  it('parses the documented flags', () => {
    expect(parseAgentConfig(['--dashboard', 'http://127.0.0.1:3000', '--token-file', '/etc/ctscope/agent.token'], {})).toEqual({
      dashboard: 'http://127.0.0.1:3000',
      tokenFile: '/etc/ctscope/agent.token',
      insecureHttp: false,
      interval: 1,
      logLevel: 'info',
      eventBuffer: 8 << 20,
      auditFile: '/var/lib/ctscope/audit.jsonl',
      metrics: { host: '127.0.0.1', port: 9477 },
      metricsAllowRemote: false,
      alertClearAfter: 60,
      usageWarning: 90,
      compositionInterval: 10,
      diagnoseInterval: 5,
      diagnoseUdpSilence: 30,
      diagnoseTableFull: 0.8,
      diagnoseInvalidRate: 1,
      paths: { procfs: '/proc', sysfs: '/sys', rootfs: '/' },
    });
  });
  it('parses the --diagnose-* options with clear errors', () => {
    const base = ['--dashboard', 'http://127.0.0.1:3000', '--token-file', 'f'];
    expect(parseAgentConfig([...base, '--diagnose-interval', '2', '--diagnose-udp-silence', '5', '--diagnose-table-full', '0.00001', '--diagnose-invalid-rate', '0.5'], {})).toMatchObject({ diagnoseInterval: 2, diagnoseUdpSilence: 5, diagnoseTableFull: 0.00001, diagnoseInvalidRate: 0.5 });
    expect(() => parseAgentConfig([...base, '--diagnose-table-full', '80'], {})).toThrow('--diagnose-table-full must be above 0 and at most 1 (a fraction of nf_conntrack_max)');
    expect(() => parseAgentConfig([...base, '--diagnose-table-full', '0'], {})).toThrow(/--diagnose-table-full must be above 0/);
    expect(() => parseAgentConfig([...base, '--diagnose-interval', '0.5'], {})).toThrow('--diagnose-interval must be between 1 and 300 seconds');
    expect(() => parseAgentConfig([...base, '--diagnose-udp-silence', 'soon'], {})).toThrow(/--diagnose-udp-silence must be/);
    expect(() => parseAgentConfig([...base, '--diagnose-invalid-rate', '0'], {})).toThrow(/--diagnose-invalid-rate must be above 0/);
  });
  it('parses --metrics addresses and "off"', () => {
    const base = ['--dashboard', 'http://127.0.0.1:3000', '--token-file', 'f'];
    expect(parseAgentConfig([...base, '--metrics', '[::1]:9100'], {}).metrics).toEqual({ host: '::1', port: 9100 });
    expect(parseAgentConfig([...base, '--metrics', 'off'], {}).metrics).toBeNull();
    expect(() => parseAgentConfig([...base, '--metrics', '9477'], {})).toThrow(/HOST:PORT/);
    expect(() => parseAgentConfig([...base, '--metrics', '0.0.0.0:9477'], {})).toThrow(/loopback/);
    expect(parseAgentConfig([...base, '--metrics', '0.0.0.0:9477', '--metrics-allow-remote'], {}).metrics).toEqual({ host: '0.0.0.0', port: 9477 });
  });
  it.each([
    [[], /--dashboard is required/],
    [['--dashboard', 'ftp://x', '--token-file', 'f'], /http\(s\) URL/],
    [['--dashboard', 'https://x'], /--token-file is required/],
    [['--dashboard', 'https://x', '--token-file', 'f', '--bogus'], /Unknown option '--bogus'/],
    [['--dashboard', 'https://x', '--token-file', 'f', '--interval', '0'], /interval|>=/],
    [['--dashboard', 'https://x', '--token-file', 'f', '--alert-clear-after', '100000'], /--alert-clear-after must be between 0 and 86400/],
    [['--dashboard', 'https://x', '--token-file', 'f', '--alert-clear-after', 'soon'], /--alert-clear-after must be a number/],
    [['--dashboard', 'http://ctscope.example.internal:3000', '--token-file', 'f'], /plain HTTP to an address that is not loopback.*HTTPS.*--insecure-http/],
    [['--dashboard', 'http://10.0.0.5', '--token-file', 'f'], /plain HTTP/],
    [['--dashboard', 'http://[2001:db8::1]:3000', '--token-file', 'f'], /plain HTTP/],
    [['--dashboard', 'http://127.0.0.1:3000', '--token-file', 'f', '--ca-file', 'ca.pem'], /--ca-file applies to an https:\/\/ dashboard only/],
  ])('explains bad arguments %j', (argv, message) => {
    expect(() => parseAgentConfig(argv, {})).toThrow(ConfigError);
    expect(() => parseAgentConfig(argv, {})).toThrow(message);
  });
});

describe('dashboard transport', () => {
  const base = ['--token-file', 'f'];
  it('accepts https anywhere and plain http on loopback', () => {
    for (const url of ['https://ctscope.example.internal', 'https://10.0.0.5:3443', 'http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000', 'http://127.1.2.3:3000']) {
      expect(parseAgentConfig(['--dashboard', url, ...base], {}).dashboard).toBe(url);
    }
  });
  it('accepts plain http elsewhere only with --insecure-http', () => {
    expect(parseAgentConfig(['--dashboard', 'http://10.0.0.5:3000', ...base, '--insecure-http'], {}).insecureHttp).toBe(true);
    // From the service's agent.env too; nothing but "1" turns it on.
    expect(parseAgentConfig(['--dashboard', 'http://10.0.0.5:3000', ...base], { CTSCOPE_INSECURE_HTTP: '1' }).insecureHttp).toBe(true);
    expect(() => parseAgentConfig(['--dashboard', 'http://10.0.0.5:3000', ...base], { CTSCOPE_INSECURE_HTTP: 'no' })).toThrow(/CTSCOPE_INSECURE_HTTP=1 in \/etc\/ctscope\/agent\.env/);
  });
  it('takes --ca-file for an https dashboard, or CTSCOPE_CA_FILE from the environment', () => {
    expect(parseAgentConfig(['--dashboard', 'https://10.0.0.5:3443', ...base, '--ca-file', '/etc/ctscope/ca.pem'], {}).caFile).toBe('/etc/ctscope/ca.pem');
    expect(parseAgentConfig(['--dashboard', 'https://10.0.0.5:3443', ...base], { CTSCOPE_CA_FILE: '/etc/ctscope/env-ca.pem' }).caFile).toBe('/etc/ctscope/env-ca.pem');
    expect(parseAgentConfig(['--dashboard', 'https://10.0.0.5:3443', ...base, '--ca-file', '/a.pem'], { CTSCOPE_CA_FILE: '/b.pem' }).caFile).toBe('/a.pem');
    expect(parseAgentConfig(['--dashboard', 'https://10.0.0.5:3443', ...base], { CTSCOPE_CA_FILE: '' }).caFile).toBeUndefined();
  });
});

describe('privileges', () => {
  const status = (capEff: string) => `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${capEff}\n`;
  it('reads CAP_NET_ADMIN from CapEff', () => {
    expect(hasNetAdmin(effectiveCapabilities(status('000001ffffffffff')))).toBe(true);
    expect(hasNetAdmin(effectiveCapabilities(status('0000000000001000')))).toBe(true);
    expect(hasNetAdmin(effectiveCapabilities(status('0000000000000000')))).toBe(false);
  });
  it('says exactly what is missing', () => {
    expect(missingPrivileges(0n)).toMatch(/needs CAP_NET_ADMIN.*run it as root/i);
    expect(missingPrivileges(1n << 12n)).toBeNull();
  });
});

describe('hooks probe', () => {
  it('recognises rulesets that need conntrack', () => {
    expect(rulesetUsesConntrack('chain input { ct state established,related accept }')).toBe(true);
    expect(rulesetUsesConntrack('chain postrouting { type nat hook postrouting priority srcnat; masquerade }')).toBe(true);
    expect(rulesetUsesConntrack('xt match "conntrack" counter accept')).toBe(true);
    expect(rulesetUsesConntrack('chain input { type filter hook input priority 0; tcp dport 22 accept }')).toBe(false);
    expect(rulesetUsesConntrack('')).toBe(false);
  });
  it('trusts a non-zero count and caches ruleset checks', async () => {
    let listed = 0;
    let now = 0;
    const probe = new HooksProbe(async () => (listed++, ''), 10_000, () => now);
    expect(await probe.active(5)).toBe(true);
    expect(await probe.active(0)).toBe(false);
    expect(await probe.active(0)).toBe(false);
    expect(listed).toBe(1);
    now = 10_000;
    await probe.active(0);
    expect(listed).toBe(2);
  });
});

describe('samples', () => {
  it('fills counters the kernel did not send with 0', () => {
    expect(toCpuRow({ cpu: 3, found: 7 })).toMatchObject({ cpu: 3, found: 7, insert: 0, chaintoolong: 0 });
  });
});

describe('token file', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctscope-agent-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it('reads a private token file', async () => {
    const file = join(dir, 'ok.token');
    await writeFile(file, `${'t'.repeat(43)}\n`, { mode: 0o600 });
    expect(await readTokenFile(file)).toBe('t'.repeat(43));
  });
  it('refuses a token file others can read, saying how to fix it', async () => {
    const file = join(dir, 'open.token');
    await writeFile(file, 't'.repeat(43));
    await chmod(file, 0o644);
    await expect(readTokenFile(file)).rejects.toThrow(/chmod 600/);
  });
  it('explains a missing file', async () => {
    await expect(readTokenFile(join(dir, 'none'))).rejects.toBeInstanceOf(TokenFileError);
  });
  it('follows no link: a token path pointing at another private file is refused, not read', async () => {
    const secret = join(dir, 'secret.key');
    await writeFile(secret, `${'s'.repeat(43)}\n`, { mode: 0o600 });
    await symlink(secret, join(dir, 'symlinked.token'));
    await expect(readTokenFile(join(dir, 'symlinked.token'))).rejects.toThrow(/is a symbolic link; give the file itself/);
    await link(secret, join(dir, 'hardlinked.token'));
    await expect(readTokenFile(join(dir, 'hardlinked.token'))).rejects.toThrow(/has 2 hard links/);
  });
});

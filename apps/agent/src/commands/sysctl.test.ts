import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeHost, type FakeHost } from '@ctscope/sysctl/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/main';
import { UsageError } from './args';
import { parseConfirmWithin } from './confirm-cli';
import { parseAssignment, paramName, parseSysctlArgs } from './sysctl-args';

const EST = 'net.netfilter.nf_conntrack_tcp_timeout_established';

describe('ctscope sysctl arguments', () => {
  it('takes short, prefixed and full names, and hashsize', () => {
    expect(paramName('tcp_timeout_established')).toBe(EST);
    expect(paramName('nf_conntrack_tcp_timeout_established')).toBe(EST);
    expect(paramName(EST)).toBe(EST);
    expect(paramName('hashsize')).toBe('module.nf_conntrack.parameters.hashsize');
    expect(parseAssignment('max=1h')).toEqual({ name: 'net.netfilter.nf_conntrack_max', value: '1h' });
  });
  it('refuses names with path tricks, spaces or another sysctl tree, saying what a name looks like', () => {
    for (const word of ['../max', '../../kernel/panic', '/proc/sys/net/netfilter/nf_conntrack_max', 'net/netfilter/nf_conntrack_max', 'tcp timeout', 'max ', 'kernel.panic', 'net.netfilter.nf_conntrack_max/../x', 'MAX']) {
      expect(() => paramName(word), word).toThrow(UsageError);
      expect(() => paramName(word), word).toThrow(/is not a conntrack parameter name: use a full parameter name such as net\.netfilter\.nf_conntrack_max/);
    }
  });
  it('wants NAME=VALUE for set and a value after "="', () => {
    expect(() => parseAssignment('max')).toThrow(/expected NAME=VALUE, got "max"/);
    expect(() => parseAssignment('=5')).toThrow(/expected NAME=VALUE/);
    expect(() => parseAssignment('max=')).toThrow(/has no value/);
  });
  it('checks actions, options per action and paths', () => {
    expect(() => parseSysctlArgs([])).toThrow(/name an action/);
    expect(() => parseSysctlArgs(['show'])).toThrow(/unknown action "show"/);
    expect(() => parseSysctlArgs(['get', '--yes'])).toThrow(/--yes does not apply to ctscope sysctl get \(only to persist\)/);
    expect(() => parseSysctlArgs(['set'])).toThrow(/at least one NAME=VALUE/);
    expect(() => parseSysctlArgs(['set', 'max=1', '--bogus'])).toThrow(/unknown option "--bogus"/);
    expect(() => parseSysctlArgs(['rollback', 'max'])).toThrow(/takes no names/);
    expect(() => parseSysctlArgs(['get', '--path.procfs', 'proc'])).toThrow(/--path.procfs must be an absolute, normalised directory path/);
    expect(() => parseSysctlArgs(['get', '--path.rootfs', '/srv/../etc'])).toThrow(/--path.rootfs/);
    const args = parseSysctlArgs(['persist', 'max', '--yes', '--path.rootfs=/host', '--audit-file', '/tmp/a.jsonl']);
    expect(args).toMatchObject({ action: 'persist', words: ['max'], yes: true, auditFile: '/tmp/a.jsonl', paths: { rootfs: '/host', etc: '/host/etc', procfs: '/proc' } });
  });
});

describe('--confirm-within', () => {
  it('takes 30s, 2m, 1h between 5 s and 1 h, on set only', () => {
    expect(parseSysctlArgs(['set', 'udp_timeout=10', '--confirm-within', '2m']).confirmWithinMs).toBe(120_000);
    expect(parseSysctlArgs(['set', 'udp_timeout=10', '--confirm-within=30s']).confirmWithinMs).toBe(30_000);
    expect(parseSysctlArgs(['set', 'udp_timeout=10']).confirmWithinMs).toBeUndefined();
    expect(parseConfirmWithin('1h')).toBe(3_600_000);
    expect(() => parseConfirmWithin('2')).toThrow(/give a duration such as 30s, 2m or 1h/);
    expect(() => parseConfirmWithin('4s')).toThrow(/at least 5 s/);
    expect(() => parseConfirmWithin('2h')).toThrow(/at most 1 h/);
    expect(() => parseSysctlArgs(['rollback', '--confirm-within', '2m'])).toThrow(/only to set/);
  });
});

describe('ctscope sysctl on a fake host tree (like a container: global parameters read-only)', () => {
  let host: FakeHost;
  let dir: string;
  let audit: string;
  let stdout: string;
  let stderr: string;
  beforeEach(async () => {
    host = await createFakeHost({ netns: true });
    dir = await mkdtemp(join(tmpdir(), 'ctscope-sysctl-cli-'));
    audit = join(dir, 'audit.jsonl');
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await host.cleanup();
    await rm(dir, { recursive: true, force: true });
  });
  const ctscope = (...args: string[]) =>
    main(['sysctl', ...args, '--path.procfs', host.paths.procfs, '--path.sysfs', host.paths.sysfs, '--path.rootfs', host.paths.rootfs, ...(args[0] === 'get' ? [] : ['--audit-file', audit])]);
  const auditLines = async () => (await readFile(audit, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { action: string; result: string; details: { rollbackOf?: string } });

  it('refuses bad input with exit 2 and a clear message, writing nothing and recording nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['set', 'tcp_timeout_established=0'], /out of range: give 1 second to/],
      [['set', 'udp_timeout=soon'], /"soon" is not a valid value: give a number of seconds or a duration such as 90s, 30m, 1h, 5d/],
      [['set', 'nf_conntrack_no_such_knob=1'], /net\.netfilter\.nf_conntrack_no_such_knob does not exist on this host/],
      [['set', 'max=524288'], /net\.netfilter\.nf_conntrack_max is read-only here: global parameter/],
      [['set', '../../../kernel/panic=1'], /"\.\.\/\.\.\/\.\.\/kernel\/panic" is not a conntrack parameter name/],
      [['set', 'count=5'], /nf_conntrack_count is read-only here/],
      // One bad value stops the whole change: the good one is not written either.
      [['set', 'udp_timeout=60', 'tcp_timeout_established=99999999999'], /changes\[1\]\.value: .*out of range/],
      [['set', 'udp_timeout=60', 'udp_timeout=70'], /more than once/],
    ];
    for (const [args, message] of cases) {
      stderr = '';
      expect(await ctscope(...args), args.join(' ')).toBe(2);
      expect(stderr, args.join(' ')).toMatch(message);
    }
    expect((await host.read('nf_conntrack_udp_timeout')).trim()).toBe('30');
    expect((await host.read('nf_conntrack_tcp_timeout_established')).trim()).toBe('432000');
    expect((await host.read('nf_conntrack_max')).trim()).toBe('262144');
    expect(await auditLines()).toEqual([]);
  }, 30_000);

  it('gets values with units and drift, sets, rolls back step by step, persists only with --yes when not at a terminal', async () => {
    expect(await ctscope('get', 'tcp_timeout_established', 'max')).toBe(0);
    expect(stdout).toContain(`${EST} = 5 days (432000)\n    default 5 days (432000) · not persisted · per-namespace, writable\n    kernel default`);
    expect(stdout).toMatch(/nf_conntrack_max = 262,144 entries \(262144\)\n.*global, read-only: global parameter/);

    expect(await ctscope('set', 'tcp_timeout_established=1h', 'udp_timeout=60', '--dry-run')).toBe(0);
    expect(stdout).toContain(`${EST}: 5 days → 1 hour`);
    expect(stdout).toContain('nothing written (dry run)');
    expect(await auditLines()).toEqual([]);

    expect(await ctscope('set', 'tcp_timeout_established=1h', 'udp_timeout=60')).toBe(0);
    expect((await host.read('nf_conntrack_tcp_timeout_established')).trim()).toBe('3600');
    expect(await ctscope('set', 'udp_timeout=45')).toBe(0);
    stdout = '';
    expect(await ctscope('get', 'tcp_timeout_established')).toBe(0);
    expect(stdout).toMatch(/= 1 hour \(3600\)[\s\S]*changed from the kernel default \(5 days\) but not persisted/);

    // Rollback undoes the newest change, then the one before it, then there is nothing left.
    expect(await ctscope('rollback')).toBe(0);
    expect((await host.read('nf_conntrack_udp_timeout')).trim()).toBe('60');
    expect(await ctscope('rollback')).toBe(0);
    expect((await host.read('nf_conntrack_udp_timeout')).trim()).toBe('30');
    expect((await host.read('nf_conntrack_tcp_timeout_established')).trim()).toBe('432000');
    stdout = '';
    expect(await ctscope('rollback')).toBe(0);
    expect(stdout).toMatch(/nothing to roll back/);
    const done = (await auditLines()).filter((l) => l.result !== 'pending');
    expect(done.map((l) => `${l.action} ${l.result} ${l.details.rollbackOf ? 'rollback' : 'change'}`)).toEqual([
      'sysctl.set ok change',
      'sysctl.set ok change',
      'sysctl.set ok rollback',
      'sysctl.set ok rollback',
    ]);

    // A value moved since the change: rollback refuses (exit 1) unless forced.
    expect(await ctscope('set', 'udp_timeout=45')).toBe(0);
    await writeFile(join(host.paths.procfs, 'sys/net/netfilter/nf_conntrack_udp_timeout'), '50\n');
    stderr = '';
    expect(await ctscope('rollback')).toBe(1);
    expect(stderr).toMatch(/changed again since .*nf_conntrack_udp_timeout is 50, not 45\. Force/);
    expect((await host.read('nf_conntrack_udp_timeout')).trim()).toBe('50');
    expect(await ctscope('rollback', '--force')).toBe(0);
    expect((await host.read('nf_conntrack_udp_timeout')).trim()).toBe('30');

    // Persist: the runtime value a reboot would lose, diff first; stdin is no terminal here.
    expect(await ctscope('set', 'tcp_timeout_established=1h')).toBe(0);
    stdout = '';
    stderr = '';
    expect(await ctscope('persist')).toBe(2);
    expect(stdout).toContain(`+${EST} = 3600`);
    expect(stderr).toMatch(/not a terminal.*--yes/);
    await expect(host.readRoot('etc/sysctl.d/90-ctscope.conf')).rejects.toThrow();
    expect(await ctscope('persist', '--yes')).toBe(0);
    expect(await host.readRoot('etc/sysctl.d/90-ctscope.conf')).toMatch(/^net\.netfilter\.nf_conntrack_tcp_timeout_established = 3600$/m);
    expect(await host.readRoot('etc/modules-load.d/ctscope.conf')).toMatch(/^nf_conntrack$/m);
    stdout = '';
    expect(await ctscope('persist', '--yes')).toBe(0);
    expect(stdout).toMatch(/nothing to persist/);
    expect((await auditLines()).filter((l) => l.result === 'ok').at(-1)?.action).toBe('sysctl.persist');
    // Many fsynced audit appends and file rewrites: give a busy machine time.
  }, 30_000);
});


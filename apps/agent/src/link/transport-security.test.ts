import { execFile } from 'node:child_process';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CaFileError, readCaFile, tlsFailureAdvice, warnInsecureHttp } from './transport-security';

const run = promisify(execFile);

describe('--ca-file', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctscope-ca-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a PEM certificate made by openssl', async () => {
    const [key, cert] = [join(dir, 'ca.key'), join(dir, 'ca.pem')];
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=ctscope test CA']);
    expect(await readCaFile(cert)).toBe(await readFile(cert, 'utf8'));
    await expect(readCaFile(key)).rejects.toThrow(/holds no PEM certificate.*not a key/);
  });
  it.skipIf(process.getuid?.() !== 0)('refuses a CA file another user could change, saying where to keep it', async () => {
    const cert = join(dir, 'theirs.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'theirs.key'), '-out', cert, '-days', '1', '-subj', '/CN=not root CA']);
    await expect(readCaFile(cert)).resolves.toContain('BEGIN CERTIFICATE');
    await chown(cert, 65534, 65534);
    await expect(readCaFile(cert)).rejects.toThrow(`refusing --ca-file ${cert}: ${cert}: it belongs to uid 65534, not root, so a user other than root could make this agent trust another server; keep the CA where only root can write`);
  });
  it('explains a missing file and a broken certificate', async () => {
    await expect(readCaFile(join(dir, 'none.pem'))).rejects.toThrow(/cannot read --ca-file .*none\.pem: ENOENT/);
    const broken = join(dir, 'broken.pem');
    await writeFile(broken, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    await expect(readCaFile(broken)).rejects.toBeInstanceOf(CaFileError);
  });
});

describe('TLS failures', () => {
  // The shape Socket.IO hands to connect_error: engine.io's TransportError around ws's error event around the TLS error.
  const wrapped = (code: string) => Object.assign(new Error('websocket error'), { description: { type: 'error', error: Object.assign(new Error('x'), { code }) } });
  it('say to pass --ca-file when the certificate is not trusted', () => {
    expect(tlsFailureAdvice(wrapped('SELF_SIGNED_CERT_IN_CHAIN'), 'https://dash:3443', undefined)).toMatch(/not signed by a CA this host trusts.*pass --ca-file with the CA that signed/);
    expect(tlsFailureAdvice(wrapped('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'https://dash:3443', '/etc/ctscope/ca.pem')).toMatch(/not signed by the CA in --ca-file \/etc\/ctscope\/ca\.pem/);
  });
  it('name the host for a certificate of another name, and the clock for an expired one', () => {
    expect(tlsFailureAdvice(wrapped('ERR_TLS_CERT_ALTNAME_INVALID'), 'https://10.0.0.5:3443', undefined)).toMatch(/not valid for "10\.0\.0\.5".*subjectAltName/);
    expect(tlsFailureAdvice(wrapped('CERT_HAS_EXPIRED'), 'https://dash', undefined)).toMatch(/renew.*clock/);
  });
  it('leave other failures alone', () => {
    expect(tlsFailureAdvice(wrapped('ECONNREFUSED'), 'https://dash', undefined)).toBeUndefined();
    expect(tlsFailureAdvice(new Error('timeout'), 'https://dash', undefined)).toBeUndefined();
  });
});

describe('--insecure-http', () => {
  it('warns at start and every interval after, for a non-loopback dashboard only', () => {
    vi.useFakeTimers();
    try {
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      const stop = warnInsecureHttp('http://10.0.0.5:3000', logger, 3600_000);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/plain HTTP.*unencrypted/);
      vi.advanceTimersByTime(3600_000 * 2);
      expect(lines).toHaveLength(3);
      stop();
      vi.advanceTimersByTime(3600_000);
      expect(lines).toHaveLength(3);
      warnInsecureHttp('http://127.0.0.1:3000', logger)();
      expect(lines).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

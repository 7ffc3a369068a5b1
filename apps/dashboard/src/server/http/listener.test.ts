import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { makeTestPki, type TestPki } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from '../testing/test-dashboard';

/** Serial number of the certificate the server presents, verified against `caFile`. */
async function servedSerial(url: string, caFile: string): Promise<string> {
  const ca = await readFile(caFile, 'utf8');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port), ca }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.on('error', reject);
  });
}

const serialOf = async (file: string) => new X509Certificate(await readFile(file)).serialNumber;

describe('HTTPS served by the dashboard', () => {
  let dir = '';
  let first: TestPki;
  let second: TestPki;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctscope-listener-'));
    await Promise.all([mkdir(join(dir, 'a')), mkdir(join(dir, 'b')), mkdir(join(dir, 'live'))]);
    [first, second] = await Promise.all([makeTestPki(join(dir, 'a')), makeTestPki(join(dir, 'b'))]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses to start with a key that is not the certificate\'s, or a missing file, naming them', async () => {
    await expect(startTestDashboard({ env: { CTSCOPE_TLS_CERT: first.certFile, CTSCOPE_TLS_KEY: second.keyFile } })).rejects.toThrow(
      `CTSCOPE_TLS_CERT ${first.certFile} and CTSCOPE_TLS_KEY ${second.keyFile} cannot serve HTTPS`,
    );
    await expect(startTestDashboard({ env: { CTSCOPE_TLS_CERT: join(dir, 'none.pem'), CTSCOPE_TLS_KEY: first.keyFile } })).rejects.toThrow(/cannot read CTSCOPE_TLS_CERT .*none\.pem \(ENOENT\)/);
  });

  it('picks up a renewed certificate on reload, and keeps the old one when the new files are broken', async () => {
    const cert = join(dir, 'live', 'cert.pem');
    const key = join(dir, 'live', 'key.pem');
    await copyFile(first.certFile, cert);
    await copyFile(first.keyFile, key);
    const dash = await startTestDashboard({ env: { CTSCOPE_TLS_CERT: cert, CTSCOPE_TLS_KEY: key } });
    try {
      expect(await servedSerial(dash.url, first.caFile)).toBe(await serialOf(first.certFile));

      await copyFile(second.certFile, cert);
      await copyFile(second.keyFile, key);
      await dash.server.reloadTls();
      expect(await servedSerial(dash.url, second.caFile)).toBe(await serialOf(second.certFile));

      await writeFile(key, 'not a key');
      await expect(dash.server.reloadTls()).rejects.toThrow(/cannot serve HTTPS/);
      expect(await servedSerial(dash.url, second.caFile)).toBe(await serialOf(second.certFile));
    } finally {
      await dash.close();
    }
  });
});

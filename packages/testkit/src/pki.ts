// A throwaway certificate authority made with the openssl command (Debian package openssl), for tests of
// the dashboard serving HTTPS and the agent verifying it.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  /** The CA that signed the server certificate (PEM file). */
  caFile: string;
  /** Another CA, which signed nothing the dashboard serves. */
  otherCaFile: string;
  certFile: string;
  keyFile: string;
}

async function makeCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const [cert, key] = [join(dir, `${name}.pem`), join(dir, `${name}.key`)];
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=ctscope test ${name}`], { cwd: dir });
  return { cert, key };
}

/** A CA, a server certificate it signed for 127.0.0.1 and localhost, and an unrelated second CA, all in `dir`. */
export async function makeTestPki(dir: string): Promise<TestPki> {
  const ca = await makeCa(dir, 'ca');
  const other = await makeCa(dir, 'other-ca');
  const [keyFile, csr, certFile, ext] = ['server.key', 'server.csr', 'server.pem', 'server.ext'].map((f) => join(dir, f)) as [string, string, string, string];
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', '/CN=127.0.0.1'], { cwd: dir });
  await writeFile(ext, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', ext], { cwd: dir });
  return { caFile: ca.cert, otherCaFile: other.cert, certFile, keyFile };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request trusting only `caFile` (fetch has no per-request CA). */
export async function httpsRequest(url: string, caFile: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpsAnswer> {
  const ca = await readFile(caFile, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

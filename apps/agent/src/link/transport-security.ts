import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { findUntrustedFile } from '../code-trust';
import { isPlainHttpRemote } from '../config';

export class CaFileError extends Error {}

/**
 * Reads --ca-file: PEM text holding at least one certificate, refused with a message otherwise. Whoever
 * can change it decides which server this root agent obeys, so like the agent's code it must be root's alone.
 */
export async function readCaFile(path: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
    const untrusted = findUntrustedFile(path);
    if (untrusted) {
      throw new CaFileError(
        `refusing --ca-file ${path}: ${untrusted.path}: ${untrusted.reason}, so a user other than root could make this agent trust another server; ` +
          `keep the CA where only root can write, e.g. install -o root -g root -m 0644 ${path} /etc/ctscope/ca.pem`,
      );
    }
  } catch (err) {
    if (err instanceof CaFileError) throw err;
    throw new CaFileError(`cannot read --ca-file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new CaFileError(`--ca-file ${path} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----"); give the CA certificate, not a key`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw new CaFileError(`--ca-file ${path} holds a certificate that cannot be parsed; give the PEM of the CA that signed the dashboard's certificate`);
    }
  }
  return pem;
}

// OpenSSL's verification codes as Node reports them (err.code) on a TLS connection it refused.
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** The first `code` found on an error or what it wraps (Socket.IO → engine.io → ws → tls). */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 4) return undefined;
  const record = err as Record<string, unknown>;
  if (typeof record.code === 'string') return record.code;
  for (const key of ['error', 'description', 'cause']) {
    const code = errorCode(record[key], depth + 1);
    if (code) return code;
  }
  return undefined;
}

/**
 * What to do about a failed connection when TLS is the reason (the certificate is not trusted, names
 * another host, has expired, or the port does not speak TLS); undefined for any other failure.
 */
export function tlsFailureAdvice(err: unknown, dashboard: string, caFile: string | undefined): string | undefined {
  const code = errorCode(err);
  if (code === undefined) return undefined;
  const host = new URL(dashboard).hostname;
  if (UNTRUSTED.has(code)) {
    return caFile
      ? `the dashboard's TLS certificate is not signed by the CA in --ca-file ${caFile} (${code}): pass --ca-file with the CA that signed the dashboard's certificate (for the service: CTSCOPE_CA_FILE in /etc/ctscope/agent.env)`
      : `the dashboard's TLS certificate is not signed by a CA this host trusts (${code}): pass --ca-file with the CA that signed the dashboard's certificate (for the service: CTSCOPE_CA_FILE in /etc/ctscope/agent.env)`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the dashboard's TLS certificate is not valid for "${host}" (${code}): use in --dashboard a name the certificate lists, or reissue it with that name (subjectAltName)`;
  }
  if (EXPIRED.has(code)) {
    return `the dashboard's TLS certificate is outside its validity period (${code}): renew it on the dashboard, and check this host's clock`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') {
    return `the dashboard at ${dashboard} does not answer TLS (${code}): check the port, or that the dashboard serves HTTPS (CTSCOPE_TLS_CERT and CTSCOPE_TLS_KEY)`;
  }
  return undefined;
}

export const INSECURE_HTTP_WARNING_MS = 3600_000;

/** With --insecure-http to a non-loopback dashboard: a warning now and every hour; returns the stop function. */
export function warnInsecureHttp(dashboard: string, logger: Logger, everyMs = INSECURE_HTTP_WARNING_MS): () => void {
  if (!isPlainHttpRemote(dashboard)) return () => undefined;
  const warn = () =>
    logger.warn(
      { dashboard },
      '--insecure-http: this agent talks to the dashboard over plain HTTP; its token and every change cross the network unencrypted. Serve the dashboard over HTTPS and drop --insecure-http',
    );
  warn();
  const timer = setInterval(warn, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

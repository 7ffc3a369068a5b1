import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

async function readPem(variable: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${variable} ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}): it must be a PEM file the dashboard's user can read`);
  }
}

export interface TlsCredentials {
  cert: string;
  key: string;
}

/** Reads the certificate and key and checks they belong together, with a message saying which file is wrong. */
export async function loadTlsCredentials(tls: TlsFiles | undefined): Promise<TlsCredentials | undefined> {
  if (!tls) return undefined;
  const [cert, key] = await Promise.all([readPem('CTSCOPE_TLS_CERT', tls.certFile), readPem('CTSCOPE_TLS_KEY', tls.keyFile)]);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new Error(`CTSCOPE_TLS_CERT ${tls.certFile} and CTSCOPE_TLS_KEY ${tls.keyFile} cannot serve HTTPS: ${(err as Error).message} (the key must be the certificate's, both PEM)`);
  }
  return { cert, key };
}

/** The server the dashboard listens with: HTTPS with credentials, plain HTTP otherwise (loopback, or behind a TLS proxy). */
export function createListener(app: RequestListener, tls: TlsCredentials | undefined): HttpServer {
  if (!tls) return createHttpServer(app);
  const { cert, key } = tls;
  // An https.Server is an http.Server with TLS in front: Socket.IO, Express and Next.js take it as one.
  return createHttpsServer({ cert, key, minVersion: 'TLSv1.2' }, app);
}

import type { SendResult } from './types';

export interface PostOptions {
  timeoutMs?: number;
  /** Bytes of the response body read at most (for the error text); the rest is discarded. */
  maxResponseBytes?: number;
}

/** Where a request went, for error texts: scheme, host and port only (a webhook URL's path is its secret). */
export const originOf = (url: string): string => new URL(url).origin;

/**
 * POSTs `body` to `url` once: no redirects followed (a 3xx is a failure), a timeout, at most
 * `maxResponseBytes` of the answer read. 5xx, 429 and network errors are worth a retry; other 4xx are not.
 */
export async function postOnce(url: string, body: string, headers: Record<string, string>, options: PostOptions = {}): Promise<SendResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 2_048;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'ctscope-notify/1', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { ok: false, retry: true, error: `${originOf(url)}: ${describeFetchError(err, timeoutMs)}` };
  }
  const text = await readLimited(response, maxBytes);
  if (response.status >= 200 && response.status < 300) return { ok: true };
  if (response.status >= 300 && response.status < 400) {
    return { ok: false, retry: false, error: `${originOf(url)} answered ${response.status} (a redirect; redirects are not followed: use the final address)` };
  }
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return { ok: false, retry: response.status >= 500 || response.status === 429 || response.status === 408, error: `${originOf(url)} answered ${response.status}${snippet ? `: ${snippet}` : ''}` };
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short tells nothing more than the status does.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  if (code === 'ECONNREFUSED') return 'connection refused (is the receiver running on that port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code) return `could not connect (${code})`;
  if (cause?.message.includes('bad port')) return 'that port is refused by the HTTP client (a port browsers block too); use another';
  return 'could not connect';
}

'use client';

import {
  BROWSER_NAMESPACE,
  ErrorCode,
  PROTOCOL_VERSION,
  ackSchema,
  type Ack,
  type BrowserToServerEvents,
  type ServerToBrowserEvents,
} from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';

export type BrowserSocket = Socket<ServerToBrowserEvents, BrowserToServerEvents>;

/** Longest a request waits for its answer before it is reported as timed out. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** A socket on the browsers namespace, with the protocol version the server checks. */
export function openBrowserSocket(): BrowserSocket {
  return io(BROWSER_NAMESPACE, {
    auth: { protocolVersion: PROTOCOL_VERSION },
    transports: ['websocket'],
    withCredentials: true,
  });
}

/** A request refused as over the user's budget is sent once more after the wait the server names, if it is this short. */
const RETRY_RATE_LIMITED_WITHIN_MS = 5_000;

/**
 * Sends one request and parses its acknowledgement with the data's schema: whatever arrives, the caller
 * gets a well-formed Ack (a malformed or missing answer becomes a failure with a readable message). A
 * RATE_LIMITED refusal with a short retry time (the request was not run) is retried once after it.
 */
export async function ask<S extends z.ZodType>(schema: S, send: (reply: (raw: unknown) => void) => void, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Ack<z.infer<S>>> {
  const first = await askOnce(schema, send, timeoutMs);
  if (first.ok || first.code !== ErrorCode.RateLimited || first.retryAfterMs === undefined || first.retryAfterMs > RETRY_RATE_LIMITED_WITHIN_MS) return first;
  await new Promise((resolve) => setTimeout(resolve, first.retryAfterMs));
  return askOnce(schema, send, timeoutMs);
}

function askOnce<S extends z.ZodType>(schema: S, send: (reply: (raw: unknown) => void) => void, timeoutMs: number): Promise<Ack<z.infer<S>>> {
  const parser = ackSchema(schema);
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      resolve({ ok: false, code: ErrorCode.Timeout, message: 'the dashboard did not answer in time; try again' });
    }, timeoutMs);
    send((raw) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const parsed = parser.safeParse(raw);
      if (!parsed.success) resolve({ ok: false, code: ErrorCode.Internal, message: 'the dashboard sent an answer this page does not understand; reload it' });
      else resolve(parsed.data as Ack<z.infer<S>>);
    });
  });
}

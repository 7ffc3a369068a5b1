import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './errors';

export type AckOk<T> = { ok: true; data: T };
/** `retryAfterMs` comes with RATE_LIMITED: when the same request may be sent again. */
export type AckFail = { ok: false; code: ErrorCode; message: string; retryAfterMs?: number | undefined };
/** The answer to every request: data, or a code and a message meant for a person. */
export type Ack<T> = AckOk<T> | AckFail;
export type AckCallback<T> = (ack: Ack<T>) => void;

export const ok = <T>(data: T): AckOk<T> => ({ ok: true, data });
export const fail = (code: ErrorCode, message: string, retryAfterMs?: number): AckFail =>
  retryAfterMs === undefined ? { ok: false, code, message } : { ok: false, code, message, retryAfterMs };

export const ackFailSchema = z.object({ ok: z.literal(false), code: z.enum(ERROR_CODES), message: z.string(), retryAfterMs: z.number().int().nonnegative().optional() });

export function ackSchema<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), data }), ackFailSchema]);
}

/** Human-readable one-line summary of a zod failure, naming the path of the first problem. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const path = issue.path.length > 0 ? issue.path.join('.') : 'input';
  return `${path}: ${issue.message}`;
}

import type { Actor } from '@ctscope/protocol';
import { z } from 'zod';

/** Where a change came from: a dashboard user (relayed by the dashboard), or someone at this host's terminal. */
export type AuditVia = 'dashboard' | 'cli';

/** Well-known actions; any other dotted name is accepted too (`area.verb`). */
export type AuditAction = 'conntrack.delete' | 'conntrack.delete-matching' | 'conntrack.flush' | 'sysctl.set' | 'rules.apply' | 'rules.remove' | (string & Record<never, never>);

export type AuditResult = 'pending' | 'ok' | 'error';

/** JSON values as they come back from a line: what `before`, `after`, `target` and `details` may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
const jsonValue: z.ZodType<JsonValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]));

/**
 * One line of the audit file. A change is normally two lines with the same `id`: `result: 'pending'`
 * written before the change is made, then `'ok'` or `'error'` once it is done. The second line repeats
 * actor, action, target and before, so the newest line of an id tells the whole story on its own.
 */
export const auditRecordSchema = z.object({
  /** ISO 8601, agent clock. */
  time: z.string().min(1).max(40),
  id: z.string().min(1).max(100),
  actor: z.object({ user: z.string().max(100), role: z.string().max(40), via: z.enum(['dashboard', 'cli']) }),
  action: z.string().min(1).max(100),
  target: jsonValue.optional(),
  details: jsonValue.optional(),
  before: jsonValue.optional(),
  after: jsonValue.optional(),
  result: z.enum(['pending', 'ok', 'error']),
  error: z.string().max(2_000).optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** What a caller says about a change it is about to make. Values must be JSON-serialisable. */
export interface AuditBeginInput {
  actor: Actor;
  /** Overrides the log's default `via` (the CLI writes with 'cli'). */
  via?: AuditVia;
  action: AuditAction;
  /** What is changed: a sysctl name, a flow key, a rule id... */
  target?: unknown;
  /** Anything else worth keeping (the filter of a bulk delete, a confirmation count...). */
  details?: unknown;
  /** The value before the change, when known. */
  before?: unknown;
}

/** How a change ended. */
export type AuditFinishInput = { result: 'ok'; after?: unknown } | { result: 'error'; error: string; after?: unknown };

/** A change written as one line, result already known (e.g. a refusal before anything was touched). */
export type AuditRecordInput = AuditBeginInput & AuditFinishInput;

/** A field larger than this (serialised) is replaced by a marker so that one line stays bounded. */
export const MAX_FIELD_BYTES = 16_384;
/** The longest line the writer produces; the reader skips anything longer as corrupt. */
export const MAX_LINE_BYTES = 4 * MAX_FIELD_BYTES + 4_096;
const MAX_ERROR_CHARS = 2_000;

/** JSON of a value, or a marker when it is too large or cannot be serialised (cycles, BigInt). */
function boundedField(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    return { unserialisable: (err as Error).message.slice(0, 200) };
  }
  if (text === undefined) return undefined;
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_FIELD_BYTES) return { truncated: true, bytes, preview: text.slice(0, 512) };
  return JSON.parse(text) as JsonValue;
}

/** Builds a record from caller input, bounding every free-form field. */
export function buildRecord(
  base: { time: string; id: string; via: AuditVia },
  input: AuditBeginInput,
  result: AuditResult,
  finish?: AuditFinishInput,
): AuditRecord {
  const record: AuditRecord = {
    time: base.time,
    id: base.id,
    actor: { user: input.actor.user.slice(0, 100), role: input.actor.role, via: input.via ?? base.via },
    action: input.action.slice(0, 100),
    result,
  };
  const target = boundedField(input.target);
  if (target !== undefined) record.target = target;
  const details = boundedField(input.details);
  if (details !== undefined) record.details = details;
  const before = boundedField(input.before);
  if (before !== undefined) record.before = before;
  if (finish) {
    const after = boundedField(finish.after);
    if (after !== undefined) record.after = after;
    if (finish.result === 'error') record.error = finish.error.slice(0, MAX_ERROR_CHARS);
  }
  return record;
}

/** The closing record of a begun change: the same story, a new time, and how it ended. */
export function finishRecord(begun: AuditRecord, time: string, outcome: AuditFinishInput): AuditRecord {
  const { after: _after, error: _error, ...rest } = begun;
  const record: AuditRecord = { ...rest, time, result: outcome.result };
  const after = boundedField(outcome.after);
  if (after !== undefined) record.after = after;
  if (outcome.result === 'error') record.error = outcome.error.slice(0, MAX_ERROR_CHARS);
  return record;
}

/** Parses one line; null when it is not a valid record (torn write, hand edit, another format). */
export function parseRecordLine(line: string): AuditRecord | null {
  if (line.length === 0) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = auditRecordSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

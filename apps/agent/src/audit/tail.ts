import { z } from 'zod';
import { MAX_LINE_BYTES, parseRecordLine, type AuditRecord } from './record';
import { linesBackwards } from './reverse-lines';

/** What the dashboard's audit view may ask for; parse it with this schema when it arrives. */
export const auditFilterSchema = z
  .object({
    /** Exact action names (any of). */
    action: z.union([z.string().min(1).max(100), z.array(z.string().min(1).max(100)).max(32)]).optional(),
    /** Actions starting with this, e.g. "conntrack." */
    actionPrefix: z.string().min(1).max(100).optional(),
    user: z.string().min(1).max(100).optional(),
    via: z.enum(['dashboard', 'cli']).optional(),
    result: z.union([z.enum(['pending', 'ok', 'error']), z.array(z.enum(['pending', 'ok', 'error'])).max(3)]).optional(),
    id: z.string().min(1).max(100).optional(),
    /** Milliseconds since the epoch, inclusive. */
    since: z.number().int().nonnegative().optional(),
    /** Milliseconds since the epoch, exclusive. */
    until: z.number().int().nonnegative().optional(),
    /**
     * One record per change: its newest line (so a finished change shows once, with its result, and
     * `result: 'pending'` finds changes that never finished). Default true.
     */
    latestOnly: z.boolean().optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export interface TailOptions {
  /** Files newest first: the live file, then `.1`, `.2`... */
  files: readonly string[];
  limit: number;
  filter?: AuditFilter;
  /** Stop after reading this many bytes in all (bounds the time one request can take). */
  scanBytes: number;
  /**
   * A cheap test on the raw line before it is parsed: lines it refuses are skipped. It must accept
   * every line of a record the filter matches (and all lines of one id alike, for `latestOnly`).
   */
  prefilter?: (line: string) => boolean;
}

/** Ids remembered for `latestOnly`; older ones are forgotten first, keeping memory bounded. */
const MAX_SEEN_IDS = 100_000;

function asList<T>(value: T | readonly T[] | undefined): readonly T[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** A predicate for one filter (everything but `latestOnly`). */
export function matcherFor(filter: AuditFilter = {}): (record: AuditRecord) => boolean {
  const actions = asList(filter.action);
  const results = asList(filter.result);
  return (r) => {
    if (actions && !actions.includes(r.action)) return false;
    if (filter.actionPrefix !== undefined && !r.action.startsWith(filter.actionPrefix)) return false;
    if (filter.user !== undefined && r.actor.user !== filter.user) return false;
    if (filter.via !== undefined && r.actor.via !== filter.via) return false;
    if (results && !results.includes(r.result)) return false;
    if (filter.id !== undefined && r.id !== filter.id) return false;
    if (filter.since !== undefined || filter.until !== undefined) {
      const at = Date.parse(r.time);
      if (Number.isNaN(at)) return false;
      if (filter.since !== undefined && at < filter.since) return false;
      if (filter.until !== undefined && at >= filter.until) return false;
    }
    return true;
  };
}

/**
 * The newest `limit` records matching `filter`, newest first, read backwards through the live file
 * and then the rotated ones. Lines that are not valid records are skipped. Memory stays bounded by one
 * read chunk, one line, the result and the remembered ids.
 */
export async function tailRecords(options: TailOptions): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  if (options.limit <= 0) return out;
  const matches = matcherFor(options.filter);
  const latestOnly = options.filter?.latestOnly ?? true;
  const seen = new Set<string>();
  const budget = { bytes: options.scanBytes };
  for (const file of options.files) {
    for await (const line of linesBackwards(file, { maxLineBytes: MAX_LINE_BYTES, budget })) {
      if (options.prefilter && !options.prefilter(line)) continue;
      const record = parseRecordLine(line);
      if (!record) continue;
      if (latestOnly) {
        if (seen.has(record.id)) continue;
        seen.add(record.id);
        if (seen.size > MAX_SEEN_IDS) {
          const oldest = seen.values().next();
          if (!oldest.done) seen.delete(oldest.value);
        }
      }
      if (!matches(record)) continue;
      out.push(record);
      if (out.length >= options.limit) return out;
    }
    if (budget.bytes <= 0) break;
  }
  return out;
}

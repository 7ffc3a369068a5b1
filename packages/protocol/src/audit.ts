import { z } from 'zod';

export const AUDIT_RESULTS = ['ok', 'error'] as const;
export const AUDIT_PAGE_SIZES = [25, 50, 100, 200] as const;
/** Most rows one export returns. */
export const AUDIT_EXPORT_LIMIT = 100_000;

export const auditRowSchema = z.object({
  id: z.number().int(),
  at: z.number().int(),
  actor: z.string(),
  action: z.string(),
  /** The host id for host changes; `user:NAME`, `view:ID` or `host:ID` for the dashboard's own. */
  target: z.string(),
  detail: z.unknown(),
  result: z.enum(AUDIT_RESULTS),
});
export type AuditRow = z.infer<typeof auditRowSchema>;

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((v) => (v ? v : undefined));
const optionalTime = z.coerce.number().int().nonnegative().optional();

/** Filters of the audit page and its exports, as query-string parameters. */
export const auditQuerySchema = z.object({
  actor: optionalText,
  target: optionalText,
  action: optionalText,
  result: z.enum(AUDIT_RESULTS).optional(),
  from: optionalTime,
  to: optionalTime,
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce
    .number()
    .int()
    .refine((n) => (AUDIT_PAGE_SIZES as readonly number[]).includes(n), `pageSize: one of ${AUDIT_PAGE_SIZES.join(', ')}`)
    .default(50),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;
export interface AuditFilter {
  actor?: string;
  target?: string;
  action?: string;
  result?: (typeof AUDIT_RESULTS)[number];
  from?: number;
  to?: number;
}

export const auditPageSchema = z.object({
  rows: z.array(auditRowSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type AuditPage = z.infer<typeof auditPageSchema>;

/** Values seen in the audit table, for the filter pickers. */
export const auditFacetsSchema = z.object({ actors: z.array(z.string()), targets: z.array(z.string()), actions: z.array(z.string()) });
export type AuditFacets = z.infer<typeof auditFacetsSchema>;

export const AUDIT_EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export const auditExportFormatSchema = z.enum(AUDIT_EXPORT_FORMATS);

const compact = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
};
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What an audit row's detail says, as text: the request (what was asked), and the state before and after.
 * Dashboard changes record `{ before, after }`; host changes record `{ request, result | error }`;
 * refused attempts record `{ refused }`.
 */
export function describeAuditDetail(detail: unknown): { what: string; before: string; after: string } {
  if (!isRecord(detail)) return { what: compact(detail), before: '', after: '' };
  if ('refused' in detail) return { what: `refused: ${compact(detail.refused)}`, before: '', after: '' };
  if ('before' in detail || 'after' in detail) return { what: '', before: compact(detail.before), after: compact(detail.after) };
  const what = compact(detail.request);
  if ('error' in detail) return { what, before: '', after: `error: ${compact(detail.error)}` };
  return { what, before: '', after: compact(detail.result) };
}

const CSV_COLUMNS = ['time', 'actor', 'target', 'action', 'result', 'what', 'before', 'after'] as const;
export const AUDIT_CSV_HEADER = CSV_COLUMNS.join(',');

/** RFC 4180 quoting, and a leading quote for text a spreadsheet would run as a formula. */
function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function auditCsvLine(row: AuditRow): string {
  const d = describeAuditDetail(row.detail);
  return [new Date(row.at).toISOString(), row.actor, row.target, row.action, row.result, d.what, d.before, d.after].map(csvCell).join(',');
}

/**
 * Audit log: the agent's append-only, fsynced JSON-lines record of every change it makes.
 *
 *   const audit = await AuditLog.open({ path: config.auditFile, logger });   // mkdir 0700, file 0600
 *   const entry = await audit.begin({ actor, action: 'sysctl.set', target: name, before });  // on disk
 *   ...make the change...
 *   await audit.finish(entry, { result: 'ok', after });                    // on disk, then ack
 *   const recent = await audit.tail(100, auditFilterSchema.parse(request)); // newest first
 *   await audit.close();
 *
 * See README.md in this directory.
 */
export { AuditLog, AuditLogClosedError, auditLogOptionsSchema, type AuditEntry, type AuditLogOptions } from './audit-log';
export { changeAuditor, type LegacyChangeAuditor } from './change-auditor';
export {
  auditRecordSchema,
  parseRecordLine,
  MAX_FIELD_BYTES,
  MAX_LINE_BYTES,
  type AuditAction,
  type AuditBeginInput,
  type AuditFinishInput,
  type AuditRecord,
  type AuditRecordInput,
  type AuditResult,
  type AuditVia,
  type JsonValue,
} from './record';
export { auditFilterSchema, matcherFor, tailRecords, type AuditFilter, type TailOptions } from './tail';
export { rotatedPath } from './rotate';

import type { Actor } from '@ctscope/protocol';
import type { AuditLog } from './audit-log';
import type { AuditVia } from './record';

/**
 * The `begin(actor, action, details) → { finish(result, after) }` shape the agent's change services
 * (FlowChanges, RulesService) already use, backed by an AuditLog. Structurally identical to their
 * `ChangeAuditor` interface, so `new FlowChanges(mirror, source, changeAuditor(log))` just works.
 */
export interface LegacyChangeAuditor {
  begin(actor: Actor, action: string, details: Record<string, unknown>): Promise<{ id: string; finish(result: 'ok' | 'error', after: Record<string, unknown>): Promise<void> }>;
}

export function changeAuditor(log: AuditLog, via?: AuditVia): LegacyChangeAuditor {
  return {
    async begin(actor, action, details) {
      const entry = await log.begin(via ? { actor, via, action, details } : { actor, action, details });
      return {
        id: entry.id,
        async finish(result, after) {
          const error = typeof after['error'] === 'string' ? after['error'] : typeof after['message'] === 'string' ? after['message'] : 'failed';
          await log.finish(entry, result === 'ok' ? { result, after } : { result, after, error });
        },
      };
    },
  };
}

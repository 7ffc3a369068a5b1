import { ErrorCode, describeZodError, fail, ok, serverToAgentSchemas, type Ack, type Aggregates } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ConfirmAnswer, Confirmations } from '../confirm';
import type { EventStreams } from '../live/event-streams';
import type { ChangeResult, FlowChanges } from '../live/flow-changes';
import type { StatsHistory } from '../live/history';
import type { RulesAnswer, RulesService } from '../live/rules-service';
import type { SysctlAnswer, SysctlService } from '../live/sysctl-service';
import type { WindowSubscriptions } from '../live/window-subscriptions';
import type { LiveSnapshots } from '../snapshot/live-snapshot';
import type { AgentSocket } from './dashboard-link';

export interface AgentServices {
  windows: WindowSubscriptions;
  events: EventStreams;
  history: StatsHistory;
  changes: FlowChanges;
  rules: RulesService;
  sysctl: SysctlService;
  confirmations: Confirmations;
  snapshots: LiveSnapshots;
  aggregate(query: string, top: number): Promise<{ ok: true; data: Aggregates } | { ok: false; message: string }>;
}

type Schemas = typeof serverToAgentSchemas;

/** A snapshot chunk the dashboard has not acknowledged by then stops the snapshot. */
const SNAPSHOT_CHUNK_ACK_MS = 30_000;
type Name = keyof Schemas;

/** Requests that change the machine itself (its firewall rules and sysctls), refused on simulated hosts. */
export const MACHINE_CHANGES: ReadonlySet<Name> = new Set(['rules:apply', 'rules:remove', 'sysctl:apply', 'sysctl:rollback', 'sysctl:persist', 'changes:confirm', 'changes:revert']);

/** The wire code of each refusal the sysctl service gives. */
const SYSCTL_ERRORS = { BAD_REQUEST: ErrorCode.BadRequest, NOT_FOUND: ErrorCode.NotFound, CONFLICT: ErrorCode.Conflict, INTERNAL: ErrorCode.Internal } as const;

/**
 * A change with a confirmation deadline: refused while too many wait already; once applied, its
 * deadline timer is armed at once (not at the next look at the audit log).
 */
async function confirmable<T>(confirmations: Confirmations, confirmWithinMs: number | undefined, apply: () => Promise<Ack<T>>): Promise<Ack<T>> {
  if (confirmWithinMs === undefined) return apply();
  const room = await confirmations.room();
  if (!room.ok) return fail(SYSCTL_ERRORS[room.code], room.message);
  const answer = await apply();
  await confirmations.scan();
  return answer;
}

export interface RefusedRequests {
  refused: ReadonlySet<Name>;
  /** Why, as the browser will show it. */
  reason: string;
}

/**
 * Answers the dashboard's requests. Every payload is parsed with its schema first; failures answer
 * BAD_REQUEST naming the field; unexpected errors are logged and answered INTERNAL without details.
 */
export function attachRpcHandlers(socket: AgentSocket, services: AgentServices, logger: Logger, refuse?: RefusedRequests): void {
  const on = <N extends Name>(name: N, handle: (payload: z.infer<Schemas[N]>) => Promise<Ack<unknown>> | Ack<unknown> | void) => {
    socket.on(name as never, ((payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (a: Ack<unknown>) => void) : () => undefined;
      const parsed = serverToAgentSchemas[name].safeParse(payload);
      if (!parsed.success) return reply(fail(ErrorCode.BadRequest, describeZodError(parsed.error)));
      if (refuse?.refused.has(name)) return reply(fail(ErrorCode.Forbidden, refuse.reason));
      Promise.resolve()
        .then(() => handle(parsed.data as z.infer<Schemas[N]>))
        .then((answer) => answer && reply(answer))
        .catch((err: unknown) => {
          logger.error({ err: (err as Error).message, request: name }, 'request failed');
          reply(fail(ErrorCode.Internal, `${name} failed on the agent; see the agent log`));
        });
    }) as never);
  };
  const fromChange = (result: ChangeResult) => (result.ok ? ok(result.result) : fail(result.code, result.message));
  const fromRules = <T>(answer: RulesAnswer<T>) => (answer.ok ? ok(answer.data) : fail(answer.code, answer.message));
  const fromConfirm = <T>(answer: ConfirmAnswer<T>) => (answer.ok ? ok(answer.data) : fail(SYSCTL_ERRORS[answer.code], answer.message));
  const fromSysctl = <T>(answer: SysctlAnswer<T>) =>
    answer.ok ? ok(answer.data) : fail(SYSCTL_ERRORS[answer.code], answer.message);

  on('window:open', ({ subId, spec }) => {
    const opened = services.windows.open(subId, spec);
    return opened.ok ? ok(opened.result) : fail(ErrorCode.BadRequest, opened.message);
  });
  on('window:close', ({ subId }) => services.windows.close(subId));
  on('events:open', ({ subId, spec }) => {
    const opened = services.events.open(subId, spec);
    return opened.ok ? ok({}) : fail(ErrorCode.BadRequest, opened.message);
  });
  on('events:close', ({ subId }) => services.events.close(subId));
  on('flows:aggregate', async ({ query, top }) => {
    const result = await services.aggregate(query, top);
    return result.ok ? ok(result.data) : fail(ErrorCode.BadRequest, result.message);
  });
  on('stats:history', ({ since }) => ok(services.history.since(since)));
  on('flows:delete', async ({ actor, keys }) => fromChange(await services.changes.deleteKeys(actor, keys)));
  on('flows:deleteMatching', async (request) => {
    const { actor } = request;
    return fromChange(await services.changes.deleteMatching(actor, request.dryRun ? { query: request.query, dryRun: true } : { planId: request.planId, dryRun: false }));
  });
  on('flows:flush', async ({ actor, confirmCount }) => fromChange(await services.changes.flush(actor, confirmCount)));

  on('rules:detect', async () => ok(await services.rules.describe()));
  on('rules:preview', async ({ spec }) => fromRules(await services.rules.preview(spec)));
  on('rules:list', async () => ok(await services.rules.list()));
  on('rules:apply', ({ actor, spec, withCompanions, confirmWithinMs }) =>
    confirmable(services.confirmations, confirmWithinMs, async () => fromRules(await services.rules.apply(actor, spec, withCompanions, confirmWithinMs))),
  );
  on('rules:remove', async (request) => {
    const { actor } = request;
    return fromRules(await services.rules.remove(actor, 'all' in request ? { all: true } : { id: request.id }));
  });

  on('sysctl:get', async () => ok(await services.sysctl.state()));
  on('sysctl:preview', async (request) => fromSysctl(await services.sysctl.preview(request)));
  on('sysctl:apply', ({ actor, changes, freeIdle, confirmWithinMs }) =>
    confirmable(services.confirmations, confirmWithinMs, async () => fromSysctl(await services.sysctl.apply(actor, { changes, freeIdle, confirmWithinMs }))),
  );
  on('changes:confirm', async ({ actor, changeId }) => fromConfirm(await services.confirmations.confirm(actor, changeId)));
  on('changes:revert', async ({ actor, changeId }) => fromConfirm(await services.confirmations.revertNow(actor, changeId)));
  on('sysctl:rollback', async ({ actor, changeId, force }) => fromSysctl(await services.sysctl.rollbackChange(actor, changeId, force)));
  on('sysctl:persistPreview', async (request) => fromSysctl(await services.sysctl.persistPreview(request)));
  on('sysctl:persist', async ({ actor, values, mode }) => fromSysctl(await services.sysctl.persist(actor, { values, mode })));
  on('sysctl:history', async ({ limit }) => ok(await services.sysctl.history(limit)));

  on('snapshot:make', async ({ actor, ...request }) => {
    logger.info({ user: actor.user, query: request.query }, 'making a snapshot for the dashboard');
    return services.snapshots.make(request, async (seq, data) => {
      const answer: unknown = await socket.timeout(SNAPSHOT_CHUNK_ACK_MS).emitWithAck('snapshot:chunk', { snapId: request.snapId, seq, data });
      return typeof answer === 'object' && answer !== null && (answer as { ok?: unknown }).ok === true;
    });
  });

  // Subscriptions belong to one connection: the dashboard re-opens what it still needs after a reconnect.
  socket.on('disconnect', () => {
    services.windows.closeAll();
    services.events.closeAll();
  });
}

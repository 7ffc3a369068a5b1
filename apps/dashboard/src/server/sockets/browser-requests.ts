import {
  ErrorCode,
  browserToServerSchemas,
  describeZodError,
  fail,
  ok,
  type Ack,
  type BrowserToServerEvents,
  type ServerToBrowserEvents,
  type SessionUser,
} from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { AgentLinks } from '../hosts/agent-links';
import { compositionAt, growthBetween } from '../history/composition-queries';
import { fleetHistory } from '../hosts/fleet-history';
import type { Store } from '../store/types';
import type { RefusalAudit } from './refusal-audit';
import type { RequestLimits, SocketBudgets } from './request-limits';
import type { SubscriptionRelay } from './subscription-relay';

type BrowserSocket = Socket<BrowserToServerEvents, ServerToBrowserEvents, Record<string, never>, { user: SessionUser & { id: number } }>;
type Schemas = typeof browserToServerSchemas;
type Name = Exclude<keyof Schemas, 'hosts:list'>;

export interface BrowserRequestDeps {
  links: AgentLinks;
  relay: SubscriptionRelay;
  /** Per-user and per-socket request budgets of this server. */
  limits: RequestLimits;
  /** Audits refused changes, a few rows per user and window, the rest counted. */
  refusals: RefusalAudit;
  store: Store;
  logger: Logger;
  /** Spacing of the stored history points (the fleet charts' finest step). */
  historyStepMs: number;
}

/** Requests that change a host, with the action their audit rows carry. */
const CHANGE_ACTIONS: Partial<Record<Name, string>> = {
  'flows:delete': 'conntrack.delete',
  'flows:deleteMatching': 'conntrack.delete-matching',
  'flows:flush': 'conntrack.flush',
  'rules:apply': 'rules.apply',
  'rules:remove': 'rules.remove',
  'sysctl:apply': 'sysctl.set',
  'sysctl:rollback': 'sysctl.rollback',
  'sysctl:persist': 'sysctl.persist',
  'changes:confirm': 'changes.confirm',
  'changes:revert': 'changes.revert',
};
export const CHANGE_REQUESTS = Object.keys(CHANGE_ACTIONS) as Name[];

/** Changes that outlive a reboot: admins only. */
const ADMIN_ONLY: ReadonlySet<Name> = new Set(['sysctl:persist']);

/** A live view frees up only when the user closes one; a retry makes sense after that, not sooner. */
const SUBSCRIPTIONS_FULL_RETRY_MS = 5_000;

export const rateLimited = (retryAfterMs: number) => fail(ErrorCode.RateLimited, `too many requests at once; try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`, retryAfterMs);

/** Roles that may change a host; viewers only look. */
export const canChange = (role: SessionUser['role']): boolean => role === 'admin' || role === 'operator';

/** Why this role may not make this request, or null when it may. */
function refusalFor(name: Name, role: SessionUser['role']): string | null {
  if (ADMIN_ONLY.has(name) && role !== 'admin') return 'only admins may persist settings to the host\'s files; an admin can do it from this page';
  if (CHANGE_ACTIONS[name] && !canChange(role)) return 'viewers cannot change hosts; ask an admin for the operator role';
  return null;
}

/**
 * The browser's requests about hosts' tables: windows, event streams, aggregates, history and deletes.
 * Returns the socket's request budgets, for the requests attached elsewhere.
 */
export function attachBrowserRequests(socket: BrowserSocket, deps: BrowserRequestDeps): SocketBudgets {
  const { links, relay, store, logger, historyStepMs, refusals } = deps;
  const user = () => socket.data.user;
  const budgets = deps.limits.forSocket(user().id);

  const on = <N extends Name>(name: N, handle: (payload: z.infer<Schemas[N]>) => Promise<Ack<unknown>> | Ack<unknown> | void) => {
    socket.on(name as never, ((payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (a: Ack<unknown>) => void) : () => undefined;
      const admission = budgets.admit(name);
      if ('retryAfterMs' in admission) {
        reply(rateLimited(admission.retryAfterMs));
        if (budgets.ignoresRefusals()) {
          logger.warn({ user: user().username, request: name }, 'closed a browser socket that kept sending after RATE_LIMITED');
          socket.disconnect(true);
        }
        return;
      }
      const refusal = refusalFor(name, user().role);
      if (refusal) return void refuse(name, payload, refusal).then(reply).finally(admission.release);
      const parsed = browserToServerSchemas[name].safeParse(payload);
      if (!parsed.success) {
        admission.release();
        return reply(fail(ErrorCode.BadRequest, describeZodError(parsed.error)));
      }
      Promise.resolve()
        .then(() => handle(parsed.data as z.infer<Schemas[N]>))
        .then((answer) => answer && reply(answer))
        .catch((err: unknown) => {
          logger.error({ err, request: name }, 'browser request failed');
          reply(fail(ErrorCode.Internal, `${name} failed; see the dashboard log`));
        })
        .finally(admission.release);
    }) as never);
  };

  /** A refused change is logged and audited (as an error, or counted when this user is refused often) before the browser hears no. */
  const refuse = async (name: Name, payload: unknown, message: string): Promise<Ack<unknown>> => {
    const hostId = typeof payload === 'object' && payload !== null && typeof (payload as { hostId?: unknown }).hostId === 'string' ? (payload as { hostId: string }).hostId.slice(0, 128) : 'unknown';
    logger.warn({ user: user().username, role: user().role, request: name, hostId }, 'refused a change');
    await refusals.record(user().username, CHANGE_ACTIONS[name] ?? name, hostId, message).catch((err: unknown) => logger.error({ err }, 'could not audit a refused change'));
    return fail(ErrorCode.Forbidden, message);
  };

  const actor = () => ({ user: user().username, role: user().role });
  /** Forwards a change and records who asked and what came of it before answering the browser. */
  const change = async <T>(hostId: string, action: string, detail: unknown, run: () => Promise<Ack<T>>): Promise<Ack<T>> => {
    const answer = await run();
    await store.appendAudit({
      at: Date.now(),
      actor: user().username,
      action,
      target: hostId,
      detail: { request: detail, ...(answer.ok ? { result: answer.data } : { error: answer.message }) },
      result: answer.ok ? 'ok' : 'error',
    });
    return answer;
  };

  /** Registers a subscription with the relay and opens it on the agent; undone if the agent refuses. */
  const subscribe = async <T>(hostId: string, register: () => ReturnType<SubscriptionRelay['add']>, open: (subId: string) => Promise<Ack<T>>): Promise<Ack<{ subId: string; data: T }>> => {
    if (!links.isOnline(hostId)) return fail(ErrorCode.HostOffline, `host ${hostId} is offline`);
    const added = register();
    if ('full' in added) return fail(ErrorCode.RateLimited, added.full === 'tab' ? 'too many live views in this tab; close some' : 'too many live views open in your tabs; close some', SUBSCRIPTIONS_FULL_RETRY_MS);
    const { subId } = added;
    const answer = await open(subId);
    if (!answer.ok) {
      relay.remove(subId);
      return answer;
    }
    return ok({ subId, data: answer.data });
  };

  on('window:subscribe', async ({ hostId, spec }) => {
    // Another view shows this very window: answer with its newest content at once; the agent's own
    // answer follows as a push (or, refused, closes the subscription).
    const shown = relay.recentWindow(hostId, spec);
    const open = (subId: string) => {
      const opening = links.request(hostId, 'window:open', { subId, spec }).then((answer) => {
        if (answer.ok) relay.updateWindow(subId, spec, answer.data);
        return answer;
      });
      if (!shown) return opening;
      void opening.then((answer) => {
        if (answer.ok) relay.windowPushed(hostId, subId, answer.data);
        else {
          logger.warn({ hostId, subId, code: answer.code }, 'the agent refused a window first answered from another view');
          relay.remove(subId);
        }
      });
      return Promise.resolve(ok(shown));
    };
    const opened = await subscribe(hostId, () => relay.add({ kind: 'window', hostId, browserId: socket.id, userId: user().id, spec }), open);
    return opened.ok ? ok({ subId: opened.data.subId, result: opened.data.data }) : opened;
  });
  on('window:change', async ({ subId, spec }) => {
    const sub = relay.get(subId, socket.id);
    if (sub?.kind !== 'window') return fail(ErrorCode.NotFound, 'this view is no longer open; reload the page');
    const answer = await links.request(sub.hostId, 'window:open', { subId, spec });
    if (answer.ok) relay.updateWindow(subId, spec, answer.data);
    return answer;
  });
  on('window:unsubscribe', ({ subId }) => {
    if (relay.get(subId, socket.id)) relay.remove(subId);
  });
  on('events:subscribe', async ({ hostId, spec }) => {
    const opened = await subscribe(hostId, () => relay.add({ kind: 'events', hostId, browserId: socket.id, userId: user().id, spec }), (subId) => links.request(hostId, 'events:open', { subId, spec }));
    return opened.ok ? ok({ subId: opened.data.subId }) : opened;
  });
  on('events:unsubscribe', ({ subId }) => {
    if (relay.get(subId, socket.id)) relay.remove(subId);
  });
  on('flows:aggregate', ({ hostId, query, top }) => links.request(hostId, 'flows:aggregate', { query, top }));
  on('stats:history', ({ hostId, since }) => links.request(hostId, 'stats:history', { since }));
  on('host:history', async ({ hostId, since }) => ok(await store.listHistory(hostId, since, 50_000)));
  on('fleet:history', async ({ range }) => ok(await fleetHistory(store, range, historyStepMs)));
  on('composition:at', async ({ hostId, at }) => ok(await compositionAt(store, hostId, at)));
  on('composition:growth', async ({ hostId, from, to, limit }) => ok(await growthBetween(store, hostId, from, to, limit)));
  on('flows:delete', ({ hostId, keys }) =>
    change(hostId, 'conntrack.delete', { keys }, () => links.request(hostId, 'flows:delete', { keys, actor: actor() })),
  );
  on('flows:deleteMatching', (request) => {
    const { hostId, ...rest } = request;
    if (rest.dryRun) return links.request(hostId, 'flows:deleteMatching', { ...rest, actor: actor() });
    return change(hostId, 'conntrack.delete-matching', rest, () => links.request(hostId, 'flows:deleteMatching', { ...rest, actor: actor() }));
  });
  on('flows:flush', ({ hostId, confirmCount }) =>
    change(hostId, 'conntrack.flush', { confirmCount }, () => links.request(hostId, 'flows:flush', { confirmCount, actor: actor() })),
  );

  on('rules:detect', ({ hostId }) => links.request(hostId, 'rules:detect', {}));
  on('rules:preview', ({ hostId, spec }) => links.request(hostId, 'rules:preview', { spec }));
  on('rules:list', ({ hostId }) => links.request(hostId, 'rules:list', {}));
  on('rules:apply', ({ hostId, spec, withCompanions, confirmWithinMs }) => {
    const confirm = confirmWithinMs !== undefined ? { confirmWithinMs } : {};
    return change(hostId, 'rules.apply', { spec, withCompanions, ...confirm }, () => links.request(hostId, 'rules:apply', { spec, withCompanions, ...confirm, actor: actor() }));
  });
  on('rules:remove', (request) => {
    const { hostId, ...ref } = request;
    return change(hostId, 'rules.remove', ref, () => links.request(hostId, 'rules:remove', { ...('all' in ref ? { all: true as const } : { id: ref.id }), actor: actor() }));
  });

  on('sysctl:get', ({ hostId }) => links.request(hostId, 'sysctl:get', {}));
  on('sysctl:preview', ({ hostId, changes }) => links.request(hostId, 'sysctl:preview', { changes }));
  on('sysctl:apply', ({ hostId, changes, freeIdle, confirmWithinMs }) => {
    const confirm = confirmWithinMs !== undefined ? { confirmWithinMs } : {};
    return change(hostId, 'sysctl.set', { changes, freeIdle, ...confirm }, () => links.request(hostId, 'sysctl:apply', { changes, freeIdle, ...confirm, actor: actor() }));
  });
  on('sysctl:rollback', ({ hostId, changeId, force }) =>
    change(hostId, 'sysctl.rollback', { changeId, force }, () => links.request(hostId, 'sysctl:rollback', { changeId, force, actor: actor() })),
  );
  on('sysctl:persistPreview', ({ hostId, values, mode }) => links.request(hostId, 'sysctl:persistPreview', { values, mode }));
  on('sysctl:persist', ({ hostId, values, mode }) =>
    change(hostId, 'sysctl.persist', { values, mode }, () => links.request(hostId, 'sysctl:persist', { values, mode, actor: actor() })),
  );
  on('sysctl:history', ({ hostId, limit }) => links.request(hostId, 'sysctl:history', { limit }));
  on('changes:confirm', ({ hostId, changeId }) => change(hostId, 'changes.confirm', { changeId }, () => links.request(hostId, 'changes:confirm', { changeId, actor: actor() })));
  on('changes:revert', ({ hostId, changeId }) => change(hostId, 'changes.revert', { changeId }, () => links.request(hostId, 'changes:revert', { changeId, actor: actor() })));

  socket.on('disconnect', () => {
    relay.browserLeft(socket.id);
    budgets.close();
  });
  return budgets;
}

import { randomUUID } from 'node:crypto';
import { windowSpecSchema, type WindowSpec } from '@ctscope/protocol';
import type { Logger } from 'pino';
import { chooseHost } from '../../ui/live/choose-host';
import type { Sessions } from '../auth/sessions';
import type { AgentLinks } from '../hosts/agent-links';
import type { HostRegistry } from '../hosts/registry';
import type { RequestLimits } from '../sockets/request-limits';
import type { SubscriptionRelay } from '../sockets/subscription-relay';
import type { FirstWindowLoader } from './first-window-bridge';

/**
 * Longest the page waits for the agent's first window: a slower one is left to the browser, which
 * subscribes as soon as it runs (and is then answered from the window this request kept).
 */
export const FIRST_WINDOW_WAIT_MS = 400;
/**
 * How long the window read for a page stays subscribed: the browser's own subscription for the same
 * window, a second or so later, is answered from it at once (SubscriptionRelay.recentWindow()).
 */
export const PAGE_WINDOW_HOLD_MS = 5_000;

export interface FirstWindowDeps {
  sessions: Sessions;
  registry: HostRegistry;
  links: AgentLinks;
  relay: SubscriptionRelay;
  limits: RequestLimits;
  logger: Logger;
}

/**
 * Reads the window the connections page shows first while the page is rendered, so its rows arrive
 * with the HTML instead of after the scripts, the socket and a round trip. Same rules as a browser's
 * `window:subscribe`: a session, the user's request budget and subscription limit, the host online.
 */
export function createFirstWindowLoader(deps: FirstWindowDeps): FirstWindowLoader {
  return async (cookieHeader, requestedHost, wanted) => {
    const user = await deps.sessions.userFromCookieHeader(cookieHeader ?? undefined);
    const parsed = windowSpecSchema.safeParse(wanted);
    if (!user || !parsed.success) return null;
    const spec: WindowSpec = parsed.data;
    const hosts = await deps.registry.list();
    const hostId = chooseHost(hosts, requestedHost);
    if (!hostId || !hosts.find((h) => h.id === hostId)?.online) return null;
    const budgets = deps.limits.forSocket(user.id);
    const admission = budgets.admit('window:subscribe');
    try {
      if ('retryAfterMs' in admission) return null;
      const shown = deps.relay.recentWindow(hostId, spec);
      if (shown) return { hostId, hosts, spec, result: shown };
      // Held for a browser of its own, which then leaves (nothing of it stays in the relay).
      const browserId = `page:${randomUUID()}`;
      const added = deps.relay.add({ kind: 'window', hostId, browserId, userId: user.id, spec });
      if ('full' in added) return null;
      setTimeout(() => deps.relay.browserLeft(browserId), PAGE_WINDOW_HOLD_MS).unref();
      const opening = deps.links.request(hostId, 'window:open', { subId: added.subId, spec }).then((answer) => {
        if (answer.ok) deps.relay.updateWindow(added.subId, spec, answer.data);
        return answer;
      });
      const answer = await Promise.race([opening, new Promise<null>((resolve) => setTimeout(() => resolve(null), FIRST_WINDOW_WAIT_MS).unref())]);
      return answer?.ok ? { hostId, hosts, spec, result: answer.data } : null;
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'the connections page was rendered without its first window');
      return null;
    } finally {
      if ('release' in admission) admission.release();
      budgets.close();
    }
  };
}

import { CliSource, openNetlinkSource, type ConntrackSource } from '@ctscope/conntrack';
import type { Logger } from 'pino';

/** ctnetlink when the kernel lets us open it, otherwise the `conntrack` CLI (slower, and said in the log). */
export async function openConntrackSource(logger: Logger): Promise<ConntrackSource> {
  try {
    return await openNetlinkSource();
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'ctnetlink is unavailable; falling back to the conntrack CLI');
    return new CliSource({ logger });
  }
}

import { CliSource, type ConntrackSource } from '@ctscope/conntrack';
import type { Logger } from 'pino';

/** The kernel table through the `conntrack` CLI (the ctnetlink client replaces it when it lands). */
export async function openConntrackSource(logger: Logger): Promise<ConntrackSource> {
  return new CliSource({ logger });
}

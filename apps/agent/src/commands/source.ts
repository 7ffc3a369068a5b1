import type { ConntrackSource } from '@ctscope/conntrack';
import pino from 'pino';
import { openConntrackSource } from '../kernel/open-source';

/** The kernel source for one-shot commands; warnings (e.g. the CLI fallback) go to stderr. */
export function openCommandSource(): Promise<ConntrackSource> {
  return openConntrackSource(pino({ level: process.env.CTSCOPE_LOG_LEVEL ?? 'warn' }, pino.destination(2)));
}

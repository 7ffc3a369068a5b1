import { compositionGrowth, describeGrowth } from '@ctscope/protocol';
import type { CompositionRing } from './ring';

export const ATTRIBUTION_WINDOW_MS = 5 * 60_000;
const MAX_LENGTH = 560;

const span = (ms: number) => (ms >= 90_000 ? `${Math.round(ms / 60_000)} min` : `${Math.max(1, Math.round(ms / 1000))} s`);

/**
 * Who filled the table lately, for an alert's message: the three keys (destination port, source,
 * destination, pair) and the three namespaces that added the most entries over the last `windowMs`
 * (or since the oldest summary kept, when the agent has been up for less). Null when nothing grew.
 */
export function growthAttribution(ring: CompositionRing, windowMs = ATTRIBUTION_WINDOW_MS): string | null {
  const to = ring.latest();
  if (!to) return null;
  const from = ring.since(to.at - windowMs)[0];
  if (!from || from === to) return null;
  const keys = compositionGrowth(from, to, 3, ['port', 'source', 'destination', 'pair']);
  const namespaces = compositionGrowth(from, to, 3, ['netns']);
  if (keys.length === 0 && namespaces.length === 0) return null;
  const parts = [`growing over the last ${span(to.at - from.at)}: ${keys.length > 0 ? keys.map(describeGrowth).join(', ') : 'no single key'}`];
  if (namespaces.length > 0) parts.push(`namespaces: ${namespaces.map(describeGrowth).join(', ')}`);
  const text = parts.join('; ');
  // An alert's message is capped (1,000 characters): long IPv6 pairs or pod names must not crowd out the advice.
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

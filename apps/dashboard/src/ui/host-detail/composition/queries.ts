import type { GrowthDimension } from '@ctscope/protocol';

/** The connections page's filter for a composition key (the language its query bar accepts); null when it has none. */
export function connectionsQuery(dimension: GrowthDimension, key: string): string | null {
  switch (dimension) {
    case 'port': {
      const [proto, port] = key.split('/');
      return proto && port ? `${proto} dport:${port}` : null;
    }
    case 'source':
      return `src:${key}`;
    case 'destination':
      return `dst:${key}`;
    case 'pair': {
      const [src, dst] = key.split(' → ');
      return src && dst ? `src:${src} dst:${dst}` : null;
    }
    case 'netns':
      // The agent watches one namespace: its connections page is that namespace's table.
      return null;
  }
}

export const DIMENSION_LABEL: Record<GrowthDimension, string> = { port: 'dport', source: 'src', destination: 'dst', pair: 'pair', netns: 'netns' };

/** `datetime-local` text for a time, in the browser's zone, to the second. */
export function toLocalInput(at: number): string {
  const d = new Date(at - new Date(at).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

/** A `datetime-local` value as ms, or null when it is empty or not a date. */
export function fromLocalInput(text: string): number | null {
  if (!text) return null;
  const at = new Date(text).getTime();
  return Number.isFinite(at) ? at : null;
}

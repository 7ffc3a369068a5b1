import type { Netns } from './netns';

/**
 * One line per entry, `id proto src dst sport dport state mark` of its original direction, sorted: what
 * `conntrack -L -o id` lists in a namespace, and the same for flows a test read back elsewhere (a
 * snapshot file), so the two compare with one toEqual.
 */
export async function conntrackEntryKeys(ns: Netns, filter: readonly string[] = []): Promise<string[]> {
  const { stdout } = await ns.conntrack(['-L', ...filter, '-o', 'id']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const field = (name: string) => new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1] ?? '-';
      const words = line.split(/\s+/);
      const proto = words[0] ?? '?';
      const state = proto === 'tcp' ? (words[3] ?? '-') : '-';
      return `${/ id=(\d+)\s*$/.exec(line)?.[1] ?? '?'} ${proto} ${field('src')} ${field('dst')} ${field('sport')} ${field('dport')} ${state} ${field('mark')}`;
    })
    .sort();
}

/** The shape of a flow read back from a snapshot (or the wire) that conntrackEntryKeys lines compare with. */
export interface KeyedFlow {
  id?: number | string | undefined;
  proto: string;
  orig: { src: string; dst: string; sport?: number | undefined; dport?: number | undefined };
  state?: string | undefined;
  mark?: number | undefined;
}

/** A read-back flow's line in conntrackEntryKeys' format. */
export const flowEntryKey = (f: KeyedFlow): string =>
  `${f.id ?? '?'} ${f.proto} ${f.orig.src} ${f.orig.dst} ${f.orig.sport ?? '-'} ${f.orig.dport ?? '-'} ${f.proto === 'tcp' ? (f.state ?? '-') : '-'} ${f.mark ?? 0}`;

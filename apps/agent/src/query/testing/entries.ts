import type { Flow } from '@ctscope/conntrack';
import type { MirrorEntry } from '../../mirror/mirror';
import { FlowTable } from '../../mirror/flow-table';

export interface EntrySpec {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  proto?: 'tcp' | 'udp';
  state?: string;
  timeout?: number;
  id: number;
  assured?: boolean;
  packets?: number;
  seenAt?: number;
}

/** A mirrored entry built by hand for query tests. */
export function entry(spec: EntrySpec): MirrorEntry {
  const proto = spec.proto ?? 'tcp';
  const protoNum = proto === 'tcp' ? 6 : 17;
  const sport = spec.sport ?? 40_000;
  const dport = spec.dport ?? 443;
  const assured = spec.assured ?? true;
  const flow: Flow = {
    family: spec.src.includes(':') ? 'ipv6' : 'ipv4',
    proto,
    protoNum,
    orig: { src: spec.src, dst: spec.dst, protoNum, sport, dport },
    reply: { src: spec.dst, dst: spec.src, protoNum, sport: dport, dport: sport },
    status: assured ? ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'] : ['CONFIRMED'],
    statusBits: assured ? 0b1110 : 0b1000,
    timeout: spec.timeout ?? 100,
    id: spec.id,
  };
  if (spec.state !== undefined) flow.state = spec.state;
  if (spec.packets !== undefined) flow.countersOrig = { packets: BigInt(spec.packets), bytes: BigInt(spec.packets * 100) };
  return { flow, seenAt: spec.seenAt ?? 0 };
}

/** A table holding these entries, as events reported them (each at its own `seenAt`). */
export function tableOf(entries: readonly MirrorEntry[]): FlowTable {
  const table = new FlowTable();
  for (const e of entries) table.set(e.flow, e.seenAt, true);
  return table;
}

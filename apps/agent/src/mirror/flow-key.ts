import type { Flow, Tuple } from '@ctscope/conntrack';

function tupleKey(t: Tuple, protoNum: number): string {
  return `${t.src}|${t.dst}|${protoNum}|${t.sport ?? t.icmpId ?? ''}|${t.dport ?? t.icmpType ?? ''}|${t.icmpCode ?? ''}|${t.zone ?? ''}`;
}

/**
 * Identity of a conntrack entry: the kernel's id together with the original tuple. The id alone is a
 * 32-bit hash that the kernel may reuse for a later entry, the tuple alone may be reused after the entry
 * dies; together they name one entry for its whole life.
 */
export function flowKey(flow: Flow): string {
  return `${flow.id ?? ''}#${tupleKey(flow.orig, flow.protoNum)}#${flow.zone ?? ''}`;
}

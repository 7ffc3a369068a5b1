import { humanizeBytes } from '../humanize';

/**
 * Bytes one conntrack entry costs, on 64-bit kernels:
 *  - struct nf_conn lives in its own slab cache; /proc/slabinfo on our reference machine (kernel
 *    6.18, x86_64) shows objsize 256 for "nf_conntrack" (it embeds both tuple hash nodes).
 *  - its extension area (struct nf_ct_ext: event cache, NAT, helper, labels, synproxy...) is a
 *    separate kmalloc, typically from the 64-byte size class.
 *  → about 320 bytes per entry. nf_conntrack_acct adds two packet/byte counter pairs (32 bytes) and
 *  nf_conntrack_timestamp a start/stop pair (16 bytes) to the extension, which can also move it up
 *  a kmalloc size class; we count the bytes, not the class.
 * Entries cost memory only while they exist: nf_conntrack_max is a ceiling, not an allocation.
 */
export const ENTRY_BYTES = 320;
export const ACCT_BYTES = 32;
export const TIMESTAMP_BYTES = 16;
/** One hlist_nulls_head per bucket, allocated up front when the table is sized. */
export const BUCKET_BYTES = 8;

export interface MemoryInput {
  max: number;
  buckets: number;
  acct?: boolean;
  timestamp?: boolean;
  /** Entries present now, for the current cost. */
  count?: number;
  /** For the share of RAM. */
  memTotalBytes?: number;
}

export interface MemoryEstimate {
  perEntryBytes: number;
  /** Entries at max, plus the hash table. */
  fullTableBytes: number;
  hashTableBytes: number;
  currentBytes: number | null;
  /** fullTableBytes as a percentage of RAM, when RAM is known. */
  percentOfRam: number | null;
  /** "about 80 MiB when full (0.3 % of RAM); hash table 2 MiB". */
  summary: string;
}

export function bytesPerEntry(opts: { acct?: boolean; timestamp?: boolean } = {}): number {
  return ENTRY_BYTES + (opts.acct ? ACCT_BYTES : 0) + (opts.timestamp ? TIMESTAMP_BYTES : 0);
}

export function estimateMemory(input: MemoryInput): MemoryEstimate {
  const perEntryBytes = bytesPerEntry(input);
  const hashTableBytes = input.buckets * BUCKET_BYTES;
  const fullTableBytes = input.max * perEntryBytes + hashTableBytes;
  const percentOfRam = input.memTotalBytes ? Math.round((fullTableBytes / input.memTotalBytes) * 1000) / 10 : null;
  const currentBytes = input.count === undefined ? null : input.count * perEntryBytes + hashTableBytes;
  const share = percentOfRam === null ? '' : ` (${percentOfRam} % of RAM)`;
  return {
    perEntryBytes,
    fullTableBytes,
    hashTableBytes,
    currentBytes,
    percentOfRam,
    summary: `about ${humanizeBytes(fullTableBytes)} when full${share}, at ~${perEntryBytes} bytes per entry; the hash table takes ${humanizeBytes(hashTableBytes)} up front`,
  };
}

/**
 * Average entries walked per lookup in a full table: every entry is hashed twice (original and
 * reply tuple), so 2 × max / buckets. The kernel default (buckets = max) gives 2.
 */
export function chainLength(max: number, buckets: number): number {
  return buckets > 0 ? Math.round(((2 * max) / buckets) * 100) / 100 : Number.POSITIVE_INFINITY;
}

import { groupDigits } from '../humanize';
import { chainLength, estimateMemory, type MemoryEstimate } from '../recommend/memory';

export interface MaxPreviewInput {
  count: number;
  currentMax: number;
  proposedMax: number;
  buckets: number;
  acct?: boolean;
  timestamp?: boolean;
  memTotalBytes?: number;
}

export interface MaxPreview {
  /** count / proposedMax, in percent (one decimal). */
  usagePercent: number;
  /** Entries that still fit under the proposed max. */
  headroom: number;
  memory: MemoryEstimate;
  /** Memory at the current max, for comparison. */
  currentMemory: MemoryEstimate;
  chainLength: number;
  warnings: string[];
  message: string;
}

/** Memory cost of a new nf_conntrack_max, and how close the table is to it. Pure. */
export function previewMax(input: MaxPreviewInput): MaxPreview {
  const opts = { buckets: input.buckets, count: input.count, ...(input.acct === undefined ? {} : { acct: input.acct }), ...(input.timestamp === undefined ? {} : { timestamp: input.timestamp }), ...(input.memTotalBytes === undefined ? {} : { memTotalBytes: input.memTotalBytes }) };
  const memory = estimateMemory({ ...opts, max: input.proposedMax });
  const currentMemory = estimateMemory({ ...opts, max: input.currentMax });
  const usagePercent = input.proposedMax > 0 ? Math.round((input.count / input.proposedMax) * 1000) / 10 : 100;
  const warnings: string[] = [];
  if (input.count >= input.proposedMax) warnings.push(`${groupDigits(input.count)} entries exist now: with a max of ${groupDigits(input.proposedMax)} every new connection is dropped until enough entries expire`);
  else if (usagePercent >= 75) warnings.push(`the table would be ${usagePercent} % full right away (alerts fire at 75–90 %)`);
  const chain = chainLength(input.proposedMax, input.buckets);
  if (chain > 8) warnings.push(`with ${groupDigits(input.buckets)} buckets a full table averages ${chain} entries per hash chain: raise nf_conntrack_buckets too`);
  if (memory.percentOfRam !== null && memory.percentOfRam > 25) warnings.push(`a full table would use ${memory.percentOfRam} % of RAM`);
  return {
    usagePercent,
    headroom: Math.max(0, input.proposedMax - input.count),
    memory,
    currentMemory,
    chainLength: chain,
    warnings,
    message: `${groupDigits(input.count)} of ${groupDigits(input.proposedMax)} entries (${usagePercent} %); ${memory.summary}.`,
  };
}

export interface BucketsPreview {
  chainLength: number;
  hashTableBytes: number;
  message: string;
}

/** Average chain length and hash table memory for a buckets value. Pure. */
export function previewBuckets(max: number, buckets: number): BucketsPreview {
  const chain = chainLength(max, buckets);
  const mem = estimateMemory({ max, buckets });
  return { chainLength: chain, hashTableBytes: mem.hashTableBytes, message: `A full table of ${groupDigits(max)} entries averages ${chain} entries per lookup chain (2 × max / buckets); the table takes ${groupDigits(mem.hashTableBytes)} bytes.` };
}

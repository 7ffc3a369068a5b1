import { kernelDefaultBuckets } from '../catalog/limits';
import type { HostFacts } from '../catalog/types';
import { groupDigits, humanizeBytes } from '../humanize';
import { BUCKET_BYTES, ENTRY_BYTES } from './memory';

/** kube-proxy's defaults (--conntrack-max-per-core, --conntrack-min). */
export const KUBE_PROXY_DEFAULTS = { maxPerCore: 32768, min: 131072 } as const;

/** kube-proxy: max(maxPerCore × CPUs, min); it raises hashsize to max / 4 when lower. */
export function kubeProxyMax(cpus: number, opts: { maxPerCore: number; min: number } = KUBE_PROXY_DEFAULTS): number {
  return Math.max(opts.maxPerCore * cpus, opts.min);
}

/** Largest table ctscope proposes by itself (16 Mi entries, ~5 GiB when full). */
export const OUR_MAX_CAP = 2 ** 24;

export interface MaxRecommendation {
  ours: { max: number; buckets: number; reason: string };
  kubeProxy: { max: number; buckets: number; formula: string };
  kernelDefault: { max: number; buckets: number };
}

/**
 * Our rule: the largest power of two whose full table (entries at ~320 bytes plus a hash table with
 * as many buckets, keeping the kernel's chain length of 2) fits in `memoryShare` of RAM (5 % by
 * default), never below the kernel's default and at most 16 Mi entries. Memory is used only as
 * entries appear, so a generous ceiling costs nothing until traffic needs it.
 */
export function recommendMax(facts: HostFacts, memoryShare = 0.05): MaxRecommendation {
  const kernel = kernelDefaultBuckets(facts);
  const budget = facts.memTotalBytes * memoryShare;
  let max = 1024;
  while (max * 2 <= OUR_MAX_CAP && max * 2 * (ENTRY_BYTES + BUCKET_BYTES) <= budget) max *= 2;
  const capped = max >= OUR_MAX_CAP;
  max = Math.max(max, kernel);
  const full = max * (ENTRY_BYTES + BUCKET_BYTES);
  const reason =
    `${groupDigits(max)} entries: a full table costs about ${humanizeBytes(full)}` +
    (facts.memTotalBytes > 0 ? ` (${Math.round((full / facts.memTotalBytes) * 1000) / 10} % of ${humanizeBytes(facts.memTotalBytes)} RAM)` : '') +
    `; the largest power of two within ${Math.round(memoryShare * 100)} % of RAM${capped ? ', capped at 16 Mi entries' : ''}, never below the kernel default (${groupDigits(kernel)}). ` +
    'Buckets = max keeps the kernel\'s average chain of 2 entries per lookup.';
  const kube = kubeProxyMax(facts.cpus);
  return {
    ours: { max, buckets: max, reason },
    kubeProxy: {
      max: kube,
      buckets: Math.floor(kube / 4),
      formula: `max(${groupDigits(KUBE_PROXY_DEFAULTS.maxPerCore)} × ${facts.cpus} CPUs, ${groupDigits(KUBE_PROXY_DEFAULTS.min)}) = ${groupDigits(kube)}; hashsize raised to max / 4 (average chain 8)`,
    },
    kernelDefault: { max: kernel, buckets: kernel },
  };
}

import type { HostFacts, KnownParam } from './types';

const GIB = 1024 ** 3;
const PAGE = 4096;
const POINTER = 8;

/**
 * The kernel's boot-time hash size when nf_conntrack gets no hashsize= parameter
 * (nf_conntrack_init_start, kernels since 2021): RAM / 16384 / sizeof(pointer), 262144 on 64-bit
 * hosts with more than 4 GiB, 65536 above 1 GiB, never below 1024. nf_conntrack_max = that size.
 */
export function kernelDefaultBuckets(facts: Pick<HostFacts, 'memTotalBytes'>): number {
  const pages = Math.floor(facts.memTotalBytes / PAGE);
  let size = Math.floor(facts.memTotalBytes / 16384 / POINTER);
  if (pages > (4 * GIB) / PAGE) size = 262144;
  else if (pages > GIB / PAGE) size = 65536;
  return Math.max(size, 1024);
}

const BUCKETS_RULE =
  'computed at boot from memory: RAM / 16 KiB / 8, fixed at 262,144 above 4 GiB (65,536 above 1 GiB), at least 1,024';
const INT_MAX = 2 ** 31 - 1;
/** Our sanity bound for buckets: 64 Mi buckets is a 512 MiB hash table. */
const MAX_BUCKETS = 64 * 1024 * 1024;

export const LIMIT_PARAMS: readonly KnownParam[] = [
  {
    key: 'nf_conntrack_max',
    group: 'limits',
    type: 'integer',
    unit: 'entries',
    description:
      'Most connection tracking entries the kernel keeps at once, for all namespaces together. When the table is full, new connections are dropped ("nf_conntrack: table full, dropping packet"). Memory is used per entry actually present, not per allowed entry.',
    default: { compute: kernelDefaultBuckets, explain: `equal to the boot-time bucket count (${BUCKETS_RULE})` },
    min: 1024,
    max: INT_MAX,
    rangeNote: 'The kernel accepts 0 (no limit at all); ctscope requires at least 1,024.',
    scope: 'global',
  },
  {
    key: 'nf_conntrack_buckets',
    group: 'limits',
    type: 'integer',
    unit: 'buckets',
    description:
      'Size of the hash table that finds entries. Every entry is hashed twice (original and reply direction), so a full table has an average chain of 2 × max / buckets entries per lookup. Writing it resizes the table (same as the hashsize module parameter). Costs 8 bytes per bucket, allocated up front.',
    default: { compute: kernelDefaultBuckets, explain: BUCKETS_RULE },
    min: 1024,
    max: MAX_BUCKETS,
    rangeNote: 'ctscope caps it at 67,108,864 (a 512 MiB table); the kernel only needs it above 0.',
    scope: 'global',
  },
  {
    key: 'nf_conntrack_expect_max',
    group: 'limits',
    type: 'integer',
    unit: 'entries',
    description:
      'Most expectations (related connections announced by helpers such as FTP or SIP) kept at once.',
    default: { compute: (f) => Math.max(1, Math.floor(kernelDefaultBuckets(f) / 256)), explain: 'boot-time buckets / 256, at least 1' },
    min: 1,
    max: INT_MAX,
    scope: 'global',
  },
  {
    key: 'nf_conntrack_count',
    group: 'limits',
    type: 'integer',
    unit: 'entries',
    description: 'Entries currently in this network namespace\'s table (a live status value).',
    default: 0,
    min: 0,
    max: INT_MAX,
    scope: 'netns',
    alwaysReadOnly: 'a status value the kernel reports; it cannot be set',
  },
];

/** /sys/module/nf_conntrack/parameters/hashsize: the module parameter behind nf_conntrack_buckets. */
export const HASHSIZE_PARAM: KnownParam = {
  key: 'hashsize',
  group: 'limits',
  type: 'integer',
  unit: 'buckets',
  description:
    'The nf_conntrack module parameter for the hash table size; the same table as nf_conntrack_buckets. Only a value given when the module loads (modprobe.d `options nf_conntrack hashsize=N`) is used before any sysctl runs.',
  default: { compute: kernelDefaultBuckets, explain: BUCKETS_RULE },
  min: 1024,
  max: MAX_BUCKETS,
  rangeNote: 'ctscope caps it at 67,108,864 (a 512 MiB table).',
  scope: 'global',
};

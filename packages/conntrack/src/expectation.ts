import type { Family, L4ProtoName, Tuple } from './flow';

/** NF_CT_EXPECT_* flag bits by the names `conntrack -L expect` prints. */
export const EXPECT_FLAG_BITS = ['PERMANENT', 'INACTIVE', 'USERSPACE'] as const;
export type ExpectFlag = (typeof EXPECT_FLAG_BITS)[number];

/**
 * One entry of the kernel's expectation table: a connection a helper (ftp, sip, …) or a tool expects
 * to see, created on behalf of its `master` connection.
 */
export interface Expectation {
  family: Family;
  /** Protocol of the expected connection. */
  proto: L4ProtoName;
  protoNum: number;
  /** The expected connection's tuple; fields the mask leaves out are zero. */
  tuple: Tuple;
  /** Which bits of `tuple` must match (addresses as masks, ports as 0 or 65535). */
  mask: Tuple;
  /** Original tuple of the connection that created the expectation. */
  master: Tuple;
  /** Seconds until the expectation expires. */
  timeout: number;
  id?: number;
  /** The helper of the master connection (CTA_EXPECT_HELP_NAME). */
  helper?: string;
  zone?: number;
  /** Raw CTA_EXPECT_FLAGS and its names in bit order. */
  flagBits: number;
  flags: ExpectFlag[];
  /** Expectation class of the helper's policy (CTA_EXPECT_CLASS). */
  class?: number;
  /** Where the expected connection is NATed to (CTA_EXPECT_NAT). */
  nat?: { dir: 'original' | 'reply'; tuple: Tuple };
  /** Kernel function run when the expected connection arrives (CTA_EXPECT_FN), e.g. "nat-follow-master". */
  fn?: string;
}

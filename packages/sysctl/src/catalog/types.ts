/** How a parameter's value is read and validated. */
export type ParamType = 'integer' | 'boolean' | 'enum';
/** What one unit of the value means; `seconds` values are shown humanized ("5 days"). */
export type ParamUnit = 'seconds' | 'entries' | 'buckets' | 'bool' | 'bytes' | 'count' | 'mode' | 'protocol';
/**
 * `global`: one value for the whole kernel, writable only from the initial network namespace (the
 * host); `netns`: each network namespace has its own copy (a container can tune its own).
 */
export type ParamScope = 'global' | 'netns';
/** Groups for the tuning form. */
export type ParamGroup = 'limits' | 'tcp-timeouts' | 'udp-timeouts' | 'other-timeouts' | 'behaviour' | 'ipv6-fragments';

/** What the host looks like, for defaults and recommendations that depend on it. */
export interface HostFacts {
  /** MemTotal in bytes (from <procfs>/meminfo). */
  memTotalBytes: number;
  /** Online CPUs. */
  cpus: number;
  /** Whether this process is in the initial network namespace (global parameters writable). */
  inInitialNetns: boolean;
}

/** A default the kernel computes at boot (from memory), with the rule in words. */
export interface DerivedDefault {
  compute(facts: HostFacts): number;
  explain: string;
}

/** Which conntrack entries a timeout applies to, for what-if previews over the live table. */
export interface TimeoutTarget {
  /** L4 protocol names as Flow.proto spells them. */
  protos: readonly string[];
  /** Flow.state values this timeout governs (TCP/SCTP/DCCP); absent: any state. */
  states?: readonly string[];
  /** UDP/GRE: the stream timeout applies to ASSURED entries, the other one to the rest. */
  assured?: boolean;
  /** Set when idle time cannot be told from the remaining timeout (retransmission caps). */
  notPreviewable?: string;
}

export interface KnownParam {
  /** File name under /proc/sys/net/netfilter, e.g. nf_conntrack_tcp_timeout_established. */
  key: string;
  group: ParamGroup;
  type: ParamType;
  unit: ParamUnit;
  /** What it does, in our words (after the kernel's Documentation/networking/nf_conntrack-sysctl.rst). */
  description: string;
  /** Kernel default: a number, or a rule the kernel applies at boot. */
  default: number | DerivedDefault;
  /** Smallest and largest value ctscope accepts (see rangeNote when this is stricter than the kernel). */
  min: number;
  max: number;
  rangeNote?: string;
  /** Allowed values with labels, for enums and booleans. */
  choices?: ReadonlyArray<{ value: number; label: string }>;
  scope: ParamScope;
  /** Why it can never be written (status values such as the entry count). */
  alwaysReadOnly?: string;
  /** For timeouts: the entries it governs. */
  timeoutOf?: TimeoutTarget;
}

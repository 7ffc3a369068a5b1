import type { CpuStats, EventType, Family, Flow, FlowEvent } from './flow';

/** Which kernel table a dump reads. */
export type TableName = 'conntrack' | 'dying' | 'unconfirmed';

/** Filters the kernel applies itself; everything else is matched in userspace by the filter model. */
export interface KernelDumpFilter {
  family?: Family;
  mark?: { value: number; mask: number };
  status?: { value: number; mask: number };
  zone?: number;
}

export interface GlobalStats {
  entries: number;
  maxEntries: number;
}

export interface SubscribeOptions {
  events: readonly EventType[];
  /** Receive buffer in bytes (forced past rmem_max when root, like `conntrack -b`). */
  bufferBytes?: number;
}

export interface Subscription {
  close(): void;
}

export interface SubscribeHandlers {
  onEvent(event: FlowEvent): void;
  /**
   * The kernel dropped events. `overruns` counts these signals; `lostEvents`, where the source can
   * tell (netlink), is the kernel's own running count of events it dropped for this subscription,
   * including drops it sent no ENOBUFS for (while the receive queue stays congested).
   */
  onOverrun(info: { overruns: number; lostEvents?: number }): void;
  onError?(err: Error): void;
}

/**
 * A reader of the kernel conntrack table: netlink first, the `conntrack` CLI as a fallback; 'replay' is the
 * fleet simulation playing back a recording of real kernel traffic (never a real host).
 */
export interface ConntrackSource {
  readonly kind: 'netlink' | 'cli' | 'replay';
  dump(filter?: KernelDumpFilter, table?: TableName): Promise<Flow[]>;
  count(): Promise<number>;
  globalStats(): Promise<GlobalStats>;
  cpuStats(): Promise<CpuStats[]>;
  subscribe(options: SubscribeOptions, handlers: SubscribeHandlers): Subscription;
  /** Deletes exactly these entries (original tuple, zone and id); returns how many were deleted. */
  deleteFlows(flows: readonly Flow[]): Promise<number>;
  /** Empties the table. */
  flush(): Promise<void>;
  close(): void;
}

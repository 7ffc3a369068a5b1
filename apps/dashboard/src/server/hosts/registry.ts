import type { AgentInfo, HostSummary, StatsSample } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { HostRecord, Store } from '../store/types';

interface OnlineHost {
  connectionId: string;
  agent: AgentInfo;
  latest: StatsSample | null;
  lastSeen: number;
  lastPersisted: number;
}

export interface RegistryListener {
  changed(host: HostSummary): void;
  sampled(hostId: string, sample: StatsSample): void;
}

const PERSIST_EVERY_MS = 10_000;

/**
 * Which hosts are online and their latest sample. Only hosts with a registered token can connect, so
 * the map is bounded by the hosts table; one connection per host (a newer one replaces the older).
 */
export class HostRegistry {
  private readonly online = new Map<string, OnlineHost>();
  private readonly listeners = new Set<RegistryListener>();

  constructor(
    private readonly store: Store,
    private readonly logger?: Pick<Logger, 'error'>,
  ) {}

  subscribe(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Returns the connection id this one replaces, if any. */
  connected(host: HostRecord, connectionId: string, agent: AgentInfo, now = Date.now()): string | undefined {
    const previous = this.online.get(host.id);
    this.online.set(host.id, { connectionId, agent, latest: host.latest, lastSeen: now, lastPersisted: now });
    this.persist(host.id, now, agent, null, true);
    return previous?.connectionId;
  }

  sampled(hostId: string, connectionId: string, sample: StatsSample, now = Date.now()): void {
    const host = this.online.get(hostId);
    if (!host || host.connectionId !== connectionId) return;
    host.latest = sample;
    host.lastSeen = now;
    if (now - host.lastPersisted >= PERSIST_EVERY_MS) {
      host.lastPersisted = now;
      this.persist(hostId, now, null, sample, false);
    }
    for (const l of this.listeners) l.sampled(hostId, sample);
  }

  disconnected(hostId: string, connectionId: string, now = Date.now()): void {
    const host = this.online.get(hostId);
    if (!host || host.connectionId !== connectionId) return;
    this.online.delete(hostId);
    this.persist(hostId, now, null, host.latest, true);
  }

  async list(): Promise<HostSummary[]> {
    return (await this.store.listHosts()).map((record) => this.summarize(record));
  }

  private summarize(record: HostRecord): HostSummary {
    const live = this.online.get(record.id);
    return {
      id: record.id,
      hostname: live?.agent.hostname ?? record.hostname,
      online: live !== undefined,
      lastSeen: live?.lastSeen ?? record.lastSeen,
      agent: live?.agent ?? record.agent,
      latest: live?.latest ?? record.latest,
    };
  }

  /** Stores what was seen of a host in the background (a failure is logged), then tells listeners if asked. */
  private persist(hostId: string, at: number, agent: AgentInfo | null, latest: StatsSample | null, announce: boolean): void {
    void this.store
      .recordHostSeen(hostId, at, agent, latest)
      .then(() => (announce ? this.emitChanged(hostId) : undefined))
      .catch((err: unknown) => this.logger?.error({ err, hostId }, 'could not store what was seen of a host'));
  }

  private async emitChanged(hostId: string): Promise<void> {
    const record = (await this.store.listHosts()).find((h) => h.id === hostId);
    if (!record) return;
    const summary = this.summarize(record);
    for (const l of this.listeners) l.changed(summary);
  }
}

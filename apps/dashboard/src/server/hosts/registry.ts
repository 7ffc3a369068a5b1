import type { AgentInfo, HostSummary, StatsSample } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { HostRecord, Store } from '../store/types';

/** One agent connection as the cluster sees it (the server holding it announces it to the others). */
export interface HostPresence {
  hostId: string;
  connectionId: string;
  /** When the connection was made: of two connections for one host the newer wins. */
  connectedAt: number;
  agent: AgentInfo;
  latest: StatsSample | null;
  lastSeen: number;
}

interface OnlineHost extends HostPresence {
  lastPersisted: number;
  /** Held by another dashboard server; heardAt is when that server last spoke of it. */
  remote: boolean;
  heardAt: number;
}

export interface RegistryListener {
  changed(host: HostSummary): void;
  sampled(hostId: string, sample: StatsSample): void;
}

/** Other dashboard servers, told about the connections this one holds (cluster mode only). */
export interface RegistryPeers {
  connected(presence: HostPresence): void;
  sampled(hostId: string, connectionId: string, sample: StatsSample): void;
  disconnected(hostId: string, connectionId: string): void;
}

const PERSIST_EVERY_MS = 10_000;
/** A connection heard from (or made) this recently is healthy: a second one for its host is refused. */
export const HEALTHY_MS = 5_000;
/** Hosts other servers may announce; theirs are bounded by the shared hosts table, this is a backstop. */
const MAX_ONLINE_HOSTS = 100_000;
/** Agents send per-namespace counts once per count pass, not with every sample: a host's latest keeps the last ones. */
const withNetns = (sample: StatsSample, previous: StatsSample | null | undefined): StatsSample => (sample.netns || !previous?.netns ? sample : { ...sample, netns: previous.netns });

/**
 * Which hosts are online and their latest sample. Only hosts with a registered token can connect, so
 * the map is bounded by the hosts table; one connection per host (a newer one replaces the older).
 * With several dashboard servers, each also knows the hosts the others hold (`remote*` methods).
 */
export class HostRegistry {
  private readonly online = new Map<string, OnlineHost>();
  private readonly listeners = new Set<RegistryListener>();
  private readonly connectListeners = new Set<(hostId: string) => void>();
  private readonly duplicates = new Map<string, NonNullable<HostSummary['duplicateAgent']>>();
  private peers: RegistryPeers | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger?: Pick<Logger, 'error'>,
  ) {}

  subscribe(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when a host's agent (re)connects to another server of the cluster. */
  onRemoteConnected(listener: (hostId: string) => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  usePeers(peers: RegistryPeers): void {
    this.peers = peers;
  }

  /** The host's current connection (here or on another server) if it was heard from lately. */
  healthyConnection(hostId: string, now = Date.now()): HostPresence | undefined {
    const host = this.online.get(hostId);
    return host && now - Math.max(host.lastSeen, host.connectedAt) < HEALTHY_MS ? presenceOf(host) : undefined;
  }

  /** A second agent with the host's token was refused: remembered for the host page, which hears of it now. */
  duplicateRefused(hostId: string, duplicate: NonNullable<HostSummary['duplicateAgent']>): void {
    this.duplicates.set(hostId, duplicate);
    this.announce(hostId);
  }

  /** Returns the connection id this one replaces, if any. */
  connected(host: HostRecord, connectionId: string, agent: AgentInfo, now = Date.now()): string | undefined {
    const previous = this.online.get(host.id);
    const entry: OnlineHost = { hostId: host.id, connectionId, connectedAt: now, agent, latest: host.latest, lastSeen: now, lastPersisted: now, remote: false, heardAt: now };
    this.online.set(host.id, entry);
    this.persist(host.id, now, agent, null, true);
    this.peers?.connected(presenceOf(entry));
    return previous?.connectionId;
  }

  sampled(hostId: string, connectionId: string, sample: StatsSample, now = Date.now()): void {
    const host = this.online.get(hostId);
    if (!host || host.connectionId !== connectionId || host.remote) return;
    host.latest = withNetns(sample, host.latest);
    host.lastSeen = now;
    if (now - host.lastPersisted >= PERSIST_EVERY_MS) {
      host.lastPersisted = now;
      this.persist(hostId, now, null, sample, false);
    }
    for (const l of this.listeners) l.sampled(hostId, sample);
    this.peers?.sampled(hostId, connectionId, sample);
  }

  disconnected(hostId: string, connectionId: string, now = Date.now()): void {
    const host = this.online.get(hostId);
    if (!host || host.connectionId !== connectionId || host.remote) return;
    this.online.delete(hostId);
    this.persist(hostId, now, null, host.latest, true);
    this.peers?.disconnected(hostId, connectionId);
  }

  /** Whether this server holds the host's agent connection (and so records its history). */
  isLocal(hostId: string): boolean {
    return this.online.get(hostId)?.remote === false;
  }

  /** The connection id of a host whose agent another server holds. */
  remoteConnection(hostId: string): string | undefined {
    const host = this.online.get(hostId);
    return host?.remote ? host.connectionId : undefined;
  }

  /** The connections this server holds, for the periodic announcement to the others. */
  localPresence(): HostPresence[] {
    return [...this.online.values()].filter((h) => !h.remote).map(presenceOf);
  }

  /**
   * Another server holds (or still holds) this connection. The newer connection wins; returns the id of
   * a local connection it replaces, which the caller closes.
   */
  remoteConnected(presence: HostPresence, now = Date.now()): string | undefined {
    const current = this.online.get(presence.hostId);
    if (current?.connectionId === presence.connectionId) {
      if (current.remote) current.heardAt = now;
      return undefined;
    }
    if (current && current.connectedAt > presence.connectedAt) return undefined;
    if (!current && this.online.size >= MAX_ONLINE_HOSTS) return undefined;
    this.online.set(presence.hostId, { ...presence, lastPersisted: now, remote: true, heardAt: now });
    this.announce(presence.hostId);
    for (const listener of this.connectListeners) listener(presence.hostId);
    return current && !current.remote ? current.connectionId : undefined;
  }

  remoteSampled(hostId: string, connectionId: string, sample: StatsSample, now = Date.now()): void {
    const host = this.online.get(hostId);
    if (!host?.remote || host.connectionId !== connectionId) return;
    host.latest = withNetns(sample, host.latest);
    host.lastSeen = now;
    host.heardAt = now;
    for (const l of this.listeners) l.sampled(hostId, sample);
  }

  remoteDisconnected(hostId: string, connectionId: string): void {
    const host = this.online.get(hostId);
    if (!host?.remote || host.connectionId !== connectionId) return;
    this.online.delete(hostId);
    this.announce(hostId);
  }

  /** Forgets remote connections nobody has spoken of since `before` (their server stopped). */
  expireRemote(before: number): void {
    for (const host of [...this.online.values()]) {
      if (host.remote && host.heardAt < before) this.remoteDisconnected(host.hostId, host.connectionId);
    }
  }

  async list(): Promise<HostSummary[]> {
    return (await this.store.listHosts()).map((record) => this.summarize(record));
  }

  private summarize(record: HostRecord): HostSummary {
    const live = this.online.get(record.id);
    const duplicate = this.duplicates.get(record.id);
    return {
      ...(duplicate && { duplicateAgent: duplicate }),
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

  private announce(hostId: string): void {
    this.emitChanged(hostId).catch((err: unknown) => this.logger?.error({ err, hostId }, 'could not announce a host change'));
  }

  private async emitChanged(hostId: string): Promise<void> {
    const record = await this.store.findHost(hostId);
    if (!record) return;
    const summary = this.summarize(record);
    for (const l of this.listeners) l.changed(summary);
  }
}

const presenceOf = ({ hostId, connectionId, connectedAt, agent, latest, lastSeen }: HostPresence): HostPresence => ({ hostId, connectionId, connectedAt, agent, latest, lastSeen });

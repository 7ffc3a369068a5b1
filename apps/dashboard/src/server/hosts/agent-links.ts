import { ErrorCode, ackFailSchema, agentResultSchemas, fail, ok, type Ack, type ServerToAgentEvents } from '@ctscope/protocol';
import type { Socket } from 'socket.io';

export type AgentSocket = Socket<Record<string, never>, ServerToAgentEvents>;
type Requests = {
  [E in keyof ServerToAgentEvents]: Parameters<ServerToAgentEvents[E]> extends [infer P, (ack: Ack<infer R>) => void] ? { payload: P; result: R } : never;
};
export type RequestName = { [E in keyof Requests]: Requests[E] extends never ? never : E }[keyof Requests];
type NotifyName = Exclude<keyof ServerToAgentEvents, RequestName | 'welcomed'>;

const REQUEST_TIMEOUT_MS = 15_000;

/** Agents held by other dashboard servers of the cluster, reached through the Socket.IO adapter. */
export interface RemoteAgents {
  /** The agent's connection id when another server holds it. */
  connectionOf(hostId: string): string | undefined;
  /** Sends to that connection and resolves with the answers (none when it is gone); rejects on timeout. */
  request(connectionId: string, event: string, payload: unknown, timeoutMs: number): Promise<unknown[]>;
  notify(connectionId: string, event: string, payload: unknown): void;
  /** Asks the server holding the host's connection to drop it. */
  drop(hostId: string): void;
}

/** The live socket of each online agent, for requests the dashboard forwards to it. */
export class AgentLinks {
  private readonly sockets = new Map<string, AgentSocket>();
  private readonly connectListeners = new Set<(hostId: string) => void>();
  private remote: RemoteAgents | undefined;

  useRemote(remote: RemoteAgents): void {
    this.remote = remote;
  }

  set(hostId: string, socket: AgentSocket): void {
    this.sockets.set(hostId, socket);
    for (const listener of this.connectListeners) listener(hostId);
  }

  /** Forgets the socket if it is still the host's current one. */
  delete(hostId: string, socketId: string): void {
    if (this.sockets.get(hostId)?.id === socketId) this.sockets.delete(hostId);
  }

  /**
   * Drops the host's connection at once. The transport is closed rather than the socket disconnected, so
   * the agent reconnects as after any network loss and hears the handshake's answer (a refusal once its
   * token is revoked) instead of idling after a server-side disconnect. Returns whether one was open.
   */
  disconnect(hostId: string): boolean {
    if (this.disconnectLocal(hostId)) return true;
    if (!this.remote?.connectionOf(hostId)) return false;
    this.remote.drop(hostId);
    return true;
  }

  /** Drops the host's connection if this server holds it. */
  disconnectLocal(hostId: string): boolean {
    const socket = this.sockets.get(hostId);
    if (!socket) return false;
    this.sockets.delete(hostId);
    socket.conn.close();
    return true;
  }

  /** The host's socket when this server holds it (snapshots stream only from there). */
  localSocket(hostId: string): AgentSocket | undefined {
    return this.sockets.get(hostId);
  }

  /** Whether another server of the cluster holds the host's connection. */
  heldElsewhere(hostId: string): boolean {
    return !this.sockets.has(hostId) && this.remote?.connectionOf(hostId) !== undefined;
  }

  isOnline(hostId: string): boolean {
    return this.sockets.has(hostId) || this.remote?.connectionOf(hostId) !== undefined;
  }

  onConnected(listener: (hostId: string) => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  /** Sends a request and waits for the agent's ack; offline and silent agents become clear errors. */
  async request<E extends RequestName>(hostId: string, event: E, payload: Requests[E]['payload'], timeoutMs = REQUEST_TIMEOUT_MS): Promise<Ack<Requests[E]['result']>> {
    const offline = fail(ErrorCode.HostOffline, `host ${hostId} is offline; start its agent or pick another host`);
    let answer: unknown;
    try {
      const socket = this.sockets.get(hostId);
      const remoteId = socket ? undefined : this.remote?.connectionOf(hostId);
      if (socket) {
        answer = await (socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(event, payload);
      } else if (remoteId !== undefined && this.remote) {
        const answers = await this.remote.request(remoteId, event, payload, timeoutMs);
        if (answers.length === 0) return offline;
        answer = answers[0];
      } else {
        return offline;
      }
    } catch {
      return fail(ErrorCode.Timeout, `host ${hostId} did not answer within ${Math.round(timeoutMs / 1000)} s; it may be overloaded`);
    }
    if (typeof answer === 'object' && answer !== null && (answer as { ok?: unknown }).ok === true) {
      const data = agentResultSchemas[event].safeParse((answer as { data?: unknown }).data);
      return data.success ? ok(data.data as Requests[E]['result']) : fail(ErrorCode.Internal, `the agent's answer to ${event} was malformed`);
    }
    const failure = ackFailSchema.safeParse(answer);
    return failure.success ? failure.data : fail(ErrorCode.Internal, 'the agent sent a malformed answer');
  }

  notify<E extends NotifyName>(hostId: string, event: E, payload: Parameters<ServerToAgentEvents[E]>[0]): void {
    const socket = this.sockets.get(hostId);
    if (socket) return void (socket as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
    const remoteId = this.remote?.connectionOf(hostId);
    if (remoteId !== undefined) this.remote?.notify(remoteId, event, payload);
  }
}

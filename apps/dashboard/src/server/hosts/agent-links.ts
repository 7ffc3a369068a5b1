import { ErrorCode, ackFailSchema, agentResultSchemas, fail, ok, type Ack, type ServerToAgentEvents } from '@ctscope/protocol';
import type { Socket } from 'socket.io';

type AgentSocket = Socket<Record<string, never>, ServerToAgentEvents>;
type Requests = {
  [E in keyof ServerToAgentEvents]: Parameters<ServerToAgentEvents[E]> extends [infer P, (ack: Ack<infer R>) => void] ? { payload: P; result: R } : never;
};
export type RequestName = { [E in keyof Requests]: Requests[E] extends never ? never : E }[keyof Requests];
type NotifyName = Exclude<keyof ServerToAgentEvents, RequestName | 'welcomed'>;

const REQUEST_TIMEOUT_MS = 15_000;

/** The live socket of each online agent, for requests the dashboard forwards to it. */
export class AgentLinks {
  private readonly sockets = new Map<string, AgentSocket>();
  private readonly connectListeners = new Set<(hostId: string) => void>();

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
    const socket = this.sockets.get(hostId);
    if (!socket) return false;
    this.sockets.delete(hostId);
    socket.conn.close();
    return true;
  }

  isOnline(hostId: string): boolean {
    return this.sockets.has(hostId);
  }

  onConnected(listener: (hostId: string) => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  /** Sends a request and waits for the agent's ack; offline and silent agents become clear errors. */
  async request<E extends RequestName>(hostId: string, event: E, payload: Requests[E]['payload'], timeoutMs = REQUEST_TIMEOUT_MS): Promise<Ack<Requests[E]['result']>> {
    const socket = this.sockets.get(hostId);
    if (!socket) return fail(ErrorCode.HostOffline, `host ${hostId} is offline; start its agent or pick another host`);
    try {
      const answer: unknown = await (socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(event, payload);
      if (typeof answer === 'object' && answer !== null && (answer as { ok?: unknown }).ok === true) {
        const data = agentResultSchemas[event].safeParse((answer as { data?: unknown }).data);
        return data.success ? ok(data.data as Requests[E]['result']) : fail(ErrorCode.Internal, `the agent's answer to ${event} was malformed`);
      }
      const failure = ackFailSchema.safeParse(answer);
      return failure.success ? failure.data : fail(ErrorCode.Internal, 'the agent sent a malformed answer');
    } catch {
      return fail(ErrorCode.Timeout, `host ${hostId} did not answer within ${Math.round(timeoutMs / 1000)} s; it may be overloaded`);
    }
  }

  notify<E extends NotifyName>(hostId: string, event: E, payload: Parameters<ServerToAgentEvents[E]>[0]): void {
    const socket = this.sockets.get(hostId);
    (socket as unknown as { emit(e: string, p: unknown): void } | undefined)?.emit(event, payload);
  }
}

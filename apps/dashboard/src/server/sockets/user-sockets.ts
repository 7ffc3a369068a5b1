import { BROWSER_NAMESPACE, type SessionUser } from '@ctscope/protocol';
import type { Server } from 'socket.io';
import type { Sessions } from '../auth/sessions';

interface UserSocket {
  data: { user?: SessionUser & { id: number } };
  handshake: { headers: { cookie?: string | undefined } };
  disconnect(close?: boolean): unknown;
}

/**
 * Applies account changes to open browser sockets at once: a socket whose session ended (user deleted,
 * password reset) is disconnected; one whose user changed role carries the new role for its next request.
 */
export class LiveUserSockets {
  private sockets: (() => Iterable<UserSocket>) | undefined;
  private peers: ((userId: number) => void) | undefined;

  constructor(private readonly sessions: Sessions) {}

  attach(io: Server): void {
    this.sockets = () => io.of(BROWSER_NAMESPACE).sockets.values() as Iterable<UserSocket>;
  }

  /** Cluster mode: other dashboard servers re-read their sockets of the user too. */
  usePeers(peers: (userId: number) => void): void {
    this.peers = peers;
  }

  /** Re-reads the session of every open socket of this user; returns how many were disconnected here. */
  async refresh(userId: number): Promise<number> {
    this.peers?.(userId);
    return this.refreshLocal(userId);
  }

  async refreshLocal(userId: number): Promise<number> {
    let closed = 0;
    const mine = [...(this.sockets?.() ?? [])].filter((socket) => socket.data.user?.id === userId);
    for (const socket of mine) {
      const user = await this.sessions.userFromCookieHeader(socket.handshake.headers.cookie);
      if (user) socket.data.user = user;
      else {
        socket.disconnect(true);
        closed += 1;
      }
    }
    return closed;
  }
}

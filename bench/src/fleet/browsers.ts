import { BROWSER_NAMESPACE, PROTOCOL_VERSION } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { PROBE_HOST } from './relay-probe';

/** Latencies kept at most (one run of 1,000 hosts × 50 browsers × 40 s is 2,000,000). */
const MAX_LATENCIES = 4_000_000;
const AGGREGATE_REFRESH_MS = 5_000;
const CONNECT_DEADLINE_MS = 180_000; // as the host page does (use-aggregates.ts)

/**
 * A request a page makes once, asked again after a reconnection: on a busy machine a socket can miss its
 * ping and reconnect while the answer is on its way, as a page's socket would.
 */
async function askAgain(socket: Socket, event: string, payload: unknown, who: string): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    try {
      return await socket.emitWithAck(event, payload);
    } catch (err) {
      if (attempt >= 3) throw new Error(`${who}: ${event} failed ${attempt} times: ${(err as Error).message}`);
    }
  }
}

export interface BrowserFleet {
  /** Starts counting: latencies and samples received from now on. */
  measure(): void;
  /**
   * Since `measure()`: latencies (ms) of the simulated agents' samples (sample time → browser receipt) and
   * how many arrived; latencies of the relay probe's samples (sent → browser receipt).
   */
  results(): { latencies: Float64Array; received: number; relay: Float64Array };
  close(): void;
}

/**
 * Browsers as the pages use the socket: every one lists the hosts and receives every host's samples
 * (the overview); `hostPages` of them also open a host page: its history once, top talkers every 5 s.
 * With several servers, browser i uses server i mod n (with that server's session cookie).
 */
export async function openBrowsers(servers: readonly { url: string; cookie: string }[], count: number, hostPages: number, hostIds: readonly string[]): Promise<BrowserFleet> {
  const sockets: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const latencies = new Float64Array(MAX_LATENCIES);
  const relay = new Float64Array(MAX_LATENCIES);
  let measured = 0;
  let received = 0;
  let relayed = 0;
  let measuring = false;
  for (let i = 0; i < count; i++) {
    const { url, cookie } = servers[i % servers.length] as { url: string; cookie: string };
    // A generous connect timeout: on a busy shared machine the handshake can take long, and that is not what is measured.
    const socket = io(`${url}${BROWSER_NAMESPACE}`, { transports: ['websocket'], forceNew: true, timeout: 60_000, auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie, origin: url } });
    sockets.push(socket);
    try {
      // A refusal (it carries the server's data) ends the run; a transport timeout on a busy machine is
      // retried by the client, as a page's socket would, until CONNECT_DEADLINE_MS.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`browser ${i} could not connect within ${CONNECT_DEADLINE_MS / 1000} s`)), CONNECT_DEADLINE_MS);
        socket.once('connect', () => (clearTimeout(timer), resolve()));
        socket.on('connect_error', (err: Error & { data?: unknown }) => err.data !== undefined && (clearTimeout(timer), reject(err)));
      });
    } catch (err) {
      for (const s of sockets) s.close();
      throw err;
    }
    // Only the sample times are read: these clients share two cores with the dashboard, so they do no
    // more than they must (a page would also parse the batch with its schema).
    socket.on('hosts:sampled', (payload: { samples?: { hostId?: unknown; sample?: { at?: unknown } }[] } | undefined) => {
      const at = Date.now();
      if (!measuring) return;
      for (const stats of payload?.samples ?? []) {
        const sampledAt = stats.sample?.at;
        if (typeof sampledAt !== 'number') continue;
        if (stats.hostId === PROBE_HOST) {
          if (relayed < MAX_LATENCIES) relay[relayed++] = at - sampledAt;
          continue;
        }
        received++;
        if (measured < MAX_LATENCIES) latencies[measured++] = at - sampledAt;
      }
    });
    socket.on('disconnect', (reason) => measuring && process.stderr.write(`fleet: browser ${i} disconnected (${reason})\n`));
    const hosts = await askAgain(socket, 'hosts:list', {}, `browser ${i}`);
    if (typeof hosts !== 'object' || hosts === null || (hosts as { ok?: unknown }).ok !== true) throw new Error(`browser ${i}: hosts:list was refused: ${JSON.stringify(hosts).slice(0, 200)}`);
    const hostId = hostIds[i % hostIds.length];
    if (i < hostPages && hostId) {
      await askAgain(socket, 'host:history', { hostId, since: Date.now() - 3_600_000 }, `browser ${i}`);
      const refresh = () => void socket.emitWithAck('flows:aggregate', { hostId, query: '', top: 10 }).catch(() => undefined);
      refresh();
      timers.push(setInterval(refresh, AGGREGATE_REFRESH_MS));
    }
  }
  return {
    measure: () => {
      measuring = true;
      measured = 0;
      received = 0;
      relayed = 0;
    },
    results: () => ({ latencies: latencies.slice(0, measured), received, relay: relay.slice(0, relayed) }),
    close: () => {
      measuring = false; // closing is not a disconnection to report
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.close();
    },
  };
}

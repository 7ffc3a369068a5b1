import { rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Netns } from './netns';

export const FORWARD_SCRIPT = fileURLToPath(new URL('../bin/forward.mjs', import.meta.url));

export interface NetnsBridge {
  /** Port on the namespace's loopback that reaches the host's 127.0.0.1:hostPort. */
  nsPort: number;
  close(): Promise<void>;
}

/**
 * Lets processes inside a namespace reach a TCP port on the host's loopback without touching host
 * networking: namespace 127.0.0.1:nsPort → unix socket (shared filesystem) → host 127.0.0.1:hostPort.
 */
export async function bridgeIntoNetns(ns: Netns, hostPort: number, wantedNsPort?: number): Promise<NetnsBridge> {
  const socketPath = join(tmpdir(), `${ns.name}-${hostPort}.sock`);
  await rm(socketPath, { force: true });
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((inbound) => {
    const upstream = net.connect(hostPort, '127.0.0.1');
    inbound.pipe(upstream).pipe(inbound);
    const close = () => (inbound.destroy(), upstream.destroy());
    inbound.on('error', close);
    upstream.on('error', close);
    for (const socket of [inbound, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => relay.listen(socketPath, resolve));
  // The same port as on the host lets one URL (say a dashboard's public one) work on both sides.
  const forwarder = ns.spawn(process.execPath, [FORWARD_SCRIPT, socketPath, String(wantedNsPort ?? 0)]);
  const nsPort = await new Promise<number>((resolve, reject) => {
    forwarder.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    forwarder.once('exit', (code) => reject(new Error(`namespace forwarder exited with ${code}`)));
  });
  return {
    nsPort,
    close: async () => {
      forwarder.kill('SIGKILL');
      // relay.close() waits for its connections: one a peer leaves half-open would hold it forever.
      const closed = new Promise<void>((resolve) => relay.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await rm(socketPath, { force: true });
    },
  };
}

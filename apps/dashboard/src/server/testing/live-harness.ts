// A dashboard with one real agent in a namespace, and the browser-side calls the kernel tests make.
import type { Ack, HostSummary } from '@ctscope/protocol';
import type { Netns } from '@ctscope/testkit';
import type { Socket } from 'socket.io-client';
import { agentInNetns, browserSocket, nextSample, type Cleanups, type NetnsAgent } from './agent-harness';
import { startTestDashboard, type TestDashboard } from './test-dashboard';

export interface OnlineAgent {
  dash: TestDashboard;
  browser: Socket;
  ns: Netns;
  auditFile: string;
  hostId: string;
  agent: NetnsAgent;
}

/** A test dashboard, a logged-in admin browser socket and a real agent whose first sample has arrived. */
export async function onlineAgent(cleanups: Cleanups, extraArgs: string[] = [], hooks = true): Promise<OnlineAgent> {
  const dash = await startTestDashboard();
  cleanups.add(() => dash.close());
  const browser = await browserSocket(dash, cleanups);
  const agent = await agentInNetns(dash, cleanups, extraArgs, hooks);
  await nextSample(browser, 0);
  return { dash, browser, ns: agent.ns, auditFile: agent.auditFile, hostId: dash.server.localAgent.hostId, agent };
}

export const request = <T>(socket: Socket, event: string, payload: unknown) =>
  socket.timeout(20_000).emitWithAck(event, payload) as Promise<Ack<T>>;

export function unwrap<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.code}: ${ack.message}`);
  return ack.data;
}

/** Lines of `conntrack -L` for these arguments (the summary line goes to stderr). */
export async function cliLines(ns: Netns, args: string[]): Promise<string[]> {
  const { stdout } = await ns.conntrack(['-L', ...args]);
  return stdout.split('\n').filter((line) => line.trim().length > 0);
}

/** Resolves when the dashboard next reports the host online (or offline). */
export const hostState = (socket: Socket, online: boolean) =>
  new Promise<void>((resolve) => {
    const onChanged = (host: HostSummary) => {
      if (host.online !== online) return;
      socket.off('host:changed', onChanged);
      resolve();
    };
    socket.on('host:changed', onChanged);
  });

export const windowSpec = (query: string) => ({ query, sort: { column: 'id', desc: false }, offset: 0, limit: 100 });

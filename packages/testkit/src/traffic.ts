import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { Netns } from './netns';

export const TRAFFIC_SCRIPT = fileURLToPath(new URL('../bin/traffic.mjs', import.meta.url));

export interface TrafficPlan {
  /** TCP connections opened, used and closed (they stay in the table in TIME_WAIT). */
  tcp?: number;
  /** TCP connections kept ESTABLISHED until the generator is killed. */
  hold?: number;
  /** UDP request/response exchanges, each from a new source port. */
  udp?: number;
  icmp?: number;
  ipv6?: boolean;
}

export interface TrafficDone {
  tcp: number;
  hold: number;
  udp: number;
  icmp: number;
}

function planArgs(plan: TrafficPlan): string[] {
  const args = [`--tcp=${plan.tcp ?? 0}`, `--hold=${plan.hold ?? 0}`, `--udp=${plan.udp ?? 0}`, `--icmp=${plan.icmp ?? 0}`];
  if (plan.ipv6) args.push('--ipv6');
  return args;
}

/** Runs one round of real traffic inside the namespace and resolves with what completed. */
export async function generateTraffic(ns: Netns, plan: TrafficPlan): Promise<TrafficDone> {
  if (plan.hold) throw new Error('held connections need startTraffic(), which keeps the generator running');
  const { stdout } = await ns.exec(process.execPath, [TRAFFIC_SCRIPT, ...planArgs(plan)]);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as TrafficDone;
}

/** Starts a long-running generator (held connections, or repeated rounds every `loopSeconds`). */
export function startTraffic(ns: Netns, plan: TrafficPlan, loopSeconds = 0): ChildProcess {
  return ns.spawn(process.execPath, [TRAFFIC_SCRIPT, ...planArgs(plan), `--loop=${loopSeconds}`]);
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Netns } from './netns';
import { run } from './run';

const CTPACKETS_SOURCE = fileURLToPath(new URL('../native/ctpackets.c', import.meta.url));

/** What `ctpackets` printed (usage in native/ctpackets.c). */
export interface PacketsResult {
  sent: number;
  failed: number;
}

export interface CtPackets {
  /** Path of the built program. */
  path: string;
  /** Two threads on two CPUs send the first UDP packet of one 5-tuple at once, `rounds` times (a new source port each). */
  udpRace(ns: Netns, o: { src: string; firstPort: number; dst: string; dport: number; rounds: number; threads?: number }): Promise<PacketsResult>;
  /** The same with raw TCP SYNs (TCP clashes are never resolved: each lost race is an insert_failed). */
  tcpRace(ns: Netns, o: { src: string; firstPort: number; dst: string; dport: number; rounds: number }): Promise<PacketsResult>;
  /** `count` raw TCP segments with `flags` (letters of FSRPAU; "SF" is always INVALID). */
  tcpFlags(ns: Netns, o: { src: string; sport: number; dst: string; dport: number; count: number; flags: string }): Promise<PacketsResult>;
  remove(): Promise<void>;
}

const parse = (stdout: string): PacketsResult => JSON.parse(stdout.trim()) as PacketsResult;

/** Builds native/ctpackets.c with gcc (npm run setup installs it) into a temporary directory. */
export async function buildCtPackets(): Promise<CtPackets> {
  const dir = await mkdtemp(join(tmpdir(), 'ctscope-ctpackets-'));
  const path = join(dir, 'ctpackets');
  try {
    await run('gcc', ['-O2', '-Wall', '-pthread', '-o', path, CTPACKETS_SOURCE]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot build ctpackets with gcc (npm run setup installs it): ${(err as Error).message}`);
  }
  return {
    path,
    udpRace: async (ns, o) => parse((await ns.exec(path, ['udp-race', o.src, String(o.firstPort), o.dst, String(o.dport), String(o.rounds), String(o.threads ?? 2)])).stdout),
    tcpRace: async (ns, o) => parse((await ns.exec(path, ['tcp-race', o.src, String(o.firstPort), o.dst, String(o.dport), String(o.rounds)])).stdout),
    tcpFlags: async (ns, o) => parse((await ns.exec(path, ['tcp-flags', o.src, String(o.sport), o.dst, String(o.dport), String(o.count), o.flags])).stdout),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

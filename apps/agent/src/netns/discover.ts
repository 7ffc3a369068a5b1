import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupOwner } from './cgroup-name';

export type NetnsSource = 'named' | 'container' | 'pod' | 'process' | 'host';

/** A network namespace found on the host, and the path to join it by. */
export interface NetnsCandidate {
  /** The namespace's inode, as in `net:[inode]`, in decimal. */
  netns: string;
  /** /run/netns/NAME or /proc/PID/ns/net. */
  path: string;
  name: string;
  source: NetnsSource;
}

export interface Discovery {
  /** The host's namespace first, then named ones, then those of processes (lowest pid first); at most `limit`. */
  namespaces: NetnsCandidate[];
  /** Distinct namespaces seen, including those past the limit. */
  seen: number;
  truncated: boolean;
}

export interface DiscoverOptions {
  /** Where /proc is (a fixture tree in tests). */
  procRoot?: string;
  /** Where `ip netns add` keeps its names. */
  runNetns?: string;
  /** Namespaces counted per pass at most. */
  limit?: number;
}

export const DEFAULT_NETNS_LIMIT = 4_096;
const NET_LINK = /^net:\[(\d+)\]$/;
/** Names made up by CNI plugins (containerd, CRI-O), not by anyone reading the page. */
const GENERATED_NAME = /^cni-[0-9a-f]{8}-/;

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readSmall(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Names a namespace only processes hold, by its lowest pid: its pod or container, else the process name. */
function nameByProcess(procRoot: string, pid: number): { name: string; source: NetnsSource } {
  const cgroup = readSmall(join(procRoot, String(pid), 'cgroup'));
  const owner = cgroup === null ? null : cgroupOwner(cgroup);
  if (owner) return owner;
  const comm = readSmall(join(procRoot, String(pid), 'comm'))?.trim();
  return { name: comm ? `${comm} (pid ${pid})` : `pid ${pid}`, source: 'process' };
}

/**
 * Finds the host's network namespaces: the agent's own (the host), those named under /run/netns and
 * those of running processes, one per inode. A process or name that vanishes meanwhile is skipped.
 * Synchronous on purpose: a few small reads per process, cheaper than a promise each.
 */
export function discoverNamespaces(options: DiscoverOptions = {}): Discovery {
  const procRoot = options.procRoot ?? '/proc';
  const runNetns = options.runNetns ?? '/run/netns';
  const limit = options.limit ?? DEFAULT_NETNS_LIMIT;
  const found = new Map<string, NetnsCandidate>();
  const hostPath = join(procRoot, 'self', 'ns', 'net');
  const host = statSync(hostPath);
  const hostNetns = String(host.ino);
  found.set(hostNetns, { netns: hostNetns, path: hostPath, name: 'host', source: 'host' });

  for (const name of listDir(runNetns).sort()) {
    const path = join(runNetns, name);
    try {
      const st = statSync(path);
      // A name whose namespace is gone is an ordinary empty file, on another filesystem than nsfs.
      if (st.dev !== host.dev || found.has(String(st.ino))) continue;
      found.set(String(st.ino), { netns: String(st.ino), path, name, source: 'named' });
    } catch {
      // removed meanwhile
    }
  }

  const heldBy = new Map<string, number>();
  const checked = new Set<string>();
  const pids = listDir(procRoot)
    .filter((entry) => /^[1-9]\d*$/.test(entry))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    let link: string;
    try {
      link = readlinkSync(join(procRoot, String(pid), 'ns', 'net'));
    } catch {
      continue; // exited, or a kernel thread
    }
    const netns = NET_LINK.exec(link)?.[1];
    if (!netns || heldBy.has(netns) || checked.has(netns)) continue;
    const named = found.get(netns);
    if (!named) {
      heldBy.set(netns, pid);
      continue;
    }
    checked.add(netns);
    if (named.source === 'named' && GENERATED_NAME.test(named.name)) {
      // CNI plugins name a pod's namespace cni-<uuid>: the pod uid in its processes' cgroup says more.
      const owner = nameByProcess(procRoot, pid);
      if (owner.source === 'pod' || owner.source === 'container') found.set(netns, { ...named, ...owner });
    }
  }
  const seen = found.size + heldBy.size;
  for (const [netns, pid] of heldBy) {
    if (found.size >= limit) break;
    found.set(netns, { netns, path: join(procRoot, String(pid), 'ns', 'net'), ...nameByProcess(procRoot, pid) });
  }
  return { namespaces: [...found.values()].slice(0, limit), seen, truncated: seen > limit };
}

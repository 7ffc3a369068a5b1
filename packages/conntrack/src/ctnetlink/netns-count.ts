import { loadNfEvents } from './native';

/** Paths the addon takes: at most this many per pass, each shorter than 255 bytes. */
export const MAX_NETNS_PATHS = 65_536;

export type NetnsCount =
  | { path: string; ok: true; /** the namespace's inode (its `net:[inode]` id) */ inode: number; entries: number }
  | { path: string; ok: false; inode: number; errno: number };

export interface NetnsCountPass {
  counts: NetnsCount[];
  /** CPU time of the addon's counting thread for this pass. */
  threadCpuSeconds: number;
}

/**
 * Asks each network namespace behind `paths` for its conntrack entry count (what `conntrack -C` run
 * inside it prints: IPCTNL_MSG_CT_GET_STATS, no dump). A namespace that is gone or cannot be joined
 * comes back with its errno (ENOENT, ESRCH...); the caller decides what that means.
 */
export function countNetnsEntries(paths: readonly string[]): Promise<NetnsCountPass> {
  if (paths.length > MAX_NETNS_PATHS) return Promise.reject(new RangeError(`at most ${MAX_NETNS_PATHS} namespaces per pass, got ${paths.length}`));
  for (const path of paths) {
    if (Buffer.byteLength(path) >= 255 || path.includes('\0')) return Promise.reject(new RangeError(`not a namespace path: ${JSON.stringify(path.slice(0, 80))}`));
  }
  const addon = loadNfEvents();
  if (typeof addon.countNetns !== 'function') return Promise.reject(new Error('the nfevents addon predates countNetns (run: npm run build:native -w @ctscope/conntrack)'));
  return new Promise((resolve) => {
    addon.countNetns(paths, (results, threadCpuSeconds) => {
      const counts = paths.map((path, i): NetnsCount => {
        const inode = results[i * 3] ?? 0;
        const errno = results[i * 3 + 2] ?? 0;
        return errno === 0 ? { path, ok: true, inode, entries: results[i * 3 + 1] ?? 0 } : { path, ok: false, inode, errno };
      });
      resolve({ counts, threadCpuSeconds });
    });
  });
}

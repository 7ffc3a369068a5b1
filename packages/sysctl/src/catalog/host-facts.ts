import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { SysctlIo } from '../io';
import { netfilterDir, type SysctlPaths } from '../paths';
import type { HostFacts } from './types';

/** "0-3,6,8-9" → 7. */
export function countCpuList(list: string): number | undefined {
  let n = 0;
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    n += m[2] === undefined ? 1 : Number(m[2]) - Number(m[1]) + 1;
  }
  return n > 0 ? n : undefined;
}

/** MemTotal from meminfo text, in bytes. */
export function parseMemTotal(meminfo: string): number | undefined {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : undefined;
}

/**
 * Whether this process sees the initial network namespace: the kernel makes nf_conntrack_max 0444
 * everywhere else. Without the module loaded, compare our namespace with PID 1's (in a container
 * PID 1 shares ours, which is the answer we want there too).
 */
async function detectInitialNetns(paths: SysctlPaths, io: SysctlIo): Promise<boolean> {
  try {
    const st = await io.stat(join(netfilterDir(paths), 'nf_conntrack_max'));
    return (st.mode & 0o200) !== 0;
  } catch {
    try {
      const [self, init] = await Promise.all([io.stat(join(paths.procfs, 'self/ns/net')), io.stat(join(paths.procfs, '1/ns/net'))]);
      return self.ino === init.ino;
    } catch {
      return true;
    }
  }
}

export async function readHostFacts(paths: SysctlPaths, io: SysctlIo): Promise<HostFacts> {
  const meminfo = await io.readFile(join(paths.procfs, 'meminfo')).catch(() => '');
  const cpuList = await io.readFile(join(paths.sysfs, 'devices/system/cpu/online')).catch(() => '');
  return {
    memTotalBytes: parseMemTotal(meminfo) ?? 0,
    cpus: countCpuList(cpuList) ?? availableParallelism(),
    inInitialNetns: await detectInitialNetns(paths, io),
  };
}

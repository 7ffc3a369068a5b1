import { join } from 'node:path';
import type { SysctlIo } from '../io';
import type { SysctlPaths } from '../paths';

/**
 * Where nf_conntrack is loaded early at boot, if anywhere: a `nf_conntrack` line in a
 * modules-load.d file (or Debian's /etc/modules). Without it, sysctl.d values for
 * net.netfilter.nf_conntrack_* are applied before the module exists and are silently lost.
 */
export async function findEarlyModuleLoad(paths: SysctlPaths, io: SysctlIo): Promise<string | undefined> {
  const dirs = [
    join(paths.etc, 'modules-load.d'),
    join(paths.rootfs, 'run/modules-load.d'),
    join(paths.rootfs, 'usr/local/lib/modules-load.d'),
    join(paths.rootfs, 'usr/lib/modules-load.d'),
    join(paths.rootfs, 'lib/modules-load.d'),
  ];
  const files: string[] = [];
  for (const dir of dirs) {
    for (const name of (await io.readdir(dir).catch(() => [])).sort()) if (name.endsWith('.conf')) files.push(join(dir, name));
  }
  files.push(join(paths.etc, 'modules'));
  for (const file of files) {
    const text = await io.readFile(file).catch(() => '');
    if (text.split('\n').some((l) => l.trim() === 'nf_conntrack')) return file;
  }
  return undefined;
}

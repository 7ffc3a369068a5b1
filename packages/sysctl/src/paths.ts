import { isAbsolute, join, normalize } from 'node:path';

/**
 * Where the host's pseudo-filesystems and configuration live. Like node_exporter's `--path.procfs`,
 * `--path.sysfs` and `--path.rootfs`: an agent in a container reads the host through bind mounts,
 * and tests point everything at temporary directories.
 *
 * Note: `<procfs>/sys/net/...` always shows the network namespace of the process that reads it,
 * whatever procfs is mounted where. Reading another namespace means running inside it.
 */
export interface SysctlPaths {
  /** procfs mount (default /proc): sysctls under sys/net/netfilter, meminfo. */
  procfs: string;
  /** sysfs mount (default /sys): module/nf_conntrack/parameters/hashsize, CPU list. */
  sysfs: string;
  /** Root of the host's filesystem (default /): sysctl.d search directories below it. */
  rootfs: string;
  /** The host's /etc (default <rootfs>/etc): 90-ctscope.conf and modules-load.d are written here. */
  etc: string;
}

export type SysctlPathsInput = Partial<SysctlPaths>;

function checkRoot(field: keyof SysctlPaths, path: string): string {
  if (!isAbsolute(path) || normalize(path) !== path || path.split('/').includes('..')) {
    throw new Error(`paths.${field} must be an absolute, normalised directory path (got ${JSON.stringify(path)})`);
  }
  return path;
}

/** Fills in defaults and checks every root is an absolute normalised path. */
export function resolvePaths(input: SysctlPathsInput = {}): SysctlPaths {
  const rootfs = checkRoot('rootfs', input.rootfs ?? '/');
  return {
    procfs: checkRoot('procfs', input.procfs ?? '/proc'),
    sysfs: checkRoot('sysfs', input.sysfs ?? '/sys'),
    rootfs,
    etc: checkRoot('etc', input.etc ?? join(rootfs, 'etc')),
  };
}

export const netfilterDir = (p: SysctlPaths): string => join(p.procfs, 'sys/net/netfilter');
export const hashsizePath = (p: SysctlPaths): string => join(p.sysfs, 'module/nf_conntrack/parameters/hashsize');
export const CTSCOPE_SYSCTL_FILE = '90-ctscope.conf';
export const CTSCOPE_MODULES_FILE = 'ctscope.conf';
export const ctscopeSysctlPath = (p: SysctlPaths): string => join(p.etc, 'sysctl.d', CTSCOPE_SYSCTL_FILE);
export const modulesLoadPath = (p: SysctlPaths): string => join(p.etc, 'modules-load.d', CTSCOPE_MODULES_FILE);

/**
 * sysctl.d directories in precedence order (as `sysctl --system` and systemd-sysctl read them):
 * a file name in an earlier directory masks the same name in later ones.
 */
export function sysctlSearchDirs(p: SysctlPaths): string[] {
  return [
    join(p.etc, 'sysctl.d'),
    join(p.rootfs, 'run/sysctl.d'),
    join(p.rootfs, 'usr/local/lib/sysctl.d'),
    join(p.rootfs, 'usr/lib/sysctl.d'),
    join(p.rootfs, 'lib/sysctl.d'),
  ];
}

/** Read last by `sysctl --system` (Debian also links it as /etc/sysctl.d/99-sysctl.conf). */
export const sysctlConfPath = (p: SysctlPaths): string => join(p.etc, 'sysctl.conf');

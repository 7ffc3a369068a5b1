import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SysctlPaths } from '../paths';

/** The nf_conntrack_* values of the reference machine (kernel 6.18, 24 GiB, 2 CPUs). */
export const KERNEL_6_18_VALUES: Readonly<Record<string, number>> = {
  nf_conntrack_acct: 0,
  nf_conntrack_buckets: 262144,
  nf_conntrack_checksum: 1,
  nf_conntrack_count: 0,
  nf_conntrack_events: 2,
  nf_conntrack_expect_max: 4096,
  nf_conntrack_frag6_high_thresh: 4194304,
  nf_conntrack_frag6_low_thresh: 3145728,
  nf_conntrack_frag6_timeout: 60,
  nf_conntrack_generic_timeout: 600,
  nf_conntrack_gre_timeout: 30,
  nf_conntrack_gre_timeout_stream: 180,
  nf_conntrack_icmp_timeout: 30,
  nf_conntrack_icmpv6_timeout: 30,
  nf_conntrack_log_invalid: 0,
  nf_conntrack_max: 262144,
  nf_conntrack_sctp_timeout_closed: 10,
  nf_conntrack_sctp_timeout_cookie_echoed: 3,
  nf_conntrack_sctp_timeout_cookie_wait: 3,
  nf_conntrack_sctp_timeout_established: 210,
  nf_conntrack_sctp_timeout_heartbeat_sent: 30,
  nf_conntrack_sctp_timeout_shutdown_ack_sent: 3,
  nf_conntrack_sctp_timeout_shutdown_recd: 3,
  nf_conntrack_sctp_timeout_shutdown_sent: 3,
  nf_conntrack_tcp_be_liberal: 0,
  nf_conntrack_tcp_ignore_invalid_rst: 0,
  nf_conntrack_tcp_loose: 1,
  nf_conntrack_tcp_max_retrans: 3,
  nf_conntrack_tcp_timeout_close: 10,
  nf_conntrack_tcp_timeout_close_wait: 60,
  nf_conntrack_tcp_timeout_established: 432000,
  nf_conntrack_tcp_timeout_fin_wait: 120,
  nf_conntrack_tcp_timeout_last_ack: 30,
  nf_conntrack_tcp_timeout_max_retrans: 300,
  nf_conntrack_tcp_timeout_syn_recv: 60,
  nf_conntrack_tcp_timeout_syn_sent: 120,
  nf_conntrack_tcp_timeout_time_wait: 120,
  nf_conntrack_tcp_timeout_unacknowledged: 300,
  nf_conntrack_timestamp: 0,
  nf_conntrack_udp_timeout: 30,
  nf_conntrack_udp_timeout_stream: 120,
};

const GLOBAL_KEYS = ['nf_conntrack_max', 'nf_conntrack_buckets', 'nf_conntrack_expect_max'];

export interface FakeHostOptions {
  /** Overrides / additions to KERNEL_6_18_VALUES (raw text allowed). */
  values?: Record<string, number | string>;
  /** Leave these files out. */
  omit?: string[];
  /** Like a non-initial network namespace: global parameters 0444. */
  netns?: boolean;
  /** No nf_conntrack module: no nf_conntrack_* files and no hashsize. */
  noModule?: boolean;
  memTotalKb?: number;
  cpuOnline?: string;
  /** Extra files under the rootfs, by path relative to it (e.g. "etc/sysctl.d/99-x.conf"). */
  files?: Record<string, string>;
}

export interface FakeHost {
  root: string;
  paths: SysctlPaths;
  /** Raw text of a /proc/sys/net/netfilter file. */
  read(key: string): Promise<string>;
  readRoot(relative: string): Promise<string>;
  cleanup(): Promise<void>;
}

async function put(path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  await chmod(path, mode);
}

/** A temporary procfs/sysfs/rootfs tree shaped like a host with nf_conntrack loaded. */
export async function createFakeHost(options: FakeHostOptions = {}): Promise<FakeHost> {
  const root = await mkdtemp(join(tmpdir(), 'ctscope-sysctl-'));
  const paths: SysctlPaths = { procfs: join(root, 'proc'), sysfs: join(root, 'sys'), rootfs: join(root, 'root'), etc: join(root, 'root/etc') };
  const nf = join(paths.procfs, 'sys/net/netfilter');
  await mkdir(nf, { recursive: true });
  if (!options.noModule) {
    const values: Record<string, number | string> = { ...KERNEL_6_18_VALUES, ...options.values };
    for (const [key, value] of Object.entries(values)) {
      if (options.omit?.includes(key)) continue;
      const readOnly = key === 'nf_conntrack_count' || (options.netns && GLOBAL_KEYS.includes(key));
      await put(join(nf, key), `${value}\n`, readOnly ? 0o444 : 0o644);
    }
    await put(join(paths.sysfs, 'module/nf_conntrack/parameters/hashsize'), `${values.nf_conntrack_buckets ?? 262144}\n`, 0o600);
  }
  await put(join(nf, 'nf_log_all_netns'), '0\n');
  await put(join(paths.procfs, 'meminfo'), `MemTotal:       ${options.memTotalKb ?? 24683620} kB\nMemFree:        1000 kB\n`);
  await put(join(paths.sysfs, 'devices/system/cpu/online'), `${options.cpuOnline ?? '0-1'}\n`);
  await mkdir(join(paths.etc, 'sysctl.d'), { recursive: true });
  for (const [rel, content] of Object.entries(options.files ?? {})) await put(join(paths.rootfs, rel), content);
  return {
    root,
    paths,
    read: (key) => readFile(join(nf, key), 'utf8'),
    readRoot: (rel) => readFile(join(paths.rootfs, rel), 'utf8'),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

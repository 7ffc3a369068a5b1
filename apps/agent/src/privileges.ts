import { readFileSync } from 'node:fs';

const CAP_NET_ADMIN = 12;

/** Effective capability mask of this process, from /proc/self/status. */
export function effectiveCapabilities(status = readFileSync('/proc/self/status', 'utf8')): bigint {
  const line = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return line?.[1] ? BigInt(`0x${line[1]}`) : 0n;
}

export function hasNetAdmin(caps: bigint): boolean {
  return (caps & (1n << BigInt(CAP_NET_ADMIN))) !== 0n;
}

/** Null when the agent may read conntrack, otherwise what is missing and how to fix it. */
export function missingPrivileges(caps = effectiveCapabilities()): string | null {
  if (hasNetAdmin(caps)) return null;
  return (
    'ctscope agent needs CAP_NET_ADMIN to read the kernel conntrack table (ctnetlink, nft and sysctl). ' +
    'Run it as root (sudo), or grant the capability: `setcap cap_net_admin+ep $(command -v node)`, ' +
    'or in a systemd unit `AmbientCapabilities=CAP_NET_ADMIN`.'
  );
}

import type { HostSummary } from '@ctscope/protocol';

/** The host a page shows: the one asked for, else the first online host, else the first host. */
export function chooseHost(hosts: readonly HostSummary[] | null, requested: string | null): string | null {
  if (requested) return requested;
  if (!hosts || hosts.length === 0) return null;
  return (hosts.find((h) => h.online) ?? hosts[0])?.id ?? null;
}

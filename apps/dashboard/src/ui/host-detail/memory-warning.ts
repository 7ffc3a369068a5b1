import type { MirrorHealthWire } from '@ctscope/protocol';
import { formatCount } from '../format';

const mb = (bytes: number) => Math.ceil(bytes / 1_048_576);

/**
 * The host page's warning when a full table would not fit the agent's memory limit (the agent compares
 * nf_conntrack_max × its measured bytes per entry with its cgroup's limit), or null when it fits.
 */
export function memoryWarning(memory: MirrorHealthWire['memory']): string | null {
  if (!memory?.exceeds || memory.capBytes === null) return null;
  return `A full table (${formatCount(memory.tableMax)} entries) would need about ${mb(memory.neededBytes)} MB, over the agent's memory limit of ${mb(memory.capBytes)} MB: raise the unit's MemoryMax or lower nf_conntrack_max.`;
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What the agent's resident memory needs per entry of the kernel table at its peak (load, the query set
 * and a full resync), and besides the table. Measured by `npm run bench:query` (peak RSS 130 MB at
 * 250,000 entries, 244 MB at 1,000,000, 360 MB at 2,000,000: about 120 bytes per entry over 100 MB),
 * rounded up so that the warning comes early rather than late. The systemd unit documents the same formula.
 */
export const PEAK_BYTES_PER_ENTRY = 160;
export const BASE_BYTES = 128 * 1024 * 1024;

/** Resident memory the agent needs at its peak for a table of `entries` (the formula in the systemd unit). */
export function memoryNeeded(entries: number): number {
  return BASE_BYTES + entries * PEAK_BYTES_PER_ENTRY;
}

export interface MemoryAssessment {
  /** The agent's memory limit (the smallest memory.max on its cgroup path), null when none. */
  capBytes: number | null;
  /** What a full table (nf_conntrack_max entries) would need. */
  neededBytes: number;
  bytesPerEntry: number;
  tableMax: number;
  /** True when a full table would pass the cap. */
  exceeds: boolean;
}

export function assessMemory(tableMax: number, capBytes: number | null): MemoryAssessment {
  const neededBytes = memoryNeeded(tableMax);
  return { capBytes, neededBytes, bytesPerEntry: PEAK_BYTES_PER_ENTRY, tableMax, exceeds: capBytes !== null && neededBytes > capBytes };
}

/** A memory.max / memory.limit_in_bytes value: bytes, or null for none ("max", or v1's "unlimited" near 2^63). */
export function parseMemoryLimit(text: string): number | null {
  const value = text.trim();
  if (value === 'max' || value === '') return null;
  if (!/^\d+$/.test(value)) return null;
  const bytes = Number(value);
  return bytes >= 2 ** 62 ? null : bytes;
}

/** The smallest limit in `file` of the cgroup at `path` and its ancestors (each ancestor's limit applies too). */
async function smallestOnPath(base: string, path: string, file: string): Promise<number | null> {
  let smallest: number | null = null;
  for (let at = path || '/'; ; at = at.slice(0, at.lastIndexOf('/')) || '/') {
    const limit = parseMemoryLimit(await readFile(join(base, at, file), 'utf8').catch(() => 'max'));
    if (limit !== null && (smallest === null || limit < smallest)) smallest = limit;
    if (at === '/') return smallest;
  }
}

/**
 * The memory limit of a process's cgroup (this process by default): the smallest limit from its own
 * cgroup up to the root. With cgroup v1 (or hybrid, where the unified tree carries no memory
 * controller) the memory controller's memory.limit_in_bytes; with v2 (`0::/path`) memory.max. Null
 * when no limit is set or none can be read.
 */
export async function readCgroupMemoryLimit(procCgroup = '/proc/self/cgroup', root = '/sys/fs/cgroup'): Promise<number | null> {
  const lines = (await readFile(procCgroup, 'utf8').catch(() => '')).split('\n');
  const v1 = lines.find((line) => line.split(':')[1]?.split(',').includes('memory'));
  if (v1 !== undefined) return smallestOnPath(join(root, 'memory'), v1.split(':').slice(2).join(':').trim(), 'memory.limit_in_bytes');
  const unified = lines.find((line) => line.startsWith('0::'));
  if (unified !== undefined) return smallestOnPath(root, unified.slice(3).trim(), 'memory.max');
  return null;
}

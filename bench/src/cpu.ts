import { readFileSync } from 'node:fs';

/**
 * CPU time (user + sys) of this process's children that have been waited for, in ms: /proc/self/stat's
 * cutime and cstime, in clock ticks (100 per second on Linux). `ip netns exec` execs its command, so a
 * run's delta is the program's own CPU time (with its pipe's consumer, when there is one), to 10 ms.
 * On a shared machine wall times swing with the load; CPU time much less.
 */
export function childrenCpuMs(): number {
  const { userMs, systemMs } = childrenTimes();
  return userMs + systemMs;
}

/** The same, apart: user time, and system time (the kernel's work on the children's behalf). */
export function childrenTimes(): { userMs: number; systemMs: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { userMs: Number(fields[13]) * 10, systemMs: Number(fields[14]) * 10 };
}

import { readFileSync } from 'node:fs';

/**
 * CPU time (user + sys) of this process's children that have been waited for, in ms: /proc/self/stat's
 * cutime and cstime, in clock ticks (100 per second on Linux). `ip netns exec` execs its command, so a
 * run's delta is the program's own CPU time (with its pipe's consumer, when there is one), to 10 ms.
 * On a shared machine wall times swing with the load; CPU time much less.
 */
export function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

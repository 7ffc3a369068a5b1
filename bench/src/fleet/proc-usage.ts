import { readFile } from 'node:fs/promises';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every Linux architecture we run on). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Resident memory in MB, from /proc/<pid>/status. */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Samples a process's RSS every second until stopped; the peak and the last value. */
export function watchRss(pid: number): { stop(): { peakMb: number; lastMb: number } } {
  let peakMb = 0;
  let lastMb = 0;
  const timer = setInterval(() => {
    void rssMb(pid).then((mb) => {
      lastMb = mb;
      peakMb = Math.max(peakMb, mb);
    }, () => undefined);
  }, 1_000);
  return {
    stop: () => {
      clearInterval(timer);
      return { peakMb, lastMb };
    },
  };
}

/** A process and its descendants (the simulation's worker processes), from /proc/<pid>/task/<pid>/children. */
export async function processTree(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').then((text) => text.split(' ').filter(Boolean).map(Number), () => []);
  const below = await Promise.all(children.map(processTree));
  return [pid, ...below.flat()];
}

/** CPU seconds used so far by all of these processes (those that have exited count 0). */
export async function treeCpuSeconds(pids: readonly number[]): Promise<number> {
  const each = await Promise.all(pids.map((pid) => cpuSeconds(pid).catch(() => 0)));
  return each.reduce((a, b) => a + b, 0);
}

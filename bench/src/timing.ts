import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Wall time of a command with stdout discarded (like `> /dev/null`), in milliseconds. */
export function timeCommand(cmd: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

export async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Runs each contender once per round, rotating the order every round so no contender always runs
 * first (warm caches) or last; returns every contender's timings.
 */
export async function interleave(contenders: Record<string, () => Promise<number>>, rounds: number): Promise<Record<string, number[]>> {
  const names = Object.keys(contenders);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as string;
      times[name]?.push(await (contenders[name] as () => Promise<number>)());
    }
  }
  return times;
}

/**
 * Wall time of `producer | consumer` as a shell runs it (without one): both ends of one pipe(7), a
 * FIFO made for the run, so the producer sees what it sees under `| wc -l` (Node's own stdio pipes are
 * socket pairs). Resolves with the time from the producer's start until both exited and with what the
 * consumer printed.
 */
export async function timePipeline(producer: readonly [string, ...string[]], consumer: readonly [string, ...string[]], cwd?: string): Promise<{ ms: number; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ctscope-pipe-'));
  try {
    const fifo = join(dir, 'pipe');
    await execFileAsync('mkfifo', ['-m', '0600', fifo]);
    // Each open blocks until the other end is opened: both at once.
    const [readEnd, writeEnd] = await Promise.all([open(fifo, 'r'), open(fifo, 'w')]);
    let children: ChildProcess[];
    const started = process.hrtime.bigint();
    try {
      const sink = spawn(consumer[0], consumer.slice(1), { stdio: [readEnd.fd, 'pipe', 'pipe'] });
      const source = spawn(producer[0], producer.slice(1), { stdio: ['ignore', writeEnd.fd, 'pipe'], ...(cwd ? { cwd } : {}) });
      children = [source, sink];
    } finally {
      // Only the children hold the pipe now: the consumer sees EOF when the producer exits.
      await Promise.all([readEnd.close(), writeEnd.close()]);
    }
    const [source, sink] = children as [ChildProcess, ChildProcess];
    let output = '';
    let errors = '';
    sink.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    source.stderr?.on('data', (d: Buffer) => (errors += d.toString()));
    // 'close', not 'exit': 'exit' may come before the last of a child's output has been read.
    const exited = (child: ChildProcess, name: string) =>
      new Promise<void>((done, fail) => {
        child.on('error', fail);
        child.on('close', (code) => (code === 0 ? done() : fail(new Error(`${name} exited ${code}: ${errors.trim().slice(-500)}`))));
      });
    await Promise.all([exited(source, producer.join(' ')), exited(sink, consumer.join(' '))]);
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, output: output.trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

import { spawn, type ChildProcess } from 'node:child_process';

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
 * Wall time of `producer | consumer` (like `conntrack -L | wc -l` in a shell, without one): the
 * producer writes straight into the consumer's stdin pipe. Resolves with the time until both exited
 * and what the consumer printed.
 */
export function timePipeline(producer: readonly [string, ...string[]], consumer: readonly [string, ...string[]], cwd?: string): Promise<{ ms: number; output: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const sink = spawn(consumer[0], consumer.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const source = spawn(producer[0], producer.slice(1), { stdio: ['ignore', sink.stdin, 'pipe'], ...(cwd ? { cwd } : {}) });
    // Only the producer holds the pipe's write end now: the consumer sees EOF when the producer exits.
    sink.stdin.destroy();
    let output = '';
    let errors = '';
    sink.stdout.on('data', (d: Buffer) => (output += d.toString()));
    source.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    const exited = (child: ChildProcess, name: string) =>
      new Promise<void>((done, fail) => {
        child.on('error', fail);
        child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`${name} exited ${code}: ${errors.trim().slice(-500)}`))));
      });
    Promise.all([exited(source, producer.join(' ')), exited(sink, consumer.join(' '))])
      .then(() => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, output: output.trim() }))
      .catch(reject);
  });
}

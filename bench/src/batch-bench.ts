/**
 * conntrack-syntax benchmarks, each in throwaway namespaces:
 *  - a batch of 10,000 `-I` lines on stdin (`-R -`): ctscope vs conntrack (goal: ctscope at least as fast),
 *    ctscope as a host runs it (the packaged launcher, `sudo ctscope -R -`) and from the checkout
 *    (`node apps/agent/bin/ctscope.mjs -R -`), with wall and CPU time (user + sys) and the load average;
 *  - listing with the compatibility layer in place: `ctscope list -o extended` vs `ctscope -L -o extended`
 *    vs `conntrack -L -o extended`, and, when CTSCOPE_BEFORE names another checkout's bin/ctscope.mjs
 *    (e.g. main before this change), its `ctscope list` too (goal: no measurable difference).
 *
 *   npx tsx bench/src/batch-bench.ts [LINES=10000] [ROUNDS=5] [LIST_ENTRIES=50000]
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createNetns, type Netns } from '@ctscope/testkit';
import { childrenCpuMs } from './cpu';
import { populatedNetns } from './namespace';
import { extraCaNote, packagedCtscope } from './packaged';
import { compare, formatTable, measured, type BenchResult } from './results';
import { interleave, median, timeCommand } from './timing';

const CTSCOPE = fileURLToPath(new URL('../../apps/agent/bin/ctscope.mjs', import.meta.url));

/** `lines` distinct TCP entries as conntrack -I lines. */
function batchText(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(`-I -s 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} -d 10.200.0.1 -p tcp --sport ${1024 + (i % 60000)} --dport 443 --state ESTABLISHED -u SEEN_REPLY -t 600`);
  }
  return `${out.join('\n')}\n`;
}

/** CPU time of each program's batch runs, by program. */
const batchCpu = new Map<string, number[]>();

/** Wall time of one `-R -` run with the batch file on stdin; checks the table holds every line afterwards. */
function timeBatch(ns: Netns, program: readonly string[], file: string): Promise<number> {
  const cpuBefore = childrenCpuMs();
  const fd = openSync(file, 'r');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('ip', ['netns', 'exec', ns.name, ...program, '-R', '-'], { stdio: [fd, 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      closeSync(fd);
      if (code !== 0) reject(new Error(`${program.join(' ')} -R - exited ${code}: ${stderr.trim()}`));
      else {
        const key = program.join(' ');
        batchCpu.set(key, [...(batchCpu.get(key) ?? []), childrenCpuMs() - cpuBefore]);
        resolve(Number(process.hrtime.bigint() - started) / 1e6);
      }
    });
  });
}

async function entries(ns: Netns): Promise<number> {
  const { stdout } = await ns.conntrack(['-C']);
  return Number(stdout.trim());
}

export async function batchBenchmark(lines: number, rounds: number): Promise<BenchResult[]> {
  const dir = mkdtempSync(`${tmpdir()}/ctscope-batch-bench-`);
  const file = `${dir}/batch.txt`;
  writeFileSync(file, batchText(lines));
  const ns = await createNetns({ hooks: false });
  const packaged = await packagedCtscope();
  try {
    const run = (program: readonly string[]) => async () => {
      await ns.conntrack(['-F']);
      const ms = await timeBatch(ns, program, file);
      const count = await entries(ns);
      if (count !== lines) throw new Error(`${program.join(' ')} -R - left ${count} entries, expected ${lines}`);
      return ms;
    };
    const programs = { conntrack: ['conntrack'], packaged: [packaged.bin], checkout: [process.execPath, CTSCOPE] };
    const times = await interleave({ conntrack: run(programs.conntrack), packaged: run(programs.packaged), checkout: run(programs.checkout) }, rounds);
    const cpu = (name: keyof typeof programs) => batchCpu.get(programs[name].join(' ')) ?? [];
    process.stderr.write(`batch rounds (ms): ${Object.entries(times).map(([k, v]) => `${k} ${v.map((x) => x.toFixed(0)).join(' ')}`).join(' | ')}\n`);
    process.stderr.write(`batch CPU user+sys (ms): ${(['conntrack', 'packaged', 'checkout'] as const).map((k) => `${k} ${cpu(k).join(' ')}`).join(' | ')}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${extraCaNote()}\n`);
    const cli = median(times.conntrack ?? []);
    const cliCpu = median(cpu('conntrack'));
    return [
      measured(`conntrack -R - < ${lines} -I lines`, cli, 'ms'),
      compare(`ctscope -R - < ${lines} -I lines (packaged launcher, as hosts run it) vs conntrack`, median(times.packaged ?? []), cli, 'ms', 1),
      compare(`node apps/agent/bin/ctscope.mjs -R - < ${lines} -I lines (checkout) vs conntrack`, median(times.checkout ?? []), cli, 'ms', 1),
      measured(`conntrack -R - CPU (user+sys)`, cliCpu, 'ms'),
      compare(`ctscope -R - CPU (user+sys), packaged launcher, vs conntrack's`, median(cpu('packaged')), cliCpu, 'ms'),
      compare(`ctscope -R - CPU (user+sys), checkout, vs conntrack's`, median(cpu('checkout')), cliCpu, 'ms'),
    ];
  } finally {
    await packaged.remove();
    await ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function listBenchmark(count: number, rounds: number): Promise<BenchResult[]> {
  const ns = await populatedNetns(count);
  const before = process.env.CTSCOPE_BEFORE;
  try {
    const cmd = (argv: readonly string[]) => () => timeCommand('ip', ['netns', 'exec', ns.name, ...argv]);
    const times = await interleave(
      {
        list: cmd([process.execPath, CTSCOPE, 'list', '-o', 'extended']),
        dashL: cmd([process.execPath, CTSCOPE, '-L', '-o', 'extended']),
        conntrack: cmd(['conntrack', '-L', '-o', 'extended']),
        ...(before ? { before: cmd([process.execPath, before, 'list', '-o', 'extended']) } : {}),
      },
      rounds,
    );
    process.stderr.write(`list rounds (ms): ${Object.entries(times).map(([k, v]) => `${k} ${v.map((x) => x.toFixed(0)).join(' ')}`).join(' | ')}\n`);
    const list = median(times.list ?? []);
    const cli = median(times.conntrack ?? []);
    return [
      compare(`ctscope list -o extended, ${count} entries, vs conntrack -L`, list, cli, 'ms'),
      compare(`ctscope -L -o extended (conntrack syntax) vs ctscope list`, median(times.dashL ?? []), list, 'ms', 1.1),
      ...(before ? [compare(`ctscope list -o extended: this tree vs CTSCOPE_BEFORE`, list, median(times.before ?? []), 'ms', 1.05)] : []),
    ];
  } finally {
    await ns.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [lines = 10_000, rounds = 5, listEntries = 50_000] = process.argv.slice(2).map(Number);
  const results = [...(await batchBenchmark(lines, rounds)), ...(await listBenchmark(listEntries, rounds))];
  process.stdout.write(`${formatTable(results)}\n`);
}

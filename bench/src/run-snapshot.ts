// `npm run bench:snapshot -w @ctscope/bench`: size and time of `ctscope snapshot -o FILE` over a full
// namespace against `conntrack -L -o extended | gzip`, plus the time to read the file back as the
// dashboard does and the size a positional (array per entry) flow encoding would have; interleaved
// rounds, medians; writes bench/results/snapshot.json. BENCH_SNAPSHOT_ENTRIES (250000: sizes separated
// by commas), BENCH_SNAPSHOT_ROUNDS (3). Sizes past the machine's nf_conntrack_max raise it for their
// run only: wrap such runs in `flock /tmp/ctscope-big-bench.lock`.
import { execFile, spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { SnapshotFlow } from '@ctscope/protocol';
import { readSnapshot } from '@ctscope/protocol/snapshot-file';
import { skipKernelTests, type Netns } from '@ctscope/testkit';
import { agentNodeFlags } from './agent-bundle';
import { withTableSize } from './big-table';
import { machineNote, sizesFrom } from './machine';
import { populatedNetns } from './namespace';
import { compare, measured, writeResults, formatTable, type BenchResult } from './results';
import { interleave, median, timeAsync, timeCommand } from './timing';

const CTSCOPE = fileURLToPath(new URL('../../apps/agent/bin/ctscope.mjs', import.meta.url));
const AGENT_BUILD = fileURLToPath(new URL('../../apps/agent/build.mjs', import.meta.url));
const run = promisify(execFile);

const sizes = sizesFrom('BENCH_SNAPSHOT_ENTRIES', '250000');
const rounds = Math.max(1, Number(process.env.BENCH_SNAPSHOT_ROUNDS ?? 3));

/** `conntrack -L -o extended | gzip > file` through real pipes, without a shell. */
function conntrackGzip(ns: Netns, file: string, format: string): Promise<number> {
  return timeAsync(
    () =>
      new Promise<void>((resolve, reject) => {
        const list = spawn('ip', ['netns', 'exec', ns.name, 'conntrack', '-L', '-o', format], { stdio: ['ignore', 'pipe', 'ignore'] });
        const gzip = spawn('gzip', ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
        list.stdout.pipe(gzip.stdin);
        const out = createWriteStream(file);
        gzip.stdout.pipe(out);
        let exits = 0;
        const done = (code: number | null) => {
          if (code !== 0) reject(new Error(`conntrack | gzip exited ${code}`));
          else if (++exits === 3) resolve();
        };
        list.on('exit', done);
        gzip.on('exit', done);
        out.on('finish', () => done(0));
      }),
  );
}

/** The same flows as one JSON array per entry (fixed field order, absent fields as null), gzip -6. */
function positionalBytes(flows: readonly SnapshotFlow[]): number {
  const field = (f: SnapshotFlow) => [f.family, f.proto, f.orig.src, f.orig.dst, f.orig.sport ?? f.orig.icmpId ?? null, f.orig.dport ?? f.orig.icmpType ?? null, f.reply.src, f.reply.dst, f.reply.sport ?? null, f.reply.dport ?? null, f.status.join(','), f.state ?? null, f.timeout ?? null, f.mark ?? null, f.use ?? null, f.id ?? null, f.zone ?? null];
  let text = '';
  let bytes = 0;
  for (const f of flows) {
    text += `${JSON.stringify(field(f))}\n`;
    if (text.length > 1 << 20) {
      bytes += gzipSync(text).length;
      text = '';
    }
  }
  return bytes + (text ? gzipSync(text).length : 0);
}

if (skipKernelTests()) process.exit(1);
const before = machineNote();
const flags = await agentNodeFlags();
await run(process.execPath, [AGENT_BUILD]);
const results: BenchResult[] = [];
for (const entries of sizes) {
  const dir = await mkdtemp(join(tmpdir(), 'ctscope-snapshot-bench-'));
  try {
    const figures = await withTableSize(entries, async () => {
      const ns = await populatedNetns(entries);
      try {
        const ours = join(dir, 'snapshot.gz');
        const theirs = join(dir, 'conntrack.txt.gz');
        const theirsWithIds = join(dir, 'conntrack-id.txt.gz');
        const times = await interleave(
          {
            snapshot: () => timeCommand('ip', ['netns', 'exec', ns.name, process.execPath, ...flags, CTSCOPE, 'snapshot', '-o', ours]),
            conntrack: () => conntrackGzip(ns, theirs, 'extended'),
            conntrackIds: () => conntrackGzip(ns, theirsWithIds, 'extended,id'),
          },
          rounds,
        );
        const flows: SnapshotFlow[] = [];
        const readMs = await timeAsync(() => readSnapshot(createReadStream(ours), () => undefined));
        const contents = await readSnapshot(createReadStream(ours), (f) => flows.push(f));
        if (contents.flows < entries) throw new Error(`the snapshot holds ${contents.flows} entries, expected ${entries} or more`);
        return { times, ours: (await stat(ours)).size, theirs: (await stat(theirs)).size, theirsWithIds: (await stat(theirsWithIds)).size, readMs, positional: positionalBytes(flows), flows: contents.flows };
      } finally {
        await ns.destroy();
      }
    });
    process.stderr.write(`snapshot rounds at ${entries} (ms): ${Object.entries(figures.times).map(([k, v]) => `${k} ${v.map((x) => x.toFixed(0)).join(' ')}`).join(' | ')}\n`);
    const kib = (n: number) => n / 1024;
    const ctMs = median(figures.times.conntrack ?? []);
    results.push(
      measured(`conntrack -L -o extended | gzip, ${entries} entries: time (b)`, ctMs, 'ms'),
      compare(`ctscope snapshot -o FILE (whole file, all sections), ${entries} entries: time vs (b)`, median(figures.times.snapshot ?? []), ctMs, 'ms'),
      measured(`conntrack -L -o extended | gzip, ${entries} entries: size (c)`, kib(figures.theirs), 'KiB'),
      compare(`ctscope snapshot file, ${entries} entries: size vs (c)`, kib(figures.ours), kib(figures.theirs), 'KiB'),
      measured(`conntrack -L -o extended,id | gzip (the kernel ids too, as the snapshot has them), ${entries} entries: time`, median(figures.times.conntrackIds ?? []), 'ms'),
      compare(`ctscope snapshot file, ${entries} entries: size vs conntrack -L -o extended,id | gzip`, kib(figures.ours), kib(figures.theirsWithIds), 'KiB'),
      compare(`the same flows as one JSON array per entry (positional), gzip: size vs the snapshot's`, kib(figures.positional), kib(figures.ours), 'KiB'),
      measured(`reading the snapshot back (gunzip, zod per line), ${figures.flows} flows`, figures.readMs, 'ms'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
await writeResults(fileURLToPath(new URL('../results/snapshot.json', import.meta.url)), results);
process.stdout.write(`\n${formatTable(results)}\n\n${new Date().toISOString()}: ${rounds} interleaved rounds, medians\nbefore: ${before}\nafter: ${machineNote()}\n`);

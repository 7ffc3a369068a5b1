import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { populatedNetns } from './namespace';
import { measured, type BenchResult } from './results';

const PROBE_SOURCE = fileURLToPath(new URL('../../apps/agent/src/query/bench/query-probe.ts', import.meta.url));
// Bundled like the agent itself (apps/agent/build.mjs), next to it so its externals resolve the same way.
const PROBE_BUNDLE = fileURLToPath(new URL('../../apps/agent/dist/query-probe.mjs', import.meta.url));

interface ProbeOutput {
  entries: number;
  rssMb: number;
  heapMb: number;
  results: Record<string, { p50: number; p95: number; total?: number }>;
}

async function bundleProbe(): Promise<void> {
  await build({
    entryPoints: [PROBE_SOURCE],
    outfile: PROBE_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['netlink', 'pino', 'socket.io-client', 'zod'],
    banner: { js: "import { createRequire as __ctscopeCreateRequire } from 'node:module'; const require = __ctscopeCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

/**
 * Queries over the agent's real mirror of a namespace holding `entries` real entries: filter + sort +
 * window and top-N timings (p95 over `rounds`), and the mirror process's resident memory.
 */
export async function queryBenchmarks(entries: number, rounds: number): Promise<BenchResult[]> {
  await bundleProbe();
  const ns = await populatedNetns(entries);
  try {
    const { stdout } = await ns.exec(process.execPath, ['--expose-gc', PROBE_BUNDLE, String(rounds)]);
    const probe = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ProbeOutput;
    const results: BenchResult[] = [];
    for (const [name, r] of Object.entries(probe.results)) {
      const limit = name.startsWith('window') ? 50 : 100;
      const free = name.includes('free text');
      results.push({
        name: `${name} over ${probe.entries} entries (p95)`,
        value: Number(r.p95.toFixed(1)),
        unit: 'ms',
        baseline: null,
        ratio: null,
        goal: free ? 'reported (free text scans every field)' : `<= ${limit} ms`,
        met: free ? null : r.p95 <= limit,
      });
    }
    results.push({ name: `agent mirror RSS with ${probe.entries} entries`, value: Number(probe.rssMb.toFixed(1)), unit: 'MB', baseline: null, ratio: null, goal: '<= 250 MB', met: probe.rssMb <= 250 });
    results.push(measured('agent mirror JS heap in use', probe.heapMb, 'MB'));
    return results;
  } finally {
    await ns.destroy();
  }
}

// Runs the library inside a network namespace for the kernel tests:
//   ip netns exec NS node --import tsx netns-probe.ts catalog
//   ... apply '<request JSON>' [file name whose writes fail like a kernel EINVAL]
//   ... rollback '<previous values JSON>'
//   ... execute-raw '<writes JSON>': runs a hand-made plan (unvalidated) so the kernel itself refuses a value
// Prints one JSON line. /proc/sys/net always shows the namespace of the process reading it, which
// is why this has to run inside the namespace rather than in the test process.
import { basename } from 'node:path';
import { applyChanges, rollback, type PreviousValue } from '../change/apply';
import { readCatalog } from '../catalog/discover';
import { executePlan } from '../change/execute';
import type { PlannedWrite } from '../change/plan';
import { nodeIo, type SysctlIo } from '../io';

function failing(key: string | undefined): SysctlIo {
  if (!key) return nodeIo;
  return {
    ...nodeIo,
    async writeExisting(path, content) {
      if (basename(path) === key) throw Object.assign(new Error('EINVAL: invalid argument, write (injected)'), { code: 'EINVAL' });
      await nodeIo.writeExisting(path, content);
    },
  };
}

async function main(): Promise<unknown> {
  const [mode, arg, failKey] = process.argv.slice(2);
  if (mode === 'catalog') {
    const catalog = await readCatalog();
    return { facts: catalog.facts, entries: catalog.entries.map((e) => ({ name: e.name, value: e.value, scope: e.scope, writable: e.writable, readOnlyReason: e.readOnlyReason ?? null })) };
  }
  if (mode === 'apply') return applyChanges(JSON.parse(arg ?? '{}') as unknown, { io: failing(failKey) });
  if (mode === 'execute-raw') return executePlan({ items: JSON.parse(arg ?? '[]') as PlannedWrite[], createdAt: new Date() });
  if (mode === 'rollback') return rollback(JSON.parse(arg ?? '[]') as PreviousValue[]);
  throw new Error(`unknown mode ${String(mode)}`);
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

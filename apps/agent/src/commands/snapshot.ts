import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { NetlinkSource } from '@ctscope/conntrack';
import { makeSnapshot } from '../snapshot/make-snapshot';
import { splitArgs, UsageError } from './args';
import { buildFilter } from './filter';
import { writeAllSync } from './write-fd';

export const SNAPSHOT_USAGE = `usage: ctscope snapshot [FILTER...] [--filter QUERY] -o FILE

  One gzip file for an incident: the table (or the entries matching the filter), every
  nf_conntrack_* value, a stats sample, our rules and the ruleset's conntrack lines, the kernel's
  "table full" lines; its format is in docs/snapshot-format.md. The dashboard opens it read-only.

  FILTER     conntrack's own flags, as for ctscope list: -p tcp -s 10.0.0.0/8 --dport 443 --state ESTABLISHED
  --filter   the dashboard's query syntax, e.g. "tcp dport:443 src:10.0.0.0/8 !assured" (--query too);
             text starting with "-" is read as conntrack's flags, as in the dashboard's query box
  -o FILE    where to write it (- for stdout); written to FILE.tmp and renamed when complete

  Stats history, composition history and active alerts live in the running agent: take a snapshot from
  the host's page on the dashboard to have them; this command says so in the file and on stderr.`;

const OPTIONS = [
  { name: 'filter', takesValue: true },
  { name: 'query', takesValue: true },
  { name: 'output', short: 'o', takesValue: true },
] as const;

export async function snapshotCommand(argv: readonly string[]): Promise<number> {
  const { own, rest } = splitArgs(argv, OPTIONS);
  const output = own.get('output');
  if (typeof output !== 'string' || output === '') throw new UsageError('-o FILE is required (- for stdout)');
  if (own.has('filter') && own.has('query')) throw new UsageError('give --filter or --query, not both');
  const query = own.get('filter') ?? own.get('query');
  if (query === true) throw new UsageError('--filter needs a value');
  // Like the dashboard's query box, text starting with "-" is conntrack's own flags.
  const pasted = query !== undefined && query.trim().startsWith('-');
  const filter = pasted ? buildFilter([...rest, ...query.trim().split(/\s+/)], undefined) : buildFilter(rest, query);
  const filterText = [rest.join(' '), query ?? ''].filter((s) => s.length > 0).join(' ') || null;
  if (output === '-' && process.stdout.isTTY) throw new UsageError('refusing to write gzip to a terminal: -o FILE, or pipe it');

  const target = output === '-' ? null : output;
  const temp = target === null ? null : `${target}.tmp`;
  let fd: number | null = temp === null ? 1 : openSync(temp, 'w', 0o600);
  const out = fd;
  const source = new NetlinkSource();
  try {
    const started = Date.now();
    const { flows, notes } = await makeSnapshot({
      via: 'cli',
      filter: filterText,
      stats: source,
      sink: (chunk) => writeAllSync(out, chunk),
      flows: async (emit) => {
        await source.stream(filter.kernel, 'conntrack', (flow) => {
          if (filter.matches(flow)) emit(flow, Date.now());
        });
      },
    });
    if (temp !== null && target !== null) {
      fsyncSync(out);
      closeSync(out);
      fd = null;
      renameSync(temp, target);
    }
    for (const note of notes) process.stderr.write(`ctscope: not in the snapshot: ${note}\n`);
    process.stderr.write(`ctscope (netlink): ${flows} flow entries written to ${target ?? 'stdout'} in ${Date.now() - started} ms.\n`);
    return 0;
  } catch (err) {
    if (temp !== null) {
      if (fd !== null) closeSync(fd);
      rmSync(temp, { force: true });
    }
    throw err;
  } finally {
    source.close();
  }
}

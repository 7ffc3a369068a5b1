import { NetlinkSource } from '@ctscope/conntrack';
import { splitArgs, UsageError } from './args';
import { buildFilter } from './filter';
import { openCommandSource } from './source';

export const DELETE_USAGE = `usage: ctscope delete [FILTER...] [--query QUERY] [--dry-run] [--all]

  Deletes the entries matching the filter, each by its exact tuple and id (like conntrack -D).
  FILTER     conntrack's own flags: -p tcp -s 10.0.0.0/8 --dport 443 --state TIME_WAIT ...
  --query    the dashboard's query syntax, e.g. "udp dport:53 !assured"
  --dry-run  only print how many entries would be deleted
  --all      required to delete every entry when no filter is given (a flush)`;

const OPTIONS = [
  { name: 'query', takesValue: true },
  { name: 'dry-run', takesValue: false },
  { name: 'all', takesValue: false },
] as const;

export async function deleteCommand(argv: readonly string[]): Promise<number> {
  const { own, rest } = splitArgs(argv, OPTIONS);
  const query = own.get('query');
  const filter = buildFilter(rest, typeof query === 'string' ? query : undefined);
  if (filter.empty && !own.has('all')) throw new UsageError('no filter given: this would delete every entry; add --all if that is what you want');
  const source = await openCommandSource();
  try {
    // Over netlink only the matching entries are kept while the table streams by; the CLI fallback lists it whole.
    const matching = source instanceof NetlinkSource ? await source.dumpMatching(filter.kernel, filter.matches) : (await source.dump(filter.kernel)).filter(filter.matches);
    if (own.has('dry-run')) {
      process.stdout.write(`${matching.length}\n`);
      process.stderr.write(`ctscope (${source.kind}): ${matching.length} flow entries would be deleted (dry run).\n`);
      return 0;
    }
    const deleted = await source.deleteFlows(matching);
    process.stderr.write(`ctscope (${source.kind}): ${deleted} flow entries have been deleted.\n`);
    return 0;
  } finally {
    source.close();
  }
}

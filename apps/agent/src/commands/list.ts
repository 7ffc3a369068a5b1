import { ByteSink, NetlinkSource, writeFlowLine, type Flow, type TableName } from '@ctscope/conntrack';
import { parseOutputFormat, splitArgs, UsageError } from './args';
import { buildFilter } from './filter';
import { flowToJson, LineWriter } from './output';
import { openCommandSource } from './source';

export const LIST_USAGE = `usage: ctscope list [conntrack|dying|unconfirmed] [FILTER...] [--query QUERY] [-o extended[,id]] [--json]

  FILTER     conntrack's own flags: -p tcp -s 10.0.0.0/8 --dport 443 --state ESTABLISHED -u ASSURED -m 1/0xff ...
  --query    the dashboard's query syntax, e.g. "tcp dport:443 src:10.0.0.0/8 !assured"
  -o         conntrack's output formats: extended (layer 3 columns) and id
  --json     one JSON object per line instead of conntrack's text`;

const OPTIONS = [
  { name: 'query', takesValue: true },
  { name: 'output', short: 'o', takesValue: true },
  { name: 'json', takesValue: false },
] as const;

const TABLES: readonly TableName[] = ['conntrack', 'dying', 'unconfirmed'];

export async function listCommand(argv: readonly string[]): Promise<number> {
  const { own, rest } = splitArgs(argv, OPTIONS);
  const table = rest[0] !== undefined && (TABLES as readonly string[]).includes(rest[0]) ? (rest.shift() as TableName) : 'conntrack';
  if (rest[0] !== undefined && !rest[0].startsWith('-')) throw new UsageError(`unknown table "${rest[0]}": use conntrack, dying or unconfirmed`);
  const format = parseOutputFormat(own.get('output'));
  const query = own.get('query');
  const filter = buildFilter(rest, typeof query === 'string' ? query : undefined);
  const json = own.has('json');

  const source = await openCommandSource();
  try {
    // stdout is synchronous for files, pipes and terminals on Linux: chunks never pile up in memory.
    const text = new ByteSink((chunk) => process.stdout.write(chunk));
    const jsonOut = new LineWriter();
    const options = { id: format.id, nowSeconds: Math.floor(Date.now() / 1000) };
    let shown = 0;
    const show = (flow: Flow) => {
      if (!filter.matches(flow)) return;
      shown++;
      if (json) void jsonOut.line(flowToJson(flow));
      else writeFlowLine(text, flow, format.extended, options);
    };
    // Over netlink each entry is printed as it is decoded, so the table is never held in memory.
    if (source instanceof NetlinkSource) await source.stream(filter.kernel, table, show);
    else for (const flow of await source.dump(filter.kernel, table)) show(flow);
    text.flush();
    await jsonOut.flush();
    process.stderr.write(`ctscope (${source.kind}): ${shown} flow entries have been shown.\n`);
    return 0;
  } finally {
    source.close();
  }
}

import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  ByteSink,
  formatExpectation,
  growPipe,
  NetlinkSource,
  openNetlinkSource,
  writeFlowLine,
  writeMessageLine,
  type ConntrackSource,
  type Flow,
  type TableName,
} from '@ctscope/conntrack';
import { reportCommandError } from '../cli/report-error';
import { parseOutputFormat, splitArgs, UsageError } from './args';
import { buildFilter } from './filter';
import { flowToJson, LineWriter } from './output';
import { writeAllSync, writeStderr } from './write-fd';

export const LIST_USAGE = `usage: ctscope list [conntrack|dying|unconfirmed] [FILTER...] [--query QUERY] [-o extended[,id]] [--json]
       ctscope list expect [-f ipv4|ipv6] [--json]      (or --expect: the expectation table)

  FILTER     conntrack's own flags: -p tcp -s 10.0.0.0/8 --dport 443 --state ESTABLISHED -u ASSURED -m 1/0xff ...
  --query    the dashboard's query syntax, e.g. "tcp dport:443 src:10.0.0.0/8 !assured"
  -o         conntrack's output formats: extended (layer 3 columns) and id
  --json     one JSON object per line instead of conntrack's text`;

const OPTIONS = [
  { name: 'query', takesValue: true },
  { name: 'output', short: 'o', takesValue: true },
  { name: 'json', takesValue: false },
  { name: 'expect', takesValue: false },
] as const;

const TABLES: readonly TableName[] = ['conntrack', 'dying', 'unconfirmed'];

export async function listCommand(argv: readonly string[]): Promise<number> {
  const { own, rest } = splitArgs(argv, OPTIONS);
  if (rest[0] === 'expect' || own.has('expect')) {
    if (own.has('query')) throw new UsageError('--query does not apply to the expectation table');
    parseOutputFormat(own.get('output')); // conntrack accepts -o with expect and prints the same layout
    return listExpectations(rest[0] === 'expect' ? rest.slice(1) : rest, own.has('json'));
  }
  const table = rest[0] !== undefined && (TABLES as readonly string[]).includes(rest[0]) ? (rest.shift() as TableName) : 'conntrack';
  if (rest[0] !== undefined && !rest[0].startsWith('-')) throw new UsageError(`unknown table "${rest[0]}": use conntrack, dying, unconfirmed or expect`);
  const format = parseOutputFormat(own.get('output'));
  const query = own.get('query');
  const filter = buildFilter(rest, typeof query === 'string' ? query : undefined);
  const json = own.has('json');

  const source = await openListSource();
  try {
    // Only one of them touches fd 1: process.stdout (JSON) makes a pipe non-blocking, the text sink writes it as it is.
    const text = json ? null : stdoutSink();
    const jsonOut = json ? stdoutLines() : null;
    const options = { id: format.id, nowSeconds: Math.floor(Date.now() / 1000) };
    let shown = 0;
    const show = (flow: Flow) => {
      if (!filter.matches(flow)) return;
      shown++;
      if (jsonOut) void jsonOut.line(flowToJson(flow));
      else if (text) writeFlowLine(text, flow, format.extended, options);
    };
    // Over netlink each entry is printed as it arrives, so the table is never held in memory. Without a
    // filter to match, text lines are written straight from the message bytes (no Flow objects).
    if (source instanceof NetlinkSource && filter.empty && text)
      shown = await source.streamMessages(filter.kernel, table, (buf, start, end) => writeMessageLine(text, buf, start, end, format.extended, options), READ_AHEAD_CHUNKS);
    else if (source instanceof NetlinkSource) await source.stream(filter.kernel, table, show);
    else for (const flow of await source.dump(filter.kernel, table)) show(flow);
    text?.flush();
    await jsonOut?.flush();
    writeStderr(`ctscope (${source.kind}): ${shown} flow entries have been shown.\n`);
    return 0;
  } finally {
    source.close();
  }
}

/** `ctscope list expect`: the expectation table, in `conntrack -L expect`'s layout or as JSON lines. */
async function listExpectations(args: readonly string[], json: boolean): Promise<number> {
  let family: Flow['family'] | undefined;
  if (args.length === 2 && (args[0] === '-f' || args[0] === '--family') && (args[1] === 'ipv4' || args[1] === 'ipv6')) family = args[1];
  else if (args.length > 0) throw new UsageError(`the expectation table takes no filter but -f ipv4|ipv6 (got "${args.join(' ')}")`);
  const source = await openListSource();
  try {
    if (!(source instanceof NetlinkSource)) throw new Error('the expectation table needs ctnetlink, which cannot be opened here (see the warning above)');
    const expectations = await source.dumpExpectations(family);
    const out = stdoutLines();
    for (const exp of expectations) await out.line(json ? flowToJson(exp) : formatExpectation(exp));
    await out.flush();
    writeStderr(`ctscope (${source.kind}): ${expectations.length} expectations have been shown.\n`);
    return 0;
  } finally {
    source.close();
  }
}

/**
 * `ctscope list` on its own: bin/ctscope.mjs starts it from a bundle without the agent's dependencies
 * (zod, pino, socket.io), which cost more than the dump itself at every start. Help, exit codes and
 * messages are those of the full CLI's main() for this command (list.test.ts holds them side by side).
 */
export async function listMain(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${LIST_USAGE}\n`);
    return 0;
  }
  try {
    return await listCommand(argv);
  } catch (err) {
    return reportCommandError(err, argv, LIST_USAGE);
  }
}

/**
 * ctnetlink, or else the command source (which logs why and falls back to the `conntrack` CLI): the
 * logger and its dependencies load only on that rare path, not on every `ctscope list`.
 */
async function openListSource(): Promise<ConntrackSource> {
  try {
    return await openNetlinkSource();
  } catch {
    const { openCommandSource } = await import('./source');
    return openCommandSource();
  }
}

/**
 * 32 MiB of the dump may wait for this thread (the addon's most): when it waits for a CPU or for the
 * pipe, the kernel's side of the dump (most of a listing's time) goes on instead of stopping.
 */
const READ_AHEAD_CHUNKS = 1024;

/** Twice a chunk, so one can wait in the pipe while the next is formatted; fs.pipe-max-size is 1 MiB by default. */
const PIPE_BYTES = 1 << 20;
const CHUNK_BYTES = PIPE_BYTES / 2;

/**
 * Text output, written to fd 1 synchronously in 512 KiB chunks from one reused buffer: for files,
 * devices and pipes alike (`| wc -l`, `| grep`: how operators use it). A pipe write blocks until the
 * reader has room, which holds this thread back while the addon's thread keeps receiving the dump, and
 * no copy of the output piles up in memory; a pipe is grown first so a chunk goes through in one
 * write instead of sixteen 64 KiB handoffs to the reader. Terminals go through process.stdout.
 */
function stdoutSink(): ByteSink {
  let tty = false;
  try {
    // Only a character device can be a terminal: pipes and files never load node:tty (and the
    // node:net it requires), ~11 ms of every start.
    tty = fstatSync(1).isCharacterDevice() && (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(1);
  } catch {
    tty = true; // no usable fd 1: let process.stdout report it
  }
  if (tty) return new ByteSink((chunk) => process.stdout.write(chunk));
  growPipe(1, PIPE_BYTES); // no pipe (a file, /dev/null) or no room for it: written all the same
  return new ByteSink((chunk) => writeAllSync(1, chunk), CHUNK_BYTES, { consumedOnReturn: true });
}

/** Lines through process.stdout; a reader that stops early (`| head`) ends the listing quietly, as SIGPIPE ends conntrack. */
function stdoutLines(): LineWriter {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  return new LineWriter(process.stdout);
}

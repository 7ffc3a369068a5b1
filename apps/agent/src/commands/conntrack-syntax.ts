import { fstatSync, readFileSync } from 'node:fs';
import { ByteSink, openNetlinkSource, type NetlinkSource } from '@ctscope/conntrack';
import { CompatError, followEvents, parseCommandLine, runBatchText, runCommand, type CompatContext } from '@ctscope/conntrack/compat';
import { writeStderr } from './write-fd';

export const CONNTRACK_SYNTAX_USAGE = `usage: ctscope -L|-G|-D|-I|-U|-A|-E|-F|-C|-S [table] [options]      (conntrack 1.4.7's own command line)
       ctscope -R FILE|-                                                (a batch of -I/-A/-U/-D/-F lines)

Tables: conntrack, expect, dying, unconfirmed. Options and output are conntrack's: -s -d -r -q
(addresses, -s/-d with /CIDR or --mask-src/--mask-dst), -p (a name from /etc/protocols or a number),
--sport --dport --reply-port-src --reply-port-dst --state, --icmp-type --icmp-code --icmp-id, -t, -u,
-m MARK[/MASK], -w / --orig-zone / --reply-zone, -n/-g/-j [ADDR[:PORT]], -f ipv4|ipv6, -z, -e, -b,
-o extended,id,ktimestamp,save. Exit codes: 0 ok, 1 failed (or nothing matched), 2 bad arguments.`;

const LABEL = 'ctscope (netlink)';

/** Whether process.stdout was made: Node builds it, and loads its whole stream code, on first use. */
let stdoutUsed = false;

/**
 * Standard output for the library's ByteSink: each chunk copied, since stdout may hold it after
 * write(). process.stdout is first touched when something is written: a `-R` batch prints nothing
 * and so never loads Node's stream code.
 */
function stdoutSink(): ByteSink {
  return new ByteSink((chunk) => {
    if (!stdoutUsed) {
      stdoutUsed = true;
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
        process.exit(0);
      });
    }
    process.stdout.write(Buffer.from(chunk));
  });
}

async function openSource(): Promise<NetlinkSource> {
  try {
    return await openNetlinkSource();
  } catch (err) {
    throw new CompatError(1, `Can't open handler: ${(err as Error).message}`);
  }
}

/** The batch file's bytes: its common lines are encoded from them, without decoding the whole text. */
async function readBatch(name: string): Promise<Buffer> {
  try {
    // Read in one call (fs/promises reads a file in chunks and joins them: a few ms on large batches).
    if (name !== '-') return readFileSync(name);
    // A file on stdin (`-R - < FILE`) is read in one call, without a stream (a few ms on large batches).
    return fstatSync(0).isFile() ? readFileSync(0) : await readStream(process.stdin);
  } catch {
    throw new CompatError(2, `Failed to open file ${name === '-' ? '/dev/stdin' : name} for reading`);
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

async function drained(): Promise<void> {
  if (!stdoutUsed || process.stdout.writableLength === 0) return;
  await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
}

async function execute(argv: readonly string[]): Promise<number> {
  if ((argv[0] === '-R' || argv[0] === '--load-file') && argv.length > 1) {
    const text = await readBatch(argv[1] as string);
    // Opened when the first window of creates is ready, or once the whole batch is parsed.
    const opened: NetlinkSource[] = [];
    const connect = async (): Promise<CompatContext> => {
      const source = await openSource();
      opened.push(source);
      let out: ByteSink | undefined;
      // Made when a line prints (its 1 MiB buffer too): creates print nothing.
      return {
        source,
        get out() {
          out ??= stdoutSink();
          return out;
        },
        err: (line) => writeStderr(line),
        label: LABEL,
      };
    };
    try {
      return await runBatchText(text, connect);
    } finally {
      for (const source of opened) source.close();
    }
  }
  const cmd = parseCommandLine(argv);
  if (cmd.command === 'help') {
    process.stdout.write(`${CONNTRACK_SYNTAX_USAGE}\n`);
    return 0;
  }
  if (cmd.command === 'version') {
    process.stdout.write('ctscope: conntrack v1.4.7 command line over ctnetlink\n');
    return 0;
  }
  const source = await openSource();
  const ctx: CompatContext = { source, out: stdoutSink(), err: (text) => writeStderr(text), label: LABEL };
  try {
    if (cmd.command === 'event') {
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return await followEvents(cmd, ctx, stop);
    }
    return await runCommand(cmd, ctx);
  } finally {
    source.close();
    await drained();
  }
}

/** `ctscope` given conntrack's own command line (its first argument a conntrack command such as -L or -D). */
export async function conntrackSyntaxMain(argv: readonly string[]): Promise<number> {
  try {
    return await execute(argv);
  } catch (err) {
    if (err instanceof CompatError) {
      writeStderr(`ctscope: ${err.message}\n`);
      if (err.exitCode === 2) writeStderr("Try `ctscope -h' or 'ctscope --help' for more information.\n");
      return err.exitCode;
    }
    writeStderr(`ctscope: Operation failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

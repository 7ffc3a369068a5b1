/**
 * `-R FILE` / `-R -`: conntrack's batch mode. Every line is parsed first (one bad line runs nothing),
 * then run in order. Consecutive creates travel to the kernel many per datagram; when one fails, the
 * batch stops there as conntrack does, and the entries that later lines of the same datagram created
 * are deleted again so the table ends as conntrack would leave it.
 */
import { IPCTNL_MSG_CT_DELETE, IPCTNL_MSG_CT_NEW, NLM_F_CREATE, NLM_F_EXCL } from '../ctnetlink/constants';
import { createAttrs, createdIdentityAttrs } from './messages';
import { CompatError, parseCommandLine, type CtCommand } from './parse';
import { errorText, runCommand, type CompatContext } from './run';

/** Creates per datagram: large enough to amortise the round trip, small enough for the socket buffers. */
const CREATE_WINDOW = 512;

/** add_param_to_argv(): words split on blanks, double quotes group, a backslash escapes inside quotes. */
export function splitBatchLine(line: string): string[] {
  if (!line.includes('"')) return line.split(/[ \t\r\n]+/).filter((w) => w.length > 0);
  const words: string[] = [];
  let word = '';
  let open = false;
  let escaped = false;
  let started = false;
  for (const ch of line) {
    if (open) {
      if (escaped) {
        word += ch;
        escaped = false;
      } else if (ch === '\\') escaped = true;
      else if (ch === '"') open = false;
      else word += ch;
      continue;
    }
    if (ch === '"') {
      open = true;
      started = true;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (word.length > 0 || started) words.push(word);
      word = '';
      started = false;
      continue;
    }
    word += ch;
  }
  if (word.length > 0) words.push(word);
  return words;
}

const BATCH_COMMANDS = new Set<CtCommand['command']>(['create', 'add', 'update', 'delete', 'flush']);
const FILE_NAMES: Partial<Record<CtCommand['command'], string>> = { list: '-L', get: '-G', event: '-E', version: '-V', help: '-h', count: '-C', stats: '-S' };

/** Parses a whole batch; throws (exit 2) on the first bad line or a command batches cannot hold. */
export function parseBatch(text: string): CtCommand[] {
  const commands: CtCommand[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line === '\r' || line.startsWith('#')) continue;
    commands.push(parseCommandLine(splitBatchLine(line)));
  }
  for (const cmd of commands) {
    if (cmd.table !== 'conntrack' || !BATCH_COMMANDS.has(cmd.command)) {
      const name = cmd.table === 'expect' ? `${FILE_NAMES[cmd.command] ?? '-' + cmd.command} expect` : (FILE_NAMES[cmd.command] ?? 'unknown');
      throw new CompatError(2, `Cannot use command \`${name}' with --load-file`);
    }
  }
  return commands;
}

/** Runs a parsed batch; 0 when every line succeeded, else stops at the failing line with exit 1. */
export async function runBatch(commands: readonly CtCommand[], ctx: CompatContext): Promise<number> {
  // Per-line messages are not printed in batch mode (conntrack prints only failures).
  const quiet: CompatContext = { ...ctx, err: () => undefined };
  for (let i = 0; i < commands.length; ) {
    const cmd = commands[i] as CtCommand;
    if (cmd.command !== 'create' && cmd.command !== 'add') {
      await runCommand(cmd, quiet);
      i++;
      continue;
    }
    const window: CtCommand[] = [];
    while (i < commands.length && window.length < CREATE_WINDOW) {
      const next = commands[i] as CtCommand;
      if (next.command !== 'create' && next.command !== 'add') break;
      window.push(next);
      i++;
    }
    const requests = window.map((c) => ({ msg: IPCTNL_MSG_CT_NEW, flags: NLM_F_CREATE | NLM_F_EXCL, family: c.family, attrs: createAttrs(c) }));
    const errnos = await ctx.source.ctBatch('create', requests);
    const failed = errnos.findIndex((errno, j) => errno !== 0 && !(errno === 17 && window[j]?.command === 'add'));
    if (failed < 0) continue;
    const undo = [];
    for (let j = failed + 1; j < window.length; j++) {
      if (errnos[j] !== 0) continue;
      undo.push({ msg: IPCTNL_MSG_CT_DELETE, flags: 0, family: window[j]?.family, attrs: createdIdentityAttrs(window[j] as CtCommand, requests[j]?.attrs as Buffer) });
    }
    await ctx.source.ctBatch('undo of the creates after a failed line', undo);
    const failedCmd = window[failed] as CtCommand;
    throw new CompatError(1, `Operation failed: ${errorText(errnos[failed] ?? 0, failedCmd.command)}`);
  }
  return 0;
}

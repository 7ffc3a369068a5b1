/**
 * `-R FILE` / `-R -`: conntrack's batch mode. Every line is parsed first (one bad line runs nothing),
 * then run in order. Consecutive creates travel to the kernel many per datagram; when one fails, the
 * batch stops there as conntrack does, and the entries that later lines of the same datagram created
 * are deleted again so the table ends as conntrack would leave it.
 */
import { readFileSync } from 'node:fs';
import { IPCTNL_MSG_CT_DELETE, IPCTNL_MSG_CT_NEW, NFGENMSG_LEN, NFNL_SUBSYS_CTNETLINK, NLMSG_HDRLEN, NLM_F_CREATE, NLM_F_EXCL } from '../ctnetlink/constants';
import { familyNumber } from '../ctnetlink/encode';
import type { Family } from '../flow';
import { AttrBuffer } from './attr-buffer';
import { fastCreateLine } from './fast-line';
import { createdIdentityAttrs, writeCreateAttrs } from './messages';
import { CompatError, parseCommandLine, type CtCommand } from './parse';
import { errorText, runCommand, type CompatContext } from './run';

/** Bytes per datagram: under the default socket send buffer (net.core.wmem_default, 212992). */
const WINDOW_BYTES = 196_608;
/** What one acknowledgement costs in a receive buffer (the skb's truesize), with a margin. */
const ACK_BYTES = 1024;

/**
 * Creates per datagram: as many as possible (each window is a round trip to the kernel's thread and
 * back), but no more acknowledgements than the receive buffer holds, since the kernel queues them all
 * before we read one. The buffer asked for is 8 MiB; the kernel grants twice net.core.rmem_max at most.
 */
function createWindow(): number {
  let rmemMax = 212_992;
  try {
    rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim()) || rmemMax;
  } catch {
    // Unreadable: assume the kernel's default.
  }
  return Math.max(32, Math.floor((2 * Math.min(rmemMax, 8 << 20)) / ACK_BYTES));
}

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
const CT_NEW = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;

/** A create of the batch: its message's place in `messages`, and what undoing it needs. */
interface CreateStep {
  start: number;
  end: number;
  add: boolean;
  family: Family | undefined;
  zone: number | undefined;
}

/**
 * A parsed batch. Creates are encoded as they are parsed, back to back into one buffer that goes to
 * the kernel a window at a time without copying; other lines keep their parsed command.
 */
export interface Batch {
  steps: Array<CreateStep | CtCommand>;
  messages: Buffer;
}

const isCreate = (step: CreateStep | CtCommand): step is CreateStep => 'start' in step;

function checkBatchCommand(cmd: CtCommand): void {
  if (cmd.table !== 'conntrack' || !BATCH_COMMANDS.has(cmd.command)) {
    const name = cmd.table === 'expect' ? `${FILE_NAMES[cmd.command] ?? `-${cmd.command}`} expect` : (FILE_NAMES[cmd.command] ?? 'unknown');
    throw new CompatError(2, `Cannot use command \`${name}' with --load-file`);
  }
}

/** fastCreateLine(), which leaves every line it cannot take, errors included, to the general parser. */
function fastLine(line: string): CtCommand | undefined {
  try {
    return fastCreateLine(line);
  } catch {
    return undefined;
  }
}

/** Parses a whole batch; throws (exit 2) on the first bad line or a command batches cannot hold. */
export function parseBatch(text: string): Batch {
  const steps: Batch['steps'] = [];
  const arena = new AttrBuffer();
  for (let at = 0; at < text.length; ) {
    let newline = text.indexOf('\n', at);
    if (newline < 0) newline = text.length;
    let from = at;
    while (from < newline && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++;
    const line = text.slice(from, newline);
    at = newline + 1;
    if (line === '' || line === '\r' || line.startsWith('#')) continue;
    const cmd = fastLine(line) ?? parseCommandLine(splitBatchLine(line));
    checkBatchCommand(cmd);
    if (cmd.command !== 'create' && cmd.command !== 'add') {
      steps.push(cmd);
      continue;
    }
    const start = arena.beginMessage(CT_NEW, NLM_F_CREATE | NLM_F_EXCL, familyNumber(cmd.family));
    writeCreateAttrs(cmd, arena);
    steps.push({ start, end: arena.endMessage(), add: cmd.command === 'add', family: cmd.family, zone: cmd.zone });
  }
  return { steps, messages: arena.view() };
}

/** Runs a parsed batch; 0 when every line succeeded, else stops at the failing line with exit 1. */
export async function runBatch(batch: Batch, ctx: CompatContext): Promise<number> {
  // Per-line messages are not printed in batch mode (conntrack prints only failures).
  const quiet: CompatContext = { ...ctx, err: () => undefined };
  const { steps, messages } = batch;
  const maxWindow = createWindow();
  for (let i = 0; i < steps.length; ) {
    const step = steps[i] as CreateStep | CtCommand;
    if (!isCreate(step)) {
      await runCommand(step, quiet);
      i++;
      continue;
    }
    const window: CreateStep[] = [];
    const windowStart = step.start;
    while (i < steps.length && window.length < maxWindow) {
      const next = steps[i] as CreateStep | CtCommand;
      if (!isCreate(next) || (window.length > 0 && next.end - windowStart > WINDOW_BYTES)) break;
      window.push(next);
      i++;
    }
    const first = window[0] as CreateStep;
    const last = window[window.length - 1] as CreateStep;
    const errnos = await ctx.source.ctSendMessages('create', messages.subarray(first.start, last.end));
    const failed = errnos.findIndex((errno, j) => errno !== 0 && !(errno === 17 && window[j]?.add));
    if (failed < 0) continue;
    const undo = [];
    for (let j = failed + 1; j < window.length; j++) {
      const made = window[j] as CreateStep;
      if (errnos[j] !== 0) continue;
      undo.push({ msg: IPCTNL_MSG_CT_DELETE, flags: 0, family: made.family, attrs: createdIdentityAttrs(made.zone, messages.subarray(made.start + NLMSG_HDRLEN + NFGENMSG_LEN, made.end)) });
    }
    await ctx.source.ctBatch('undo of the creates after a failed line', undo);
    throw new CompatError(1, `Operation failed: ${errorText(errnos[failed] ?? 0, window[failed]?.add ? 'add' : 'create')}`);
  }
  return 0;
}

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
import { tryNfEvents } from '../ctnetlink/native';
import { FastCreateEncoder, type EncodeRepeats } from './fast-encode';
import { fastCreateLine } from './fast-line';
import { createdIdentityAttrs, writeCreateAttrs } from './messages';
import { CompatError, parseCommandLine, type CtCommand } from './parse';
import { errorText, runCommand, type CompatContext } from './run';

/** Bytes per datagram: under the default socket send buffer (net.core.wmem_default, 212992). */
const WINDOW_BYTES = 196_608;
/** What one acknowledgement costs in a receive buffer (the skb's truesize), with a margin. */
const ACK_BYTES = 1024;
/** Deletes per datagram when creates are taken back. */
const UNDO_CHUNK = 256;

/**
 * Creates per datagram: as many as possible (each window is a round trip to the kernel's thread and
 * back), but no more acknowledgements than the receive buffer holds, since the kernel queues them all
 * before we read one. The buffer asked for is 8 MiB; the kernel grants twice net.core.rmem_max at most.
 */
export function createWindow(): number {
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
export interface CreateStep {
  start: number;
  end: number;
  add: boolean;
  family: Family | undefined;
  zone: number | undefined;
}

/** How a batch is read: `byteFastPath` false reads every line through the string parsers, `native` false every line in JavaScript. */
export interface BatchOptions {
  byteFastPath?: boolean;
  native?: boolean;
}

/**
 * A parsed batch. Creates are encoded as they are parsed, back to back into one buffer that goes to
 * the kernel a window at a time without copying; other lines keep their parsed command.
 */
export interface Batch {
  steps: Array<CreateStep | CtCommand>;
  messages: Buffer;
}

export const isCreate = (step: CreateStep | CtCommand): step is CreateStep => 'start' in step;

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

/** A batch read a few lines at a time: pipelined runs send early lines while later ones are parsed. */
export class BatchReader {
  readonly steps: Batch['steps'] = [];
  private readonly arena: AttrBuffer;
  private readonly text: Buffer;
  private readonly fast: FastCreateEncoder | undefined;
  /** The addon's reader of lines that repeat the last fast one (absent without the addon). */
  private readonly repeats: EncodeRepeats | undefined;
  /** Where the last line the fast path took starts (the addon's reference line); -1: none usable. */
  private repeatFrom = -1;
  private at = 0;
  private decoded: string | undefined;
  /** Lines the byte path encoded (the addon's included). */
  byteLines = 0;
  /** Of those, lines the addon encoded. */
  nativeLines = 0;

  /** `text`: the batch file's bytes (or its text). */
  constructor(text: Buffer | string, { byteFastPath = true, native = true }: BatchOptions = {}) {
    this.text = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    this.fast = byteFastPath ? new FastCreateEncoder() : undefined;
    const addon = byteFastPath && native ? tryNfEvents() : null;
    this.repeats = typeof addon?.encodeRepeats === 'function' ? addon.encodeRepeats.bind(addon) : undefined;
    // A create's message is about as long as its line: no copies while the arena grows.
    this.arena = new AttrBuffer(Math.min(this.text.length + 4096, 64 << 20));
  }

  /** The text, one character per byte, for FastCreateEncoder.match(). */
  private get latin1(): string {
    if (this.decoded === undefined) this.decoded = this.text.toString('latin1');
    return this.decoded;
  }

  /** Every line read: true when the text is at its end. */
  get done(): boolean {
    return this.at >= this.text.length;
  }

  /** The messages encoded so far (offsets of earlier steps stay valid as it grows). */
  get messages(): Buffer {
    return this.arena.view();
  }

  /** Reads lines until `steps` holds `count` or the text ends; throws (exit 2) on a bad line. */
  read(count: number): void {
    const { text, steps, arena, fast } = this;
    while (steps.length < count && this.at < text.length) {
      if (fast && this.repeats && this.repeatFrom >= 0) {
        const repeated = fast.repeat(this.repeats, text, this.at, this.repeatFrom, count - steps.length, arena, steps);
        if (repeated < 0) this.repeatFrom = -1;
        if (repeated > 0) {
          this.at = fast.end;
          this.byteLines += repeated;
          this.nativeLines += repeated;
          continue;
        }
      }
      // The whole text is decoded for match() only once it can take a line (and the addon did not).
      const matched = fast?.canMatch ? fast.match(this.latin1, this.at, arena) : undefined;
      if (matched && fast) {
        this.repeatFrom = this.at;
        this.at = fast.end;
        this.byteLines++;
        steps.push(matched);
        continue;
      }
      let newline = text.indexOf(10, this.at);
      if (newline < 0) newline = text.length;
      let from = this.at;
      while (from < newline && (text[from] === 32 || text[from] === 9)) from++;
      this.at = newline + 1;
      // Empty, a lone CR, or a comment.
      if (from === newline || (newline - from === 1 && text[from] === 13) || text[from] === 35) continue;
      const encoded = fast?.encode(text, from, newline, arena);
      if (encoded) {
        this.repeatFrom = from;
        this.byteLines++;
        steps.push(encoded);
        continue;
      }
      const line = text.toString('utf8', from, newline);
      const quick = fastLine(line);
      if (quick && fast) fast.learn(fast.newShape);
      const cmd = quick ?? parseCommandLine(splitBatchLine(line));
      checkBatchCommand(cmd);
      if (cmd.command !== 'create' && cmd.command !== 'add') {
        steps.push(cmd);
        continue;
      }
      const start = arena.beginMessage(CT_NEW, NLM_F_CREATE | NLM_F_EXCL, familyNumber(cmd.family));
      writeCreateAttrs(cmd, arena);
      steps.push({ start, end: arena.endMessage(), add: cmd.command === 'add', family: cmd.family, zone: cmd.zone });
    }
  }
}

/** Parses a whole batch; throws (exit 2) on the first bad line or a command batches cannot hold. */
export function parseBatch(text: Buffer | string, options: BatchOptions = {}): Batch {
  const reader = new BatchReader(text, options);
  reader.read(Infinity);
  return { steps: reader.steps, messages: reader.messages };
}

/** The creates from `steps[i]` on that travel in one datagram (none when steps[i] is not a create). */
export function windowAt(steps: Batch['steps'], i: number, maxWindow: number): CreateStep[] {
  const window: CreateStep[] = [];
  const first = steps[i];
  if (first === undefined || !isCreate(first)) return window;
  for (let j = i; j < steps.length && window.length < maxWindow; j++) {
    const next = steps[j] as CreateStep | CtCommand;
    if (!isCreate(next) || (window.length > 0 && next.end - first.start > WINDOW_BYTES)) break;
    window.push(next);
  }
  return window;
}

/** A window sent: each create's errno, and the first that failed (-1: none; EEXIST is no failure for -A). */
export interface SentWindow {
  window: CreateStep[];
  errnos: number[];
  failed: number;
}

export async function sendWindow(window: CreateStep[], messages: Buffer, ctx: CompatContext): Promise<SentWindow> {
  const first = window[0] as CreateStep;
  const last = window[window.length - 1] as CreateStep;
  const errnos = await ctx.source.ctSendMessages('create', messages.subarray(first.start, last.end));
  return { window, errnos, failed: errnos.findIndex((errno, j) => errno !== 0 && !(errno === 17 && window[j]?.add)) };
}

/** The entries `sent[from...]` of a window created (EEXIST on -A made none). */
export function createdIn(sent: SentWindow, from = 0): CreateStep[] {
  return sent.window.filter((_, j) => j >= from && sent.errnos[j] === 0);
}

/** Deletes entries a batch created, by their original tuple and zone. */
export async function undoCreates(made: readonly CreateStep[], messages: Buffer, ctx: CompatContext, why: string): Promise<void> {
  for (let i = 0; i < made.length; i += UNDO_CHUNK) {
    const undo = made.slice(i, i + UNDO_CHUNK).map((step) => ({
      msg: IPCTNL_MSG_CT_DELETE,
      flags: 0,
      family: step.family,
      attrs: createdIdentityAttrs(step.zone, messages.subarray(step.start + NLMSG_HDRLEN + NFGENMSG_LEN, step.end)),
    }));
    await ctx.source.ctBatch(why, undo);
  }
}

/** conntrack's message for the line a window stopped at. */
export function windowFailure(sent: SentWindow): CompatError {
  return new CompatError(1, `Operation failed: ${errorText(sent.errnos[sent.failed] ?? 0, sent.window[sent.failed]?.add ? 'add' : 'create')}`);
}

/** Runs a parsed batch from step `from`; 0 when every line succeeded, else stops at the failing line with exit 1. */
export async function runBatch(batch: Batch, ctx: CompatContext, from = 0): Promise<number> {
  // Per-line messages are not printed in batch mode (conntrack prints only failures).
  // ctx.out read only when a line prints: the front end makes standard output on first use.
  const quiet: CompatContext = {
    source: ctx.source,
    get out() {
      return ctx.out;
    },
    err: () => undefined,
    label: ctx.label,
  };
  const { steps, messages } = batch;
  const maxWindow = createWindow();
  for (let i = from; i < steps.length; ) {
    const step = steps[i] as CreateStep | CtCommand;
    if (!isCreate(step)) {
      await runCommand(step, quiet);
      i++;
      continue;
    }
    const sent = await sendWindow(windowAt(steps, i, maxWindow), messages, ctx);
    i += sent.window.length;
    if (sent.failed < 0) continue;
    await undoCreates(createdIn(sent, sent.failed + 1), messages, ctx, 'undo of the creates after a failed line');
    throw windowFailure(sent);
  }
  return 0;
}

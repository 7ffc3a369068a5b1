/**
 * Runs a parsed conntrack command over ctnetlink, printing what conntrack 1.4.7 prints and returning
 * its exit code: the summary "N flow entries have been shown/deleted/..." on stderr, and 1 when a
 * command that changes or gets entries found none (list never fails for that; -A neither).
 */
import { CPU_STAT_KEYS, type EventType, type Flow } from '../flow';
import { identityAttrs } from '../ctnetlink/encode';
import { IPCTNL_MSG_CT_DELETE, IPCTNL_MSG_CT_GET, IPCTNL_MSG_CT_NEW, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL } from '../ctnetlink/constants';
import { NetlinkError } from '../ctnetlink/errors';
import type { NetlinkSource } from '../ctnetlink/netlink-source';
import { writeMessageLine } from '../ctnetlink/write-line';
import type { KernelDumpFilter } from '../source';
import type { ByteSink } from '../text/byte-sink';
import { formatFlowEvent } from '../text/format';
import { formatExpectation } from '../text/format-expect';
import { writeFlowLine } from '../text/format-bytes';
import { createAttrs, getAttrs, updateAttrs } from './messages';
import { listFilterMatches, updateFilterMatches } from './match';
import { CompatError, hasOption, type CtCommand } from './parse';
import { formatSaveLine } from './save';
import { optBit } from './options';

const IPCTNL_MSG_CT_GET_CTRZERO = 3;
/** How many deletes go to the kernel in one datagram. */
const DELETE_WINDOW = 256;

export interface CompatContext {
  source: NetlinkSource;
  /** Standard output. */
  out: ByteSink;
  /** Standard error, one complete message (with its newline) per call. */
  err(text: string): void;
  /** Prefix of our messages, e.g. "ctscope (netlink)". */
  label: string;
}

const ERRNO_TEXT: Readonly<Record<number, string>> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  12: 'Cannot allocate memory',
  16: 'Device or resource busy',
  17: 'File exists',
  22: 'Invalid argument',
  62: 'Timer expired',
  93: 'Protocol not supported',
  95: 'Operation not supported',
  97: 'Address family not supported by protocol',
};

/** err2str(): conntrack's words for a kernel error of a command. */
export function errorText(errno: number, command: CtCommand['command']): string {
  const creates = command === 'create' || command === 'add';
  if (errno === 22) return 'invalid parameters';
  if (errno === 17 && command === 'create') return 'Such conntrack exists, try -U to update';
  if (errno === 2 && (creates || command === 'get' || command === 'delete')) return "such conntrack doesn't exist";
  if (errno === 12 && (creates || command === 'get')) return 'not enough memory';
  if (errno === 97 && command === 'get') return 'protocol not supported';
  if (errno === 62 && creates) return 'conntrack has expired';
  if (errno === 1) return 'sorry, you must be root or get CAP_NET_ADMIN capability to do this';
  return ERRNO_TEXT[errno] ?? `error ${errno}`;
}

const errnoOf = (err: unknown): number | undefined => (err instanceof NetlinkError ? err.errno : undefined);

/** nfct_filter_init()'s checks: a mask needs the address it applies to. */
function checkMasks(cmd: CtCommand): void {
  if (hasOption(cmd, '{') && !hasOption(cmd, 's')) throw new CompatError(2, "Can't use --mask-src without --src");
  if (hasOption(cmd, '}') && !hasOption(cmd, 'd')) throw new CompatError(2, "Can't use --mask-dst without --dst");
}

/** The filters conntrack hands the kernel for a dump: family, mark and (for -L) status. */
function kernelFilter(cmd: CtCommand, withStatus: boolean): KernelDumpFilter {
  return {
    ...(cmd.family ? { family: cmd.family } : {}),
    ...(cmd.mark ? { mark: cmd.mark } : {}),
    ...(withStatus && cmd.statusFilter ? { status: cmd.statusFilter } : {}),
  };
}

/** A flow line in the layout -o asked for (save lines carry the command that recreates or removes the entry). */
function printer(cmd: CtCommand, ctx: CompatContext, savePrefix: '-A' | '-D'): (flow: Flow) => void {
  if (cmd.output.has('save')) {
    return (flow) => {
      ctx.out.ascii(formatSaveLine(flow, savePrefix));
      ctx.out.byte(10);
    };
  }
  if (cmd.output.has('xml')) throw new CompatError(1, 'the xml output format is not supported by ctscope (use -o extended or --json with ctscope list)');
  const extended = cmd.output.has('extended');
  const options = { id: cmd.output.has('id'), ktimestamp: cmd.output.has('ktimestamp'), nowSeconds: Math.floor(Date.now() / 1000) };
  return (flow) => writeFlowLine(ctx.out, flow, extended, options);
}

function summary(ctx: CompatContext, count: number, what: string, failsWhenNone: boolean): number {
  ctx.err(`${ctx.label}: ${count} ${what}.\n`);
  return failsWhenNone && count === 0 ? 1 : 0;
}

const COMPARISON_BITS = ['p', 's', 'd', 'r', 'q', 'm', 'c', 'u', 'i', 'w', 'l', '(', ')'].reduce((b, l) => b | optBit(l as Parameters<typeof optBit>[0]), 0);

async function list(cmd: CtCommand, ctx: CompatContext): Promise<number> {
  if (cmd.table === 'expect') {
    const expectations = await ctx.source.dumpExpectations(cmd.family);
    for (const exp of expectations) {
      ctx.out.ascii(formatExpectation(exp));
      ctx.out.byte(10);
    }
    return summary(ctx, expectations.length, 'expectations have been shown', false);
  }
  if (cmd.table === 'conntrack') {
    if (cmd.options & COMPARISON_BITS && hasOption(cmd, 'z')) throw new CompatError(2, "Can't use -z with filtering parameters");
    checkMasks(cmd);
  }
  const print = printer(cmd, ctx, '-A');
  let shown = 0;
  const show = (flow: Flow) => {
    if (!listFilterMatches(cmd, flow)) return;
    shown++;
    print(flow);
  };
  const plain = !cmd.output.has('save') && !cmd.output.has('ktimestamp');
  const unfiltered = (cmd.options & COMPARISON_BITS) === 0 && !hasOption(cmd, 'n') && !hasOption(cmd, 'g') && !hasOption(cmd, 'j') && !hasOption(cmd, '{') && !hasOption(cmd, '}');
  if (hasOption(cmd, 'z') && cmd.table === 'conntrack') {
    await ctx.source.ctRequest('dump and zero counters', IPCTNL_MSG_CT_GET_CTRZERO, NLM_F_DUMP, cmd.family, Buffer.alloc(0), show);
  } else if (cmd.table !== 'conntrack') {
    await ctx.source.stream(undefined, cmd.table, show);
  } else if (plain && unfiltered && !cmd.mark) {
    // The same path as `ctscope list`: lines written from the message bytes, no Flow objects.
    const options = { id: cmd.output.has('id'), nowSeconds: Math.floor(Date.now() / 1000) };
    const extended = cmd.output.has('extended');
    shown = await ctx.source.streamMessages(kernelFilter(cmd, true), 'conntrack', (buf, start, end) => writeMessageLine(ctx.out, buf, start, end, extended, options));
  } else {
    const filter = kernelFilter(cmd, true);
    await ctx.source.stream(filter, 'conntrack', (flow) => {
      // Older kernels ignore the dump filter; apply it here too, as dump() does.
      if (filter.family !== undefined && flow.family !== filter.family) return;
      if (filter.status && (flow.statusBits & filter.status.mask) !== filter.status.value) return;
      show(flow);
    });
  }
  ctx.out.flush();
  return summary(ctx, shown, 'flow entries have been shown', false);
}

async function del(cmd: CtCommand, ctx: CompatContext): Promise<number> {
  if (cmd.table === 'expect') throw new CompatError(1, 'deleting expectations is not supported by ctscope');
  checkMasks(cmd);
  const matching = await ctx.source.dumpMatching(kernelFilter(cmd, false), (flow) => listFilterMatches(cmd, flow));
  const print = printer(cmd, ctx, '-D');
  let deleted = 0;
  for (let i = 0; i < matching.length; i += DELETE_WINDOW) {
    const window = matching.slice(i, i + DELETE_WINDOW);
    const errnos = await ctx.source.ctBatch(
      'delete',
      window.map((flow) => ({ msg: IPCTNL_MSG_CT_DELETE, flags: 0, family: flow.family, attrs: identityAttrs(flow) })),
    );
    for (const [j, errno] of errnos.entries()) {
      // An entry that ended while we were deleting is not an error (conntrack 1.4.8 skips it too).
      if (errno === 2) continue;
      if (errno !== 0) throw new CompatError(1, `Operation failed: ${errorText(errno, 'delete')}`);
      deleted++;
      print(window[j] as Flow);
    }
  }
  ctx.out.flush();
  return summary(ctx, deleted, 'flow entries have been deleted', true);
}

async function create(cmd: CtCommand, ctx: CompatContext): Promise<number> {
  if (cmd.table === 'expect') throw new CompatError(1, 'creating expectations is not supported by ctscope');
  let created = 0;
  try {
    await ctx.source.ctRequest(cmd.command, IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL, cmd.family, createAttrs(cmd));
    created = 1;
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === undefined) throw err;
    if (!(errno === 17 && cmd.command === 'add')) throw new CompatError(1, `Operation failed: ${errorText(errno, cmd.command)}`);
  }
  return summary(ctx, created, cmd.command === 'add' ? 'flow entries have been added' : 'flow entries have been created', cmd.command === 'create');
}

async function update(cmd: CtCommand, ctx: CompatContext): Promise<number> {
  checkMasks(cmd);
  const print = printer(cmd, ctx, '-A');
  let updated = 0;
  for (const flow of await ctx.source.dumpMatching(cmd.family ? { family: cmd.family } : undefined, (f) => updateFilterMatches(cmd, f))) {
    const attrs = updateAttrs(cmd, flow);
    if (!attrs) continue;
    // conntrack 1.4.7 reports a refused change (EPERM on a FIXED_TIMEOUT entry's timeout...) and goes on:
    // it reads the entry back, prints it and counts it, so the command still succeeds. It sends both
    // requests with the command line's family: without -f or an address that is AF_UNSPEC, which the
    // kernel refuses (EOPNOTSUPP), so `-U -m 1` alone fails there, and here.
    try {
      await ctx.source.ctRequest('update', IPCTNL_MSG_CT_NEW, 0, cmd.family, attrs);
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === undefined) throw err;
      ctx.err(`Operation failed: ${errorText(errno, 'update')}\n`);
    }
    try {
      await ctx.source.ctRequest('get', IPCTNL_MSG_CT_GET, 0, cmd.family, identityAttrs(flow), print);
      updated++;
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === undefined) throw err;
      if (errno !== 2) throw new CompatError(1, `Operation failed: ${errorText(errno, 'update')}`);
    }
  }
  ctx.out.flush();
  return summary(ctx, updated, 'flow entries have been updated', true);
}

async function get(cmd: CtCommand, ctx: CompatContext): Promise<number> {
  if (cmd.table === 'expect') throw new CompatError(1, 'getting expectations is not supported by ctscope');
  const print = printer(cmd, ctx, '-A');
  let shown = 0;
  try {
    await ctx.source.ctRequest('get', IPCTNL_MSG_CT_GET, 0, cmd.family, getAttrs(cmd), (flow) => {
      if (!listFilterMatches(cmd, flow)) return;
      shown++;
      print(flow);
    });
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === undefined) throw err;
    throw new CompatError(1, `Operation failed: ${errorText(errno, 'get')}`);
  }
  ctx.out.flush();
  return summary(ctx, shown, 'flow entries have been shown', true);
}

/** `-S`: one line per CPU, as conntrack prints them. */
async function stats(ctx: CompatContext): Promise<number> {
  for (const row of await ctx.source.cpuStats()) {
    const counters = CPU_STAT_KEYS.filter((k) => row[k] !== undefined).map((k) => `${k}=${row[k]}`);
    ctx.out.ascii(`cpu=${String(row.cpu).padEnd(4)}\t${counters.join(' ')} \n`);
  }
  ctx.out.flush();
  return 0;
}

/** Runs one command that ends by itself (everything but -E). */
export async function runCommand(cmd: CtCommand, ctx: CompatContext): Promise<number> {
  for (const warning of cmd.warnings) ctx.err(`${warning}\n`);
  switch (cmd.command) {
    case 'list':
      return list(cmd, ctx);
    case 'delete':
      return del(cmd, ctx);
    case 'create':
    case 'add':
      return create(cmd, ctx);
    case 'update':
      return update(cmd, ctx);
    case 'get':
      return get(cmd, ctx);
    case 'flush':
      if (cmd.table === 'expect') throw new CompatError(1, 'flushing expectations is not supported by ctscope');
      await ctx.source.flush(cmd.family);
      ctx.err(`${ctx.label}: connection tracking table has been emptied.\n`);
      return 0;
    case 'count':
      ctx.out.ascii(`${cmd.table === 'expect' ? (await ctx.source.dumpExpectations()).length : await ctx.source.count()}\n`);
      ctx.out.flush();
      return 0;
    case 'stats':
      if (cmd.table === 'expect') throw new CompatError(1, 'expectation statistics are not supported by ctscope');
      return stats(ctx);
    case 'event':
      throw new CompatError(1, 'events are followed by followEvents()');
    case 'version':
    case 'help':
      return 0;
  }
}

/** `-E`: prints events that pass the filter until `stop` resolves; returns how many were shown. */
export async function followEvents(cmd: CtCommand, ctx: CompatContext, stop: Promise<void>): Promise<number> {
  if (cmd.table === 'expect') throw new CompatError(1, 'expectation events are not supported by ctscope');
  checkMasks(cmd);
  const mask = cmd.eventMask || 7;
  const events: EventType[] = [...(mask & 1 ? ['NEW' as const] : []), ...(mask & 2 ? ['UPDATE' as const] : []), ...(mask & 4 ? ['DESTROY' as const] : [])];
  if (cmd.output.has('save') || cmd.output.has('xml')) throw new CompatError(1, 'events print in the default or extended layout only in ctscope');
  const options = { extended: cmd.output.has('extended'), id: cmd.output.has('id') };
  let shown = 0;
  let failure: Error | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  const subscription = ctx.source.subscribe(
    { events, ...(cmd.bufferSize ? { bufferBytes: cmd.bufferSize } : {}) },
    {
      onEvent: ({ type, flow }) => {
        if (!listFilterMatches(cmd, flow)) return;
        if (cmd.statusFilter && (flow.statusBits & cmd.statusFilter.mask) !== cmd.statusFilter.value) return;
        shown++;
        const line = formatFlowEvent(type, flow, options);
        ctx.out.ascii(cmd.output.has('timestamp') ? `[${(Date.now() / 1000).toFixed(6)}]\t${line}\n` : `${line}\n`);
      },
      onOverrun: () => ctx.err('WARNING: We have hit ENOBUFS! We are losing events.\nThis message means that the current netlink socket buffer size is too small.\nPlease, check --buffer-size in conntrack(8) manpage.\n'),
      onError: (err) => {
        failure = err;
      },
    },
  );
  flushTimer = setInterval(() => ctx.out.flush(), 100);
  try {
    await Promise.race([stop, new Promise<void>((resolve) => setInterval(() => failure && resolve(), 100).unref())]);
  } finally {
    clearInterval(flushTimer);
    flushTimer = undefined;
    subscription.close();
    ctx.out.flush();
  }
  if (failure) throw failure;
  ctx.err(`${ctx.label}: ${shown} flow events have been shown.\n`);
  return 0;
}

import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { NetlinkSource, type Flow } from '@ctscope/conntrack';
import type { Actor } from '@ctscope/protocol';
import { findEntry, readCatalog, readSysctlState, unsavedRuntimeValues } from '@ctscope/sysctl';
import { AuditLog } from '../audit';
import { SysctlService, type SysctlAnswer } from '../live/sysctl-service';
import { toWireParam } from '../live/sysctl-wire';
import { UsageError } from './args';
import { ensureRoom, pendingNotice, spawnReverter } from './confirm-cli';
import { parseAssignment, paramName, parseSysctlArgs, type SysctlArgs } from './sysctl-args';
import { formatApplied, formatParam, formatPersistPreview, formatPreview, formatUndo } from './sysctl-print';

export const SYSCTL_USAGE = `usage: ctscope sysctl <get|set|persist|rollback> [options]

  ctscope sysctl get [NAME...] [--json]    values with units, kernel default, persisted value and drift
  ctscope sysctl set NAME=VALUE... [--dry-run] [--free-idle] [--confirm-within 2m]
                                           validate, then one transaction: all applied and read back, or
                                           all rolled back; audited before it is acknowledged.
                                           --dry-run shows the diff and the what-if (idle entries, memory)
                                           --free-idle also deletes entries idle longer than a lowered timeout
                                           --confirm-within 30s|2m|1h: undone at that deadline unless
                                           confirmed ("ctscope confirm ID"), also with no agent running
  ctscope sysctl persist [NAME[=VALUE]...] [--dry-run] [--yes]
                                           save to <etc>/sysctl.d/90-ctscope.conf (atomically) and load
                                           nf_conntrack early (<etc>/modules-load.d/ctscope.conf); shows the
                                           diff and asks first (--yes when not at a terminal). A bare NAME
                                           saves its runtime value; no names: every runtime value a reboot
                                           would lose
  ctscope sysctl rollback [--dry-run] [--force]
                                           set the parameters of the last change back to their values before
                                           it; repeat to go further back. Refuses when a value was changed
                                           again since (--force to do it anyway)

NAME: net.netfilter.nf_conntrack_max, nf_conntrack_max or max; hashsize for the module parameter.
VALUE: a whole number, a duration for timeouts (90s, 30m, 1h, 5d) or a choice (on, off).
Paths, as for the agent: --path.procfs DIR (/proc) --path.sysfs DIR (/sys) --path.rootfs DIR (/).
Changes are recorded in --audit-file (default /var/lib/ctscope/audit.jsonl), the agent's audit log:
rollback finds the last change there (action sysctl.set, with each parameter's value before it).`;

const COUNT = 'net.netfilter.nf_conntrack_count';

function actor(): Actor {
  return { user: process.env.SUDO_USER ?? userInfo().username, role: 'admin' };
}

const out = (text: string) => void process.stdout.write(`${text}\n`);

/** The answer's data, or: bad input → exit 2 (UsageError), anything else → exit 1 (thrown Error). */
function unwrap<T>(answer: SysctlAnswer<T>): T {
  if (answer.ok) return answer.data;
  if (answer.code === 'BAD_REQUEST') throw new UsageError(answer.message);
  throw new Error(answer.message);
}

async function get(args: SysctlArgs): Promise<number> {
  const names = args.words.map(paramName);
  const state = await readSysctlState({ paths: args.paths });
  const missing = names.filter((n) => !findEntry(state.catalog, n));
  if (missing.length > 0) throw new UsageError(`${missing.join(', ')}: no such parameter on this host${state.catalog.moduleLoaded ? '' : ' (the nf_conntrack module is not loaded)'}`);
  const params = state.params.filter((p) => names.length === 0 || names.includes(p.name)).map(toWireParam);
  if (args.json) {
    out(JSON.stringify({ params, persistedFiles: state.persistedFiles, earlyModuleLoad: state.earlyModuleLoad, moduleLoaded: state.catalog.moduleLoaded }, null, 2));
    return 0;
  }
  if (!state.catalog.moduleLoaded) process.stderr.write('ctscope: the nf_conntrack module is not loaded: nothing is tracked and its parameters do not exist yet\n');
  out(params.map(formatParam).join('\n'));
  return 0;
}

/** The kernel table, opened only when a what-if or free-idle needs it (that needs CAP_NET_ADMIN). */
function lazySource() {
  let source: NetlinkSource | null = null;
  const open = () => (source ??= new NetlinkSource());
  return {
    dump: () => open().dump(),
    deleteFlows: (flows: readonly Flow[]) => open().deleteFlows(flows),
    close: () => source?.close(),
  };
}

async function withService(args: SysctlArgs, run: (service: SysctlService, audit: AuditLog) => Promise<number>): Promise<number> {
  const catalog = await readCatalog({ paths: args.paths });
  const source = lazySource();
  const mirror = { size: findEntry(catalog, COUNT)?.value ?? 0, deleteFlows: source.deleteFlows };
  const audit = await AuditLog.open({ path: args.auditFile, via: 'cli' });
  try {
    return await run(new SysctlService(mirror, source, audit, args.paths), audit);
  } finally {
    source.close();
    await audit.close();
  }
}

async function set(args: SysctlArgs, service: SysctlService, audit: AuditLog): Promise<number> {
  const changes = args.words.map(parseAssignment);
  if (args.dryRun) {
    out(`${formatPreview(unwrap(await service.preview({ changes })))}\nnothing written (dry run)`);
    return 0;
  }
  if (args.confirmWithinMs !== undefined) await ensureRoom(audit, args.paths);
  const result = unwrap(await service.apply(actor(), { changes, freeIdle: args.freeIdle, confirmWithinMs: args.confirmWithinMs }));
  out(`${formatApplied(result)}\nrecorded in ${args.auditFile}; undo with: ctscope sysctl rollback`);
  if (result.confirmBy !== undefined) {
    const pid = spawnReverter(result.changeId, args.auditFile, args.paths);
    out(pendingNotice(result.changeId, result.confirmBy, 'reverted', pid));
  }
  const lowered = result.applied.some((a) => a.after < a.before && /timeout/.test(a.name));
  if (lowered && !args.freeIdle) out('note: entries already idle keep their old expiry until their next packet (--dry-run counts them; --free-idle deletes them)');
  return 0;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function persistValues(args: SysctlArgs): Promise<{ name: string; value: number | string }[]> {
  const state = await readSysctlState({ paths: args.paths });
  if (args.words.length === 0) return unsavedRuntimeValues(state.params);
  return args.words.map((word) => {
    if (word.includes('=')) return parseAssignment(word);
    const name = paramName(word);
    const value = findEntry(state.catalog, name)?.value;
    if (value === undefined || value === null) throw new UsageError(`${name} has no readable value on this host: give NAME=VALUE to persist it anyway`);
    return { name, value };
  });
}

async function persist(args: SysctlArgs, service: SysctlService): Promise<number> {
  const values = await persistValues(args);
  if (values.length === 0) {
    out('nothing to persist: every runtime value is the kernel default or already persisted');
    return 0;
  }
  const request = { values, mode: 'merge' as const };
  const preview = unwrap(await service.persistPreview(request));
  out(formatPersistPreview(preview));
  if (!preview.sysctl.changed && !preview.modules.changed) {
    out('the files already say this: nothing to write');
    return 0;
  }
  if (args.dryRun) {
    out('nothing written (dry run)');
    return 0;
  }
  if (!args.yes) {
    if (!process.stdin.isTTY) throw new UsageError('standard input is not a terminal, so ctscope cannot ask: add --yes to write these files');
    if (!(await confirm('Write these files? [y/N] '))) {
      out('nothing written');
      return 1;
    }
  }
  const written = unwrap(await service.persist(actor(), request)).written;
  out(written.length > 0 ? written.map((path) => `saved ${path}`).join('\n') : 'nothing to write');
  return 0;
}

async function rollback(args: SysctlArgs, service: SysctlService): Promise<number> {
  const target = await service.lastChange();
  if (!target) {
    out(`nothing to roll back: no change recorded in ${args.auditFile} that is not rolled back already`);
    return 0;
  }
  out(`rolling back ${formatUndo(target)}`);
  if (args.dryRun) {
    out('nothing written (dry run)');
    return 0;
  }
  out(formatApplied(unwrap(await service.rollback(actor(), target, args.force))));
  return 0;
}

export async function sysctlCommand(argv: readonly string[]): Promise<number> {
  const args = parseSysctlArgs(argv);
  switch (args.action) {
    case 'get':
      return get(args);
    case 'set':
      return withService(args, (service, audit) => set(args, service, audit));
    case 'persist':
      return withService(args, (service) => persist(args, service));
    case 'rollback':
      return withService(args, (service) => rollback(args, service));
  }
}

import { spawn } from 'node:child_process';
import { confirmWithinMsSchema } from '@ctscope/protocol';
import type { SysctlPaths } from '@ctscope/sysctl';
import { changeAuditor, type AuditLog } from '../audit';
import { Claims, Confirmations, claimsDir } from '../confirm';
import { RulesService } from '../live/rules-service';
import { SysctlService } from '../live/sysctl-service';
import { UsageError } from './args';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, min: 60_000, h: 3_600_000 };

/** `--confirm-within 30s|2m|1h` (5 s to 1 h) → milliseconds. */
export function parseConfirmWithin(text: string): number {
  const match = /^(\d+)(s|m|min|h)$/.exec(text.trim());
  if (!match) throw new UsageError(`--confirm-within "${text}": give a duration such as 30s, 2m or 1h`);
  const ms = Number(match[1]) * (UNITS[match[2] as string] ?? 1_000);
  const checked = confirmWithinMsSchema.safeParse(ms);
  if (!checked.success) throw new UsageError(`--confirm-within ${text}: ${checked.error.issues[0]?.message ?? 'out of range'}`);
  return ms;
}

/** The options of the sysctl paths, as the CLI takes them, for a reverter process to get the same. */
export function pathArgs(paths: Partial<SysctlPaths>): string[] {
  const out: string[] = [];
  if (paths.procfs) out.push('--path.procfs', paths.procfs);
  if (paths.sysfs) out.push('--path.sysfs', paths.sysfs);
  if (paths.rootfs) out.push('--path.rootfs', paths.rootfs);
  return out;
}

/** What the CLI needs to confirm or revert a recorded change: the same services the agent uses. */
export function cliConfirmations(audit: AuditLog, paths: SysctlPaths, only?: string): Confirmations {
  const sysctl = new SysctlService({ size: 0, deleteFlows: () => Promise.resolve(0) }, { dump: () => Promise.resolve([]) }, audit, paths);
  const rules = new RulesService(() => [], changeAuditor(audit, 'cli'));
  return new Confirmations({ audit, claims: new Claims(claimsDir(audit.path)), undo: { sysctl, rules }, ...(only !== undefined ? { only } : {}) });
}

/** Refuses (exit 1) when too many changes wait already. */
export async function ensureRoom(audit: AuditLog, paths: SysctlPaths): Promise<void> {
  const room = await cliConfirmations(audit, paths).room();
  if (!room.ok) throw new Error(room.message);
}

/**
 * Leaves a process behind that reverts the change at its deadline unless it is confirmed: detached
 * (its own session, setsid), no shell, no terminal. A running agent watches the same audit log and
 * would revert it too; the claim file of the change lets only the first of them do it.
 */
export function spawnReverter(changeId: string, auditFile: string, paths: Partial<SysctlPaths>): number | undefined {
  const entry = process.argv[1];
  if (entry === undefined) throw new Error('cannot find the ctscope program to leave a reverter process behind');
  const child = spawn(process.execPath, [...process.execArgv, entry, 'confirm', '--wait', changeId, '--audit-file', auditFile, ...pathArgs(paths)], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

/** What the CLI prints after a change with a deadline. */
export function pendingNotice(changeId: string, confirmBy: number, verb: string, reverterPid: number | undefined): string {
  const waiter = reverterPid !== undefined ? ` (process ${reverterPid} waits for the deadline, or a running agent)` : '';
  return `${verb} unless confirmed by ${new Date(confirmBy).toISOString()}${waiter}: keep it with "ctscope confirm ${changeId}", undo it now with "ctscope confirm --revert ${changeId}"`;
}

import { userInfo } from 'node:os';
import { resolvePaths } from '@ctscope/sysctl';
import type { Actor } from '@ctscope/protocol';
import { AuditLog } from '../audit';
import { formatWithin } from '../confirm';
import { splitArgs, UsageError, type OwnOption } from './args';
import { cliConfirmations } from './confirm-cli';

export const CONFIRM_USAGE = `usage: ctscope confirm [ID] [--revert ID] [--audit-file FILE]

  ctscope confirm                list the changes that wait for a confirmation, with their deadlines
  ctscope confirm ID             keep the change ID (made with --confirm-within, here or on the dashboard)
  ctscope confirm --revert ID    undo the change ID now instead of at its deadline

Changes made with "ctscope sysctl set ... --confirm-within 2m" or "ctscope rules add ... --confirm-within 2m"
(or on the dashboard with "undo unless confirmed") are undone at their deadline unless confirmed: by the
running agent, or by the process the command left behind when no agent runs; exactly one of them does it.
Everything is recorded in --audit-file (default /var/lib/ctscope/audit.jsonl).
Paths, as for sysctl: --path.procfs DIR --path.sysfs DIR --path.rootfs DIR.`;

const OPTIONS: OwnOption[] = ['revert', 'wait', 'audit-file', 'path.procfs', 'path.sysfs', 'path.rootfs'].map((name) => ({ name, takesValue: true }));
const ID = /^[A-Za-z0-9-]{1,100}$/;

const actor = (): Actor => ({ user: process.env.SUDO_USER ?? userInfo().username, role: 'admin' });
const out = (text: string) => void process.stdout.write(`${text}\n`);

export async function confirmCommand(argv: readonly string[]): Promise<number> {
  const { own, rest } = splitArgs(argv, OPTIONS);
  const value = (name: string) => {
    const v = own.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const unknown = rest.find((w) => w.startsWith('-'));
  if (unknown !== undefined) throw new UsageError(`unknown option "${unknown}" for ctscope confirm`);
  if (rest.length > 1) throw new UsageError('name one change id');
  const [confirmId] = rest;
  const revertId = value('revert');
  const waitId = value('wait');
  if ([confirmId, revertId, waitId].filter((v) => v !== undefined).length > 1) throw new UsageError('confirm one change, or revert one, not both');
  for (const id of [confirmId, revertId, waitId]) if (id !== undefined && !ID.test(id)) throw new UsageError(`"${id}" is not a change id (see "ctscope confirm" for the list)`);
  let paths;
  try {
    paths = resolvePaths({ procfs: value('path.procfs') ?? '/proc', sysfs: value('path.sysfs') ?? '/sys', rootfs: value('path.rootfs') ?? '/' });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^paths\./, '--path.'));
  }
  const audit = await AuditLog.open({ path: value('audit-file') ?? '/var/lib/ctscope/audit.jsonl', via: 'cli' });
  try {
    if (waitId !== undefined) return await waitAndRevert(cliConfirmations(audit, paths, waitId), waitId);
    const confirmations = cliConfirmations(audit, paths);
    if (confirmId !== undefined || revertId !== undefined) {
      const answer = confirmId !== undefined ? await confirmations.confirm(actor(), confirmId) : await confirmations.revertNow(actor(), revertId as string);
      if (!answer.ok) {
        process.stderr.write(`ctscope: ${answer.message}\n`);
        return 1;
      }
      out(answer.data.message);
      return 0;
    }
    await confirmations.scan();
    const state = confirmations.snapshot();
    if (!state || state.pending.length === 0) out('no change waits for a confirmation');
    for (const p of state?.pending ?? []) {
      const left = p.state === 'reverting' ? 'being reverted' : `${Math.ceil(p.remainingMs / 1000)} s left (deadline ${new Date(p.deadline).toISOString()}, within ${formatWithin(p.confirmWithinMs)})`;
      out(`${p.changeId}  ${p.kind}  ${p.summary}  by ${p.user} (${p.via})  ${left}${p.error ? `  last attempt failed: ${p.error}` : ''}`);
    }
    for (const r of state?.recent ?? []) out(`${r.changeId}  ${r.kind}  ${r.summary}  ${r.outcome} at ${new Date(r.at).toISOString()}: ${r.message}`);
    return 0;
  } finally {
    await audit.close();
  }
}

/** The process a `--confirm-within` command leaves behind: reverts that change at its deadline unless it is settled first. */
async function waitAndRevert(confirmations: ReturnType<typeof cliConfirmations>, changeId: string): Promise<number> {
  await confirmations.start();
  try {
    while (confirmations.isOpen(changeId)) await new Promise((resolve) => setTimeout(resolve, 1_000));
    return 0;
  } finally {
    confirmations.stop();
  }
}

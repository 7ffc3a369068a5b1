import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PENDING_CHANGES } from '@ctscope/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit';
import { Claims } from './claims';
import { Confirmations, type Undoers } from './confirmations';
import { confirmState, formatWithin } from './records';

const alice = { user: 'alice', role: 'operator' } as const;
let dir: string;
let audit: AuditLog;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ctscope-confirm-'));
  audit = await AuditLog.open({ path: join(dir, 'audit.jsonl') });
});
afterEach(async () => {
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

/** A sysctl change as SysctlService records it, with a confirmation deadline. */
async function sysctlChange(withinMs: number, name = 'net.netfilter.nf_conntrack_udp_timeout') {
  const entry = await audit.begin({ actor: alice, action: 'sysctl.set', target: [name], details: { changes: [{ name, before: 30, after: 7 }], freeIdle: 0, confirm: { withinMs } } });
  await audit.finish(entry, { result: 'ok', after: { [name]: 7 } });
  return entry.id;
}

function undoers(failures: number): Undoers & { calls: number } {
  const undo = {
    calls: 0,
    sysctl: {
      rollbackChange: () => {
        undo.calls += 1;
        if (undo.calls <= failures) return Promise.resolve({ ok: false as const, code: 'INTERNAL' as const, message: `EACCES writing the value (${undo.calls})` });
        return Promise.resolve({ ok: true as const, data: { applied: [], freed: 0, changeId: 'r' } });
      },
    },
    rules: { remove: () => Promise.resolve({ ok: true as const, data: { removed: 2 } }) },
  };
  return undo;
}

describe('Confirmations', () => {
  it('retries a failing revert, audits each attempt, and shows it as failed after the last', async () => {
    const undo = undoers(10);
    const confirmations = new Confirmations({ audit, claims: new Claims(join(dir, 'claims')), undo, retryMs: 10, pollMs: 50 });
    const id = await sysctlChange(5_000);
    await confirmations.start();
    expect(confirmations.snapshot()?.pending).toMatchObject([{ changeId: id, state: 'pending', summary: 'nf_conntrack_udp_timeout 30 → 7' }]);
    const answer = await confirmations.revertNow(alice, id);
    expect(answer).toMatchObject({ ok: false, code: 'INTERNAL', message: expect.stringMatching(/after 3 attempts: EACCES writing the value \(3\)/) });
    expect(undo.calls).toBe(3);
    const attempts = await audit.tail(10, { action: 'changes.revert' });
    expect(attempts.map((r) => [r.result, (r.details as { attempt: number; final: boolean }).attempt, (r.details as { final: boolean }).final])).toEqual([
      ['error', 3, true],
      ['error', 2, false],
      ['error', 1, false],
    ]);
    expect(confirmations.snapshot()).toMatchObject({ pending: [], recent: [{ changeId: id, outcome: 'revert-failed', message: expect.stringMatching(/could not be undone after 3 attempts .*undo it by hand/) }] });
    confirmations.stop();
  });

  it('refuses a new confirmable change past the limit, and counts only open ones', async () => {
    const confirmations = new Confirmations({ audit, claims: new Claims(join(dir, 'claims')), undo: undoers(0) });
    const ids = [];
    for (let i = 0; i < MAX_PENDING_CHANGES; i++) ids.push(await sysctlChange(60_000));
    expect(await confirmations.room()).toMatchObject({ ok: false, code: 'CONFLICT', message: expect.stringMatching(/16 changes already wait/) });
    expect(await confirmations.confirm(alice, ids[0] as string)).toMatchObject({ ok: true, data: { outcome: 'confirmed' } });
    expect(await confirmations.room()).toEqual({ ok: true, data: null });
    confirmations.stop();
  });

  it('a claim by another process (the CLI reverter) keeps this one from reverting or confirming', async () => {
    const claims = new Claims(join(dir, 'claims'));
    const undo = undoers(0);
    const confirmations = new Confirmations({ audit, claims, undo });
    const id = await sysctlChange(60_000);
    expect(await new Claims(join(dir, 'claims')).take(id, 'revert')).toBe(true);
    expect(await confirmations.confirm(alice, id)).toMatchObject({ ok: false, code: 'CONFLICT', message: 'too late: the change is being reverted' });
    expect(await confirmations.revertNow(alice, id)).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(undo.calls).toBe(0);
    confirmations.stop();
  });
});

describe('Confirmations scans', () => {
  it('a quick scan (after an append) keeps a change open that it does not reach, until it finds it settled', async () => {
    const confirmations = new Confirmations({ audit, claims: new Claims(join(dir, 'claims')), undo: undoers(0), quickScanBytes: 4_096 });
    const id = await sysctlChange(60_000);
    await confirmations.scan();
    // Past the first 64 KiB chunk the reader takes at once.
    for (let i = 0; i < 100; i++) await audit.record({ actor: alice, action: 'conntrack.delete', details: { pad: 'p'.repeat(1_000) }, result: 'ok' });
    await confirmations.scan(true);
    expect(confirmations.isOpen(id)).toBe(true);
    await audit.record({ actor: alice, action: 'changes.confirm', target: id, details: { changeId: id }, result: 'ok' });
    await confirmations.scan(true);
    expect(confirmations.isOpen(id)).toBe(false);
    confirmations.stop();
  });
});

describe('confirmState', () => {
  it('reads rule changes, skips rules that were in place already, and words expiries', async () => {
    const rule = await audit.begin({ actor: alice, action: 'rules.apply', details: { id: 'c05c8baaa668', summary: 'NOTRACK udp 53', confirm: { withinMs: 60_000 } } });
    await audit.finish(rule, { result: 'ok', after: { changed: true, companions: ['aaaaaaaaaaaa'] } });
    const already = await audit.begin({ actor: alice, action: 'rules.apply', details: { id: 'c05c8baaa668', summary: 'NOTRACK udp 53', confirm: { withinMs: 60_000 } } });
    await audit.finish(already, { result: 'ok', after: { changed: false, companions: [] } });
    await audit.record({ actor: { user: 'ctscope-agent', role: 'admin' }, action: 'changes.revert', details: { changeId: rule.id, reason: 'not confirmed within 60 s', attempt: 1, final: false }, result: 'ok' });
    const state = confirmState(await audit.tail(100), Date.now(), 60_000);
    expect(state.open).toEqual([]);
    expect(state.recent).toMatchObject([{ changeId: rule.id, kind: 'rule', outcome: 'reverted', message: 'removed: not confirmed within 60 s', summary: 'NOTRACK udp 53 (rule c05c8baaa668)' }]);
    expect([5_000, 60_000, 120_000, 3_600_000, 90_000].map(formatWithin)).toEqual(['5 s', '60 s', '2 min', '1 h', '90 s']);
  });
});

describe('confirmState and rollbacks', () => {
  it('a change rolled back by hand is settled: no longer pending, listed as rolled back', async () => {
    const entry = await audit.begin({ actor: alice, action: 'sysctl.set', details: { changes: [{ name: 'net.netfilter.nf_conntrack_udp_timeout', before: 30, after: 7 }], confirm: { withinMs: 60_000 } } });
    await audit.finish(entry, { result: 'ok' });
    expect(confirmState(await audit.tail(100), Date.now(), 60_000).open.map((c) => c.changeId)).toEqual([entry.id]);
    await audit.record({ actor: { user: 'bob', role: 'admin' }, action: 'sysctl.set', details: { changes: [{ name: 'net.netfilter.nf_conntrack_udp_timeout', before: 7, after: 30 }], rollbackOf: entry.id }, result: 'ok' });
    const state = confirmState(await audit.tail(100), Date.now(), 60_000);
    expect(state.open).toEqual([]);
    expect(state.recent).toMatchObject([{ changeId: entry.id, outcome: 'reverted', message: 'rolled back by bob' }]);
  });
});

import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../audit';
import { changeToUndo } from './sysctl-undo';

const EST = 'net.netfilter.nf_conntrack_tcp_timeout_established';
let clock = 0;
function set(id: string, before: number, after: number, extra: { rollbackOf?: string; result?: 'ok' | 'error'; readBack?: number } = {}): AuditRecord {
  clock += 1;
  return {
    time: new Date(clock * 1000).toISOString(),
    id,
    actor: { user: 'alice', role: 'admin', via: 'cli' },
    action: 'sysctl.set',
    details: { changes: [{ name: EST, before, after }], freeIdle: 0, ...(extra.rollbackOf ? { rollbackOf: extra.rollbackOf } : {}) },
    after: { [EST]: extra.readBack ?? after },
    result: extra.result ?? 'ok',
  };
}
/** Records as the audit log's tail gives them: newest first. */
const newestFirst = (...records: AuditRecord[]) => records.reverse();

describe('which change a rollback undoes', () => {
  it('the newest change, with the value before it and the value it left', () => {
    expect(changeToUndo(newestFirst(set('a', 432000, 3600), set('b', 3600, 7200, { readBack: 7200 })))).toMatchObject({ id: 'b', user: 'alice', via: 'cli', changes: [{ name: EST, back: 3600, left: 7200 }] });
  });
  it('walks back: a rolled-back change and the rollback itself are skipped', () => {
    const a = set('a', 432000, 3600);
    const b = set('b', 3600, 7200);
    const undoB = set('r1', 7200, 3600, { rollbackOf: 'b' });
    expect(changeToUndo(newestFirst(a, b, undoB))?.id).toBe('a');
    const undoA = set('r2', 3600, 432000, { rollbackOf: 'a' });
    expect(changeToUndo(newestFirst(a, b, undoB, undoA))).toBeNull();
    // A new change after rollbacks is the next one undone.
    expect(changeToUndo(newestFirst(a, b, undoB, undoA, set('c', 432000, 60)))?.id).toBe('c');
  });
  it('ignores failed changes, other actions and records it cannot read', () => {
    const failed = set('f', 3600, 5, { result: 'error' });
    const persist: AuditRecord = { ...set('p', 0, 0), action: 'sysctl.persist', details: { diff: '' } };
    const garbled: AuditRecord = { ...set('g', 0, 0), details: { changes: 'no' } };
    expect(changeToUndo(newestFirst(set('a', 432000, 3600), failed, persist, garbled))?.id).toBe('a');
    expect(changeToUndo([])).toBeNull();
  });
  it('by id: that change if it may be undone, else nothing', () => {
    const a = set('a', 432000, 3600);
    const b = set('b', 3600, 7200);
    const undoB = set('r1', 7200, 3600, { rollbackOf: 'b' });
    expect(changeToUndo(newestFirst(a, b), 'a')).toMatchObject({ id: 'a', changes: [{ name: EST, back: 432000, left: 3600 }] });
    expect(changeToUndo(newestFirst(a, b, undoB), 'b')).toBeNull();
    expect(changeToUndo(newestFirst(a, b, undoB), 'r1')).toBeNull();
    expect(changeToUndo(newestFirst(a, b, set('f', 1, 2, { result: 'error' })), 'f')).toBeNull();
    expect(changeToUndo(newestFirst(a, b), 'missing')).toBeNull();
  });
});

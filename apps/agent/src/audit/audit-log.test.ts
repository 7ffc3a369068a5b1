import { appendFile, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog, AuditLogClosedError } from './audit-log';
import { changeAuditor } from './change-auditor';
import { parseRecordLine, type AuditRecord } from './record';

const alice = { user: 'alice', role: 'operator' } as const;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ctscope-audit-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function lines(path: string): Promise<AuditRecord[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const record = parseRecordLine(l);
      if (!record) throw new Error(`not a record: ${l}`);
      return record;
    });
}

describe('AuditLog', () => {
  it('creates the directory and a 0600 file; begin and finish are on disk once awaited', async () => {
    const path = join(dir, 'nested', 'deeper', 'audit.jsonl');
    const log = await AuditLog.open({ path, now: () => new Date('2026-01-02T03:04:05.000Z') });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested', 'deeper'))).mode & 0o777).toBe(0o700);

    const entry = await log.begin({ actor: alice, action: 'sysctl.set', target: 'net.netfilter.nf_conntrack_max', before: 262144 });
    expect(await lines(path)).toEqual([
      { time: '2026-01-02T03:04:05.000Z', id: entry.id, actor: { ...alice, via: 'dashboard' }, action: 'sysctl.set', target: 'net.netfilter.nf_conntrack_max', before: 262144, result: 'pending' },
    ]);
    const finished = await log.finish(entry, { result: 'ok', after: 524288 });
    const written = await lines(path);
    expect(written).toHaveLength(2);
    expect(written[1]).toEqual(finished);
    expect(finished).toMatchObject({ id: entry.id, result: 'ok', before: 262144, after: 524288, target: 'net.netfilter.nf_conntrack_max', action: 'sysctl.set' });
    await log.close();
  });

  it('fsyncs each append before resolving', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open({ path });
    const handle = (log as unknown as { file: { datasync(): Promise<void> } }).file;
    const sync = vi.spyOn(handle, 'datasync');
    const entry = await log.begin({ actor: alice, action: 'conntrack.flush', details: { confirmCount: 12 } });
    expect(sync).toHaveBeenCalledTimes(1);
    await log.finish(entry, { result: 'error', error: 'EPERM: operation not permitted' });
    expect(sync).toHaveBeenCalledTimes(2);
    expect((await lines(path))[1]).toMatchObject({ result: 'error', error: 'EPERM: operation not permitted', details: { confirmCount: 12 } });
    await log.close();
  });

  it('tightens the mode of an existing file and keeps what it held', async () => {
    const path = join(dir, 'audit.jsonl');
    await writeFile(path, '', { mode: 0o644 });
    const log = await AuditLog.open({ path });
    await log.record({ actor: alice, action: 'rules.apply', result: 'ok' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await log.close();
    const again = await AuditLog.open({ path, via: 'cli' });
    await again.record({ actor: { user: 'root', role: 'admin' }, action: 'rules.remove', result: 'ok' });
    await again.close();
    expect((await lines(path)).map((r) => [r.action, r.actor.via])).toEqual([
      ['rules.apply', 'dashboard'],
      ['rules.remove', 'cli'],
    ]);
  });

  it('keeps concurrent appends whole and in call order', async () => {
    const path = join(dir, 'audit.jsonl');
    let n = 0;
    const log = await AuditLog.open({ path, newId: () => `id-${n++}` });
    const big = 'x'.repeat(10_000);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.record({ actor: alice, action: 'conntrack.delete', details: { i, big }, result: 'ok' })));
    const written = await lines(path);
    expect(written.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, i) => `id-${i}`));
    expect(written.map((r) => (r.details as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await log.close();
  });

  it('rotates by size, keeping N old files, and tail reads across them', async () => {
    const path = join(dir, 'audit.jsonl');
    let n = 0;
    const log = await AuditLog.open({ path, maxBytes: 4_096, keep: 2, newId: () => `id-${String(n++).padStart(3, '0')}` });
    for (let i = 0; i < 60; i++) await log.record({ actor: alice, action: 'conntrack.delete', details: { i, pad: 'p'.repeat(200) }, result: 'ok' });
    for (const file of [path, `${path}.1`, `${path}.2`]) expect((await stat(file)).size).toBeLessThanOrEqual(4_096);
    await expect(stat(`${path}.3`)).rejects.toThrow();
    expect((await stat(`${path}.1`)).mode & 0o777).toBe(0o600);
    const kept = [...(await lines(`${path}.2`)), ...(await lines(`${path}.1`)), ...(await lines(path))];
    // Contiguous and ending with the newest: only the oldest records were dropped.
    const ids = kept.map((r) => Number(r.id.slice(3)));
    expect(ids.at(-1)).toBe(59);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => 60 - ids.length + i));

    const recent = await log.tail(ids.length + 10);
    expect(recent.map((r) => r.id)).toEqual(kept.map((r) => r.id).reverse());
    await log.close();
  });

  it('two writers on one file (agent and CLI) keep every line whole, and follow each other\'s rotation', async () => {
    const path = join(dir, 'audit.jsonl');
    const agent = await AuditLog.open({ path, maxBytes: 8_192, keep: 3 });
    const cli = await AuditLog.open({ path, maxBytes: 8_192, keep: 3, via: 'cli' });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? agent : cli).record({ actor: alice, action: 'conntrack.delete', details: { i, pad: 'q'.repeat(300) }, result: 'ok' })),
    );
    const all = await agent.tail(100);
    expect(all).toHaveLength(40);
    expect(new Set(all.map((r) => (r.details as { i: number }).i)).size).toBe(40);
    expect(all.filter((r) => r.actor.via === 'cli')).toHaveLength(20);
    for (const file of agent.files()) {
      const text = await readFile(file, 'utf8').catch(() => '');
      for (const line of text.split('\n').filter(Boolean)) expect(parseRecordLine(line)).not.toBeNull();
    }
    await Promise.all([agent.close(), cli.close()]);
  });

  it('rotation skips while another writer holds the lock, and breaks a stale lock', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open({ path, maxBytes: 4_096, keep: 2 });
    const big = { actor: alice, action: 'conntrack.delete', details: { pad: 'p'.repeat(3_000) }, result: 'ok' } as const;
    await log.record(big);
    await writeFile(`${path}.lock`, '');
    await log.record(big); // over the limit, but someone else "is rotating": append anyway
    await expect(stat(`${path}.1`)).rejects.toThrow();
    expect(await lines(path)).toHaveLength(2);
    const old = new Date(Date.now() - 120_000);
    await utimes(`${path}.lock`, old, old);
    await log.record(big);
    expect(await lines(`${path}.1`)).toHaveLength(2);
    expect(await lines(path)).toHaveLength(1);
    await expect(stat(`${path}.lock`)).rejects.toThrow();
    await log.close();
  });

  it('keep: 0 discards the old file', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open({ path, maxBytes: 4_096, keep: 0 });
    for (let i = 0; i < 30; i++) await log.record({ actor: alice, action: 'conntrack.delete', details: { pad: 'p'.repeat(300) }, result: 'ok' });
    expect((await stat(path)).size).toBeLessThanOrEqual(4_096);
    await expect(stat(`${path}.1`)).rejects.toThrow();
    await log.close();
  });

  it('reopens the live file when it is moved away behind its back', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open({ path });
    await log.record({ actor: alice, action: 'a.one', result: 'ok' });
    await rm(path);
    await log.record({ actor: alice, action: 'a.two', result: 'ok' });
    expect((await lines(path)).map((r) => r.action)).toEqual(['a.two']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await log.close();
  });

  it('bounds oversized and unserialisable fields', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open({ path });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const record = await log.record({ actor: alice, action: 'rules.apply', details: 'y'.repeat(100_000), before: cyclic, result: 'ok' });
    expect(record.details).toMatchObject({ truncated: true, bytes: 100_002 });
    expect(record.before).toHaveProperty('unserialisable');
    expect((await stat(path)).size).toBeLessThan(2_000);
    await log.close();
  });

  it('refuses to finish twice, and appends after close', async () => {
    const log = await AuditLog.open({ path: join(dir, 'audit.jsonl') });
    const entry = await log.begin({ actor: alice, action: 'conntrack.delete' });
    await log.finish(entry, { result: 'ok' });
    await expect(log.finish(entry, { result: 'ok' })).rejects.toThrow(/already finished/);
    await log.close();
    await expect(log.begin({ actor: alice, action: 'conntrack.delete' })).rejects.toBeInstanceOf(AuditLogClosedError);
  });

  it('rejects when the disk refuses, and later appends still work', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open({ path });
    const handle = (log as unknown as { file: { datasync(): Promise<void> } }).file;
    vi.spyOn(handle, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    await expect(log.record({ actor: alice, action: 'a.failed', result: 'ok' })).rejects.toThrow(/EIO/);
    await log.record({ actor: alice, action: 'a.next', result: 'ok' });
    expect((await lines(path)).map((r) => r.action)).toEqual(['a.next']);
    await log.close();
  });

  it('serves the change services through changeAuditor()', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open({ path });
    const auditor = changeAuditor(log, 'cli');
    const change = await auditor.begin(alice, 'conntrack.delete', { keys: 2 });
    await change.finish('error', { error: 'ENOENT' });
    const [begun, ended] = await lines(path);
    expect(begun).toMatchObject({ result: 'pending', details: { keys: 2 }, actor: { via: 'cli' } });
    expect(ended).toMatchObject({ id: begun?.id, result: 'error', error: 'ENOENT', after: { error: 'ENOENT' } });
    await log.close();
  });
});

describe('AuditLog.tail', () => {
  it('filters, collapses a change to its newest line, and skips corrupt lines', async () => {
    const path = join(dir, 'audit.jsonl');
    let t = Date.parse('2026-03-01T00:00:00Z');
    const log = await AuditLog.open({ path, now: () => new Date((t += 1_000)) });
    const a = await log.begin({ actor: alice, action: 'conntrack.delete' });
    await log.finish(a, { result: 'ok' });
    await appendFile(path, '{"torn": tru\nnot json at all\n{"time":"x","id":"y"}\n\n');
    const b = await log.begin({ actor: { user: 'bob', role: 'admin' }, action: 'sysctl.set' });
    await log.record({ actor: alice, action: 'conntrack.flush', result: 'error', error: 'refused' });
    await appendFile(path, '{"time":"2026-03-01T00:00:09.000Z","id":"torn-last-line"');

    expect((await log.tail(10)).map((r) => [r.action, r.result])).toEqual([
      ['conntrack.flush', 'error'],
      ['sysctl.set', 'pending'],
      ['conntrack.delete', 'ok'],
    ]);
    expect(await log.tail(10, { latestOnly: false })).toHaveLength(4);
    expect((await log.tail(10, { result: 'pending' })).map((r) => r.id)).toEqual([b.id]);
    expect((await log.tail(10, { user: 'alice' })).map((r) => r.action)).toEqual(['conntrack.flush', 'conntrack.delete']);
    expect((await log.tail(10, { actionPrefix: 'conntrack.' })).map((r) => r.action)).toEqual(['conntrack.flush', 'conntrack.delete']);
    expect((await log.tail(10, { action: ['sysctl.set'] })).map((r) => r.id)).toEqual([b.id]);
    expect((await log.tail(10, { id: a.id, latestOnly: false })).map((r) => r.result)).toEqual(['ok', 'pending']);
    const since = Date.parse('2026-03-01T00:00:03Z');
    expect((await log.tail(10, { since })).map((r) => r.action)).toEqual(['conntrack.flush', 'sysctl.set']);
    expect((await log.tail(10, { until: since })).map((r) => r.action)).toEqual(['conntrack.delete']);
    expect(await log.tail(1)).toHaveLength(1);
    expect(await log.tail(0)).toEqual([]);
    // The writer leaves a torn last line on a line of its own before appending.
    await log.record({ actor: alice, action: 'after.torn', result: 'ok' });
    expect((await log.tail(1)).map((r) => r.action)).toEqual(['after.torn']);
    await log.close();
  });
});

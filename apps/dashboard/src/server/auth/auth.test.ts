import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureLocalAgentToken, hostIdFromName } from '../hosts/local-agent-token';
import { SqliteStore } from '../store/sqlite-store';
import { ensureAdmin } from './bootstrap';
import { HashSlots, LoginLimiter } from './login-limiter';
import { verifyPassword } from './passwords';
import { sha256 } from './sessions';

const stores: SqliteStore[] = [];
const memoryStore = () => {
  const store = new SqliteStore(':memory:');
  stores.push(store);
  return store;
};
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe('admin bootstrap', () => {
  it('generates a password once and stores only an argon2id hash', async () => {
    const store = memoryStore();
    const first = await ensureAdmin(store, undefined);
    expect(first.created).toBe(true);
    const password = first.created ? first.generatedPassword : null;
    expect(password).toMatch(/^[A-Za-z2-9]{24}$/);
    const user = await store.findUserByName('admin');
    expect(user?.passwordHash.startsWith('$argon2id$')).toBe(true);
    expect(user?.passwordHash).not.toContain(password ?? '');
    expect(await verifyPassword(user?.passwordHash ?? '', password ?? '')).toBe(true);
    expect(await ensureAdmin(store, undefined)).toEqual({ created: false });
  });

  it('uses CTSCOPE_ADMIN_PASSWORD when given and prints nothing', async () => {
    const store = memoryStore();
    expect(await ensureAdmin(store, 'a configured password')).toEqual({ created: true, username: 'admin', generatedPassword: null });
    expect(await verifyPassword((await store.findUserByName('admin'))?.passwordHash ?? '', 'a configured password')).toBe(true);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });
});

describe('login limiter', () => {
  it('locks a key after the limit and frees it after the window', () => {
    const limiter = new LoginLimiter(3, 1000, 2);
    for (let i = 0; i < 3; i++) limiter.fail('admin|1.2.3.4', 0);
    expect(limiter.retryAfter('admin|1.2.3.4', 100)).toBe(900);
    expect(limiter.retryAfter('admin|5.6.7.8', 100)).toBe(0);
    expect(limiter.retryAfter('admin|1.2.3.4', 1000)).toBe(0);
  });
  it('stays bounded: the oldest unlocked or expired entry makes room, a live lock never does', () => {
    const limiter = new LoginLimiter(2, 1000, 2);
    limiter.fail('a', 0);
    limiter.fail('b', 0);
    limiter.fail('b', 0);
    limiter.fail('c', 0);
    limiter.fail('c', 0);
    // a (one failure) was dropped for c; b stays locked.
    expect(limiter.retryAfter('b', 1)).toBeGreaterThan(0);
    expect(limiter.retryAfter('c', 1)).toBeGreaterThan(0);
    // Both entries are live locks: a new key is not tracked and nothing is unlocked.
    limiter.fail('d', 2);
    limiter.fail('d', 2);
    expect(limiter.retryAfter('d', 3)).toBe(0);
    expect(limiter.retryAfter('b', 3)).toBeGreaterThan(0);
    // Once the window has passed, expired locks make room again.
    limiter.fail('e', 1000);
    limiter.fail('e', 1000);
    expect(limiter.retryAfter('e', 1001)).toBeGreaterThan(0);
  });
  it('keeps a locked key locked through 10 failures and then 10,000 junk usernames', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 10; i++) limiter.fail('admin|1.2.3.4', 0);
    for (let i = 0; i < 10_000; i++) limiter.fail(`junk-${i}|1.2.3.4`, 1 + i);
    expect(limiter.retryAfter('admin|1.2.3.4', 20_000)).toBeGreaterThan(0);
  });
});

describe('hash slots', () => {
  it('runs at most `max` hashes at once and refuses the rest at once, without queueing', async () => {
    const slots = new HashSlots(2);
    const gates: (() => void)[] = [];
    const work = () => new Promise<string>((resolve) => gates.push(() => resolve('done')));
    const first = slots.tryRun(work);
    const second = slots.tryRun(work);
    expect(await slots.tryRun(work)).toBeUndefined();
    for (const open of gates) open();
    expect(await first).toEqual({ value: 'done' });
    expect(await second).toEqual({ value: 'done' });
    // A failed hash frees its slot too.
    await expect(slots.tryRun(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await slots.tryRun(() => Promise.resolve(1))).toEqual({ value: 1 });
  });
});

describe('local agent token', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  it('writes a 0600 token file once and reuses it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctscope-token-'));
    const store = memoryStore();
    const file = join(dir, 'sub', 'agent.token');
    expect(await ensureLocalAgentToken(store, file, 'Gateway-1.example')).toEqual({ hostId: 'gateway-1.example', issued: true });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const token = (await readFile(file, 'utf8')).trim();
    expect((await store.findHostByTokenHash(sha256(token)))?.id).toBe('gateway-1.example');
    expect(await ensureLocalAgentToken(store, file, 'Gateway-1.example')).toEqual({ hostId: 'gateway-1.example', issued: false });
  });
  it('derives host ids the protocol accepts', () => {
    expect(hostIdFromName('My_Host 01')).toBe('my_host-01');
    expect(hostIdFromName('---')).toBe('local');
  });
});

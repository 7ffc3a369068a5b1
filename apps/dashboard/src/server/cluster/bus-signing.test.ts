import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { skipRedisTests } from '@ctscope/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { BusSigner, MAX_SKEW_MS } from './bus-signing';

const SECRET = 'a cluster secret of at least 32 characters';
const CHANNEL = 'ctscope-request#/agents#';

describe('BusSigner', () => {
  it('opens what a server with the same secret sealed, on the same channel, once', () => {
    const sender = new BusSigner(SECRET);
    const receiver = new BusSigner(SECRET);
    const first = sender.seal(CHANNEL, '{"type":6}');
    const second = sender.seal(Buffer.from(CHANNEL), Buffer.from([1, 2, 3]));
    expect(receiver.open(CHANNEL, first)?.toString()).toBe('{"type":6}');
    expect(receiver.open(Buffer.from(CHANNEL), second)).toEqual(Buffer.from([1, 2, 3]));
    expect(receiver.dropped).toEqual({ unsigned: 0, forged: 0, stale: 0, replayed: 0 });
    // The same message again, or an older one after a newer, is a replay.
    expect(receiver.open(CHANNEL, second)).toBeUndefined();
    expect(receiver.open(CHANNEL, first)).toBeUndefined();
    expect(receiver.dropped.replayed).toBe(2);
  });

  it('drops unsigned, tampered, moved, foreign and stale messages, counting each reason', () => {
    let now = 1_000_000;
    const sender = new BusSigner(SECRET, () => now);
    const receiver = new BusSigner(SECRET, () => now);
    expect(receiver.open(CHANNEL, Buffer.from('{"uid":"intruder","type":7}'))).toBeUndefined();
    expect(receiver.open(CHANNEL, Buffer.alloc(0))).toBeUndefined();
    const sealed = sender.seal(CHANNEL, 'payload');
    const tampered = Buffer.from(sealed);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    expect(receiver.open(CHANNEL, tampered)).toBeUndefined();
    expect(receiver.open('ctscope#/agents#', sealed)).toBeUndefined();
    expect(receiver.open(CHANNEL, new BusSigner('another secret, also 32 characters long').seal(CHANNEL, 'payload'))).toBeUndefined();
    const old = sender.seal(CHANNEL, 'old');
    now += MAX_SKEW_MS + 1;
    expect(receiver.open(CHANNEL, old)).toBeUndefined();
    const future = new BusSigner(SECRET, () => now + MAX_SKEW_MS + 1).seal(CHANNEL, 'future');
    expect(receiver.open(CHANNEL, future)).toBeUndefined();
    expect(receiver.dropped).toEqual({ unsigned: 2, forged: 3, stale: 2, replayed: 0 });
    expect(receiver.open(CHANNEL, sender.seal(CHANNEL, 'fresh'))?.toString()).toBe('fresh');
  });
});

describe('cluster configuration', () => {
  it('requires a cluster secret of 32 characters or more with REDIS_URL', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/CTSCOPE_CLUSTER_SECRET is required with REDIS_URL/);
    expect(() => loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:6379', CTSCOPE_CLUSTER_SECRET: 'short' })).toThrow(/at least 32 characters/);
    expect(loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:6379', CTSCOPE_CLUSTER_SECRET: SECRET }).clusterSecret).toBe(SECRET);
    expect(loadConfig({ NODE_ENV: 'test' }).clusterSecret).toBeUndefined();
  });
});

describe.skipIf(skipRedisTests())('npm run cluster', () => {
  it('starts redis-server with a password: a client without it is refused', async () => {
    const script = fileURLToPath(new URL('../../../../../scripts/lib/redis.mjs', import.meta.url));
    const { startRedisServer } = (await import(script)) as { startRedisServer(): Promise<{ url: string; safeUrl: string; stop(): Promise<void> }> };
    const redis = await startRedisServer();
    const clients: Redis[] = [];
    try {
      expect(redis.url).toMatch(/^redis:\/\/:[0-9a-f]{48}@127\.0\.0\.1:\d+$/);
      // A bare connection, as anything else on the machine could open.
      const { port } = new URL(redis.safeUrl);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write('PUBLISH ctscope-request#/agents# x\r\n'));
        socket.once('data', (data) => {
          socket.destroy();
          resolve(data.toString());
        });
        socket.once('error', reject);
      });
      expect(answer).toMatch(/^-NOAUTH/);
      const trusted = new Redis(redis.url, { lazyConnect: true });
      clients.push(trusted);
      await trusted.connect();
      expect(await trusted.publish('ctscope-request#/agents#', '{}')).toBe(0);
    } finally {
      for (const client of clients) client.disconnect();
      await redis.stop();
    }
  });
});

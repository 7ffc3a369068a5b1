import { describe, expect, it } from 'vitest';
import {
  CPU_COUNTER_KEYS,
  ERROR_CODES,
  ErrorCode,
  PROTOCOL_VERSION,
  ackSchema,
  agentHandshakeSchema,
  browserToServerSchemas,
  describeZodError,
  fail,
  hostListSchema,
  loginRequestSchema,
  ok,
  statsSampleSchema,
  sumCpuCounters,
  usagePercent,
  versionMismatchMessage,
  type CpuStatsRow,
} from './index';
import { z } from 'zod';

const cpu = (n: number, over: Partial<Record<(typeof CPU_COUNTER_KEYS)[number], number>> = {}): CpuStatsRow =>
  ({ cpu: n, ...Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, 0])), ...over }) as CpuStatsRow;
const sample = { at: 1_700_000_000_000, count: 10, max: 262144, cpu: [cpu(0), cpu(1, { insert: 3 })], hooksActive: true };

describe('stats sample', () => {
  it('accepts a well-formed sample', () => {
    expect(statsSampleSchema.parse(sample)).toEqual(sample);
  });
  it.each([
    ['negative count', { ...sample, count: -1 }],
    ['fractional max', { ...sample, max: 1.5 }],
    ['missing cpu counter', { ...sample, cpu: [{ cpu: 0, found: 1 }] }],
    ['hooksActive not boolean', { ...sample, hooksActive: 'yes' }],
  ])('rejects %s', (_name, bad) => {
    expect(statsSampleSchema.safeParse(bad).success).toBe(false);
  });
  it('sums per-CPU counters and computes usage', () => {
    expect(sumCpuCounters(sample.cpu).insert).toBe(3);
    expect(usagePercent({ count: 131072, max: 262144 })).toBe(50);
    expect(usagePercent({ count: 5, max: 0 })).toBe(0);
  });
});

describe('handshakes and requests', () => {
  const info = { hostname: 'gw1', agentVersion: '0.1.0', kernel: '6.18.0', source: 'netlink' as const };
  it('requires a plausible agent token', () => {
    expect(agentHandshakeSchema.safeParse({ protocolVersion: PROTOCOL_VERSION, token: 'short', info }).success).toBe(false);
    expect(agentHandshakeSchema.safeParse({ protocolVersion: PROTOCOL_VERSION, token: 'x'.repeat(43), info }).success).toBe(true);
  });
  it('rejects unknown sources', () => {
    expect(agentHandshakeSchema.safeParse({ protocolVersion: 1, token: 'x'.repeat(43), info: { ...info, source: 'proc' } }).success).toBe(false);
  });
  it('hosts:list takes an empty object and nothing else', () => {
    expect(browserToServerSchemas['hosts:list'].safeParse({}).success).toBe(true);
    expect(browserToServerSchemas['hosts:list'].safeParse({ all: true }).success).toBe(false);
  });
  it('login needs both fields', () => {
    const bad = loginRequestSchema.safeParse({ username: 'admin' });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(describeZodError(bad.error)).toMatch(/^password: /);
  });
});

describe('acks', () => {
  const schema = ackSchema(hostListSchema);
  it('round-trips ok and fail', () => {
    expect(schema.parse(ok([]))).toEqual({ ok: true, data: [] });
    expect(schema.parse(fail(ErrorCode.Forbidden, 'no'))).toEqual({ ok: false, code: 'FORBIDDEN', message: 'no' });
  });
  it('rejects codes outside the one list', () => {
    expect(schema.safeParse({ ok: false, code: 'OOPS', message: 'x' }).success).toBe(false);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
  it('rejects data of the wrong shape', () => {
    expect(schema.safeParse({ ok: true, data: [{ id: 'Bad Id!' }] }).success).toBe(false);
  });
});

describe('version mismatch', () => {
  it('names both versions', () => {
    const message = versionMismatchMessage('agent', 99);
    expect(message).toContain(`version ${PROTOCOL_VERSION}`);
    expect(message).toContain('version 99');
  });
  it('describeZodError falls back for empty errors', () => {
    expect(describeZodError(new z.ZodError([]))).toBe('invalid input');
  });
});

import type { Diagnosis, DiagnosisReport } from '@ctscope/protocol';
import { diagnosisReportSchema } from '@ctscope/protocol';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Detector } from './detector';
import { DiagnosisEngine } from './engine';

const diagnosis = (id: string, severity: Diagnosis['severity'] = 'warning', fact = '1'): Diagnosis => ({
  name: 'invalid-drops',
  id,
  title: `t ${id}`,
  severity,
  since: 0,
  meaning: 'm',
  evidence: { facts: [{ label: 'rate', value: fact }], query: null, examples: [] },
  fixes: [],
});

function harness(detectors: Detector[], refreshMs = 30_000, detectorTimeoutMs = 20_000) {
  let now = 1_000;
  const sent: DiagnosisReport[] = [];
  const engine = new DiagnosisEngine({ detectors, send: (r) => sent.push(r), logger: pino({ level: 'silent' }), refreshMs, detectorTimeoutMs, now: () => now });
  return { engine, sent, advance: (ms: number) => (now += ms) };
}

describe('diagnosis engine', () => {
  it('sends the union when it changes, not when only facts change, and again after the refresh time', async () => {
    let a: Diagnosis[] = [diagnosis('a')];
    const b: Diagnosis[] = [diagnosis('b', 'info')];
    const { engine, sent, advance } = harness([
      { name: 'invalid-drops', evaluate: () => a },
      { name: 'table-filled-by-state', evaluate: () => Promise.resolve(b) },
    ]);
    await engine.tick();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.active.map((d) => d.id)).toEqual(['a', 'b']);
    expect(diagnosisReportSchema.parse(sent[0])).toEqual(sent[0]);
    advance(5_000);
    a = [diagnosis('a', 'warning', '2')];
    await engine.tick();
    expect(sent).toHaveLength(1);
    advance(5_000);
    a = [diagnosis('a', 'critical')];
    await engine.tick();
    expect(sent).toHaveLength(2);
    expect(sent[1]?.active[0]?.severity).toBe('critical');
    advance(30_000);
    await engine.tick();
    expect(sent).toHaveLength(3);
    a = [];
    advance(1_000);
    await engine.tick();
    expect(sent[3]?.active.map((d) => d.id)).toEqual(['b']);
    expect(engine.active.map((d) => d.id)).toEqual(['b']);
  });

  it('never runs two passes at once, and a failing detector does not hide the others', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const slow: Detector = {
      name: 'udp-black-hole',
      evaluate: () => {
        calls++;
        return new Promise<Diagnosis[]>((resolve) => (release = () => resolve([diagnosis('slow')])));
      },
    };
    const failing: Detector = {
      name: 'settings-set-back',
      evaluate: () => {
        throw new Error('boom');
      },
    };
    const { engine, sent } = harness([slow, failing]);
    const first = engine.tick();
    const second = engine.tick();
    expect(calls).toBe(1);
    release();
    await Promise.all([first, second]);
    expect(sent.map((r) => r.active.map((d) => d.id))).toEqual([['slow']]);
  });

  it('a detector that does not answer is left out after the timeout and not called again until it ends; the others go on', async () => {
    let calls = 0;
    let release: (d: Diagnosis[]) => void = () => undefined;
    const hanging: Detector = {
      name: 'udp-black-hole',
      evaluate: () => {
        calls++;
        return new Promise<Diagnosis[]>((resolve) => (release = resolve));
      },
    };
    const quick: Detector = { name: 'invalid-drops', evaluate: () => [diagnosis('quick')] };
    const { engine, sent } = harness([hanging, quick], 30_000, 50);
    await engine.tick();
    expect(sent.map((r) => r.active.map((d) => d.id))).toEqual([['quick']]);
    await engine.tick();
    expect(calls).toBe(1);
    release([diagnosis('late')]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await engine.tick();
    expect(calls).toBe(2);
  });
});

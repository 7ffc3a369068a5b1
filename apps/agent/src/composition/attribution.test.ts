import type { Composition } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../alerts';
import { entry, tableOf } from '../query/testing/entries';
import { growthAttribution } from './attribution';
import { CompositionRing } from './ring';
import { summarise } from './summarise';

const steady = Array.from({ length: 30 }, (_, i) => entry({ id: i + 1, src: '10.0.0.1', dst: '10.0.9.9', sport: 2_000 + i, dport: 443 }));
const flood = (n: number) => Array.from({ length: n }, (_, i) => entry({ id: 1_000 + i, src: '10.6.6.6', dst: '10.0.0.53', sport: 10_000 + i, dport: 53, proto: 'udp', assured: false }));
const pod = (entries: number) => () => [{ netns: '4026532999', name: 'dns-flooder', source: 'pod' as const, entries }];

/** Summaries of a steady table, then of one flooded from one source to one port. */
function ringOf(at: (i: number) => number): CompositionRing {
  const ring = new CompositionRing(4);
  ring.push(summarise(tableOf(steady), pod(0), at(0)));
  ring.push(summarise(tableOf(steady), pod(0), at(1)));
  ring.push(summarise(tableOf([...steady, ...flood(400)]), pod(400), at(2)));
  return ring;
}

describe('growth attribution', () => {
  it('names the keys and the namespace that grew, over the part of the window the ring covers', () => {
    const text = growthAttribution(ringOf((i) => i * 60_000));
    expect(text).toBe('growing over the last 2 min: dport udp/53 +400, src 10.6.6.6 +400, dst 10.0.0.53 +400; namespaces: pod dns-flooder +400');
  });

  it('uses the last five minutes only, and nothing when nothing grew or a single summary is kept', () => {
    // The steady summaries are 10 min old: the flood's summary alone is in the window.
    expect(growthAttribution(ringOf((i) => (i < 2 ? i * 1_000 : 600_000)))).toBeNull();
    const ring = new CompositionRing();
    ring.push(summarise(tableOf(steady), pod(0), 0));
    expect(growthAttribution(ring)).toBeNull();
    ring.push(summarise(tableOf(steady), pod(0), 10_000));
    expect(growthAttribution(ring)).toBeNull();
  });

  it('keeps at most its capacity, oldest out first', () => {
    const ring = new CompositionRing(2);
    for (const at of [1, 2, 3]) ring.push({ at } as Composition);
    expect(ring.since(0).map((c) => c.at)).toEqual([2, 3]);
    expect(ring.at(2)?.at).toBe(2);
    expect(ring.at(1)).toBeUndefined();
  });

  it('the usage alert carries it in its message', () => {
    const engine = new AlertEngine();
    const ring = ringOf((i) => i * 10_000);
    const sample = { at: 0, count: 960, max: 1_000, cpu: [], hooksActive: true };
    const { raised } = engine.evaluate({ now: 1, sample, overruns: 0, tableFullLines: 0, growth: () => growthAttribution(ring) });
    expect(raised[0]?.message).toMatch(/^Table 96 % full \(960 of 1,000; growing over the last 20 s: dport udp\/53 \+400, .*namespaces: pod dns-flooder \+400\)\. Raise/);
  });
});

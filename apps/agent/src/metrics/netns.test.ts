import { describe, expect, it } from 'vitest';
import { Exposition } from './exposition';
import { NETNS_SERIES, renderNetnsMetrics } from './netns';
import { parseExposition, valueOf } from './testing/parse-exposition';

describe('ctscope_netns_* series', () => {
  it('exports only the top 20 namespaces by entries, with the count, truncation and the pass cost', () => {
    // Most entries first, as the counter keeps them; the busiest has a name that needs escaping.
    const byNetns = Array.from({ length: 30 }, (_, i) => ({ netns: String(4026532100 + i), name: i === 0 ? 'pod "a"\\b' : `ns${i}`, entries: 1000 - i * 10 }));
    const out = new Exposition();
    renderNetnsMetrics(out, { byNetns, seen: 31, truncated: true, cpuMs: 12.5 });
    const families = parseExposition(out.text());
    const entries = families.get('ctscope_netns_entries');
    expect(entries?.type).toBe('gauge');
    expect(entries?.samples).toHaveLength(NETNS_SERIES);
    expect(entries?.samples.map((s) => s.labels)).toEqual(byNetns.slice(0, NETNS_SERIES).map(({ netns, name }) => ({ netns, name })));
    expect(valueOf(families, 'ctscope_netns_entries', { netns: '4026532100', name: 'pod "a"\\b' })).toBe(1000);
    expect(valueOf(families, 'ctscope_netns_entries', { netns: '4026532120', name: 'ns20' })).toBeUndefined();
    expect(valueOf(families, 'ctscope_netns_count')).toBe(31);
    expect(valueOf(families, 'ctscope_netns_truncated')).toBe(1);
    expect(valueOf(families, 'ctscope_netns_pass_cpu_seconds')).toBe(0.0125);
  });
});

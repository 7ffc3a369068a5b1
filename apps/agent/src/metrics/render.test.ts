import { readFile } from 'node:fs/promises';
import { DIAGNOSIS_NAMES } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { entry } from '../query/testing/entries';
import { renderMetrics, type MetricsSnapshot } from './render';
import { tally } from './tally';
import { parseExposition, valueOf } from './testing/parse-exposition';
import { SNAPSHOT } from './testing/snapshot';

describe('/metrics rendering', () => {
  const text = renderMetrics(SNAPSHOT);
  const families = parseExposition(text);

  it('matches the golden exposition byte for byte', async () => {
    expect(text).toBe(await readFile(new URL('./testing/golden.prom', import.meta.url), 'utf8'));
  });

  it("uses node_exporter's names, types and help, summed over CPUs", () => {
    expect(valueOf(families, 'node_nf_conntrack_entries')).toBe(5);
    expect(valueOf(families, 'node_nf_conntrack_entries_limit')).toBe(262_144);
    const stats = { found: 15, invalid: 3, insert: 8, insert_failed: 5, drop: 1, early_drop: 6, search_restart: 4 };
    for (const [key, value] of Object.entries(stats)) {
      expect(valueOf(families, `node_nf_conntrack_stat_${key}`), key).toBe(value);
      expect(families.get(`node_nf_conntrack_stat_${key}`)?.type).toBe('gauge');
    }
    expect(families.get('node_nf_conntrack_stat_insert_failed')?.help).toBe('Number of entries for which list insertion was attempted but failed.');
    expect(valueOf(families, 'ctscope_stat_clash_resolve')).toBe(1);
  });

  it('adds ctscope_* series with labels that survive escaping', () => {
    expect(valueOf(families, 'ctscope_entries_by_state', { protocol: 'tcp', state: 'ESTABLISHED' })).toBe(2);
    expect(valueOf(families, 'ctscope_entries_by_protocol', { protocol: '132' })).toBe(1);
    expect(valueOf(families, 'ctscope_events_total', { type: 'DESTROY' })).toBe(2);
    expect(families.get('ctscope_events_total')?.type).toBe('counter');
    expect(valueOf(families, 'ctscope_event_overruns_total')).toBe(4);
    expect(valueOf(families, 'ctscope_events_lost_total')).toBe(1_234);
    expect(families.get('ctscope_events_lost_total')?.type).toBe('counter');
    expect(valueOf(families, 'ctscope_mirror_resyncs_total')).toBe(2);
    expect(valueOf(families, 'ctscope_mirror_last_resync_timestamp_seconds', { reason: 'overrun' })).toBe(1_700_000_000);
    expect(valueOf(families, 'ctscope_mirror_eventless_entries')).toBe(3);
    expect(valueOf(families, 'ctscope_alerts_active', { name: 'drop-rising', severity: 'critical' })).toBe(1);
    expect(valueOf(families, 'ctscope_kernel_table_full_total')).toBe(1);
    expect(valueOf(families, 'ctscope_agent_info', { version: '0.1.0', kernel: '6.18.44 "x"\\y\nz', source: 'netlink' })).toBe(1);
    expect(valueOf(families, 'ctscope_last_sample_timestamp_seconds')).toBe(1_700_000_000.5);
  });

  it('without a sample yet: no kernel series, the mirror and agent series still valid', () => {
    const empty: MetricsSnapshot = { ...SNAPSHOT, sample: null, alerts: [], byProtocol: new Map(), byState: new Map(), mirror: { ...SNAPSHOT.mirror, lastResync: null } };
    const { kernelTableFullLines: _omit, ...withoutKmsg } = empty;
    const parsed = parseExposition(renderMetrics(withoutKmsg));
    expect(parsed.has('node_nf_conntrack_entries')).toBe(false);
    expect(parsed.has('ctscope_kernel_table_full_total')).toBe(false);
    expect(parsed.has('ctscope_mirror_last_resync_timestamp_seconds')).toBe(false);
    expect(parsed.get('ctscope_alerts_active')?.samples).toEqual([]);
    expect(valueOf(parsed, 'ctscope_mirror_entries')).toBe(5);
  });

  it('exports ctscope_diagnosis_active for every diagnosis name: 1 for the active ones, 0 for the others', () => {
    const parsed = parseExposition(renderMetrics({ ...SNAPSHOT, diagnoses: [{ name: 'udp-black-hole' }, { name: 'udp-black-hole' }, { name: 'invalid-drops' }] }));
    expect(parsed.get('ctscope_diagnosis_active')?.type).toBe('gauge');
    expect(parsed.get('ctscope_diagnosis_active')?.samples).toHaveLength(DIAGNOSIS_NAMES.length);
    for (const name of DIAGNOSIS_NAMES) expect(valueOf(parsed, 'ctscope_diagnosis_active', { name }), name).toBe(name === 'udp-black-hole' || name === 'invalid-drops' ? 1 : 0);
    expect(families.has('ctscope_diagnosis_active')).toBe(false);
  });

  it('counts a real mirror by protocol and state', () => {
    const counted = tally([
      entry({ src: '10.0.0.1', dst: '10.0.0.2', id: 1, state: 'ESTABLISHED' }),
      entry({ src: '10.0.0.1', dst: '10.0.0.3', id: 2, state: 'TIME_WAIT' }),
      entry({ src: '10.0.0.1', dst: '10.0.0.4', id: 3, proto: 'udp' }),
    ]);
    expect(Object.fromEntries(counted.byProtocol)).toEqual({ tcp: 2, udp: 1 });
    expect(Object.fromEntries(counted.byState)).toEqual({ 'tcp ESTABLISHED': 1, 'tcp TIME_WAIT': 1 });
  });
});

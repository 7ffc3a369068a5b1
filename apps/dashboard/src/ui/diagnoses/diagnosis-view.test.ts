import type { Diagnosis, DiagnosisFix } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { badgeText, connectionsHref, diagnosesHref, formatLasting, mayPreview, ruleDeadlineMs, sortDiagnoses, sysctlChangesOf } from './diagnosis-view';

const d = (name: Diagnosis['name'], severity: Diagnosis['severity'], since: number): Diagnosis => ({
  name,
  id: `${name}:${since}`,
  title: name,
  severity,
  since,
  meaning: '',
  evidence: { facts: [], query: null, examples: [] },
  fixes: [],
});

describe('diagnoses on the page', () => {
  it('lists the worst first, then what has lasted longest', () => {
    const sorted = sortDiagnoses([d('invalid-drops', 'warning', 50), d('udp-black-hole', 'critical', 100), d('settings-set-back', 'info', 10), d('table-filled-by-state', 'warning', 20)]);
    expect(sorted.map((x) => x.name)).toEqual(['udp-black-hole', 'table-filled-by-state', 'invalid-drops', 'settings-set-back']);
  });

  it('links the evidence to the connections page with the filter, as Growth does, and the badge to the panel', () => {
    expect(connectionsHref('gw-1', 'udp dst:10.0.0.5 dport:53 unreplied')).toBe('/connections?host=gw-1&q=udp%20dst%3A10.0.0.5%20dport%3A53%20unreplied');
    expect(diagnosesHref('gw 1')).toBe('/hosts/gw%201#diagnoses');
  });

  it('turns a sysctl fix into the tuning page’s changes and a rule fix’s expiry into a confirmation deadline', () => {
    const sysctl: Extract<DiagnosisFix, { kind: 'sysctl' }> = { kind: 'sysctl', label: 'x', changes: { 'net.netfilter.nf_conntrack_tcp_be_liberal': 1, 'net.netfilter.nf_conntrack_acct': 1 } };
    expect(sysctlChangesOf(sysctl)).toEqual([
      { name: 'net.netfilter.nf_conntrack_tcp_be_liberal', value: 1 },
      { name: 'net.netfilter.nf_conntrack_acct', value: 1 },
    ]);
    expect(ruleDeadlineMs({ kind: 'rule', label: 'log', spec: { kind: 'log-invalid' }, expiresInSeconds: 60 })).toBe(60_000);
    expect(ruleDeadlineMs({ kind: 'rule', label: 'notrack', spec: { kind: 'notrack' } })).toBeUndefined();
  });

  it('lets viewers preview what changes nothing: tuning and rule previews, not the delete dry run (the dashboard refuses it to them)', () => {
    const del: DiagnosisFix = { kind: 'delete', label: 'x', query: 'udp', count: 3 };
    const rule: DiagnosisFix = { kind: 'rule', label: 'x', spec: {} };
    const advice: DiagnosisFix = { kind: 'advice', label: 'x', text: 'y' };
    expect([mayPreview(del, false), mayPreview(del, true)]).toEqual([false, true]);
    expect([mayPreview(rule, false), mayPreview(rule, true)]).toEqual([true, true]);
    expect(mayPreview(advice, true)).toBe(false);
  });

  it('says the count, the worst severity and the kinds in words', () => {
    expect(badgeText({ hostId: 'h', count: 2, worst: 'critical', names: ['udp-black-hole', 'invalid-drops'] })).toEqual({
      label: '2 diagnoses, worst critical',
      title: '2 diagnoses: UDP black hole, INVALID drops',
    });
    expect(badgeText({ hostId: 'h', count: 1, worst: 'info', names: ['settings-set-back'] }).title).toBe('1 diagnosis: Settings that will be set back');
  });

  it('says how long a condition has lasted', () => {
    expect(formatLasting(1_000, 43_000)).toBe('for 42 s');
    expect(formatLasting(0, 180_000)).toBe('for 3 min');
    expect(formatLasting(0, 5 * 3_600_000)).toBe('for 5 h');
    expect(formatLasting(5_000, 0)).toBe('for 0 s');
  });
});

import type { Diagnosis, DiagnosisCount, DiagnosisReport } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { countOf, DiagnosisBoard, toDashboardClock } from './diagnosis-board';

const d = (name: Diagnosis['name'], severity: Diagnosis['severity'], since = 0): Diagnosis => ({
  name,
  id: `${name}:${severity}`,
  title: name,
  severity,
  since,
  meaning: '',
  evidence: { facts: [], query: null, examples: [] },
  fixes: [],
});
const report = (...active: Diagnosis[]): DiagnosisReport => ({ at: 1_000, active });

describe('diagnosis board', () => {
  it('counts a host’s diagnoses with the worst severity and the kinds, worst kind first', () => {
    expect(countOf('h', report(d('settings-set-back', 'info'), d('invalid-drops', 'warning'), d('udp-black-hole', 'critical'), d('udp-black-hole', 'warning')))).toEqual({
      hostId: 'h',
      count: 4,
      worst: 'critical',
      names: ['udp-black-hole', 'invalid-drops', 'settings-set-back'],
    });
    expect(countOf('h', null)).toEqual({ hostId: 'h', count: 0, worst: null, names: [] });
  });

  it('moves a report onto the dashboard’s clock, never before the epoch', () => {
    expect(toDashboardClock({ at: 10_000, active: [d('invalid-drops', 'warning', 4_000), d('udp-black-hole', 'critical', 0)] }, 5_000).active.map((x) => x.since)).toEqual([0, 0]);
    const moved = toDashboardClock({ at: 10_000, active: [d('invalid-drops', 'warning', 4_000)] }, 70_000);
    expect(moved.at).toBe(70_000);
    expect(moved.active[0]?.since).toBe(64_000);
  });

  it('tells listeners of every report but of a count only when it changed, passes local reports to peers, and forgets a host once', () => {
    const board = new DiagnosisBoard();
    const reported: (string | null)[] = [];
    const counted: DiagnosisCount[] = [];
    const peers: string[] = [];
    board.subscribe({ reported: (_h, r) => reported.push(r ? r.active.map((x) => x.name).join() : null), counted: (c) => counted.push(c) });
    board.usePeers({ reported: (hostId, connectionId) => peers.push(`${hostId}/${connectionId}`) });
    board.reported('h', 'c1', report(d('invalid-drops', 'warning')));
    board.reported('h', 'c1', report(d('invalid-drops', 'warning')));
    board.remoteReported('r', 'c9', report());
    expect(reported).toEqual(['invalid-drops', 'invalid-drops', '']);
    expect(counted.map((c) => `${c.hostId}:${c.count}`)).toEqual(['h:1']);
    expect(peers).toEqual(['h/c1', 'h/c1']);
    expect(board.localReports().map((x) => x.hostId)).toEqual(['h']);
    expect(board.counts().map((c) => c.hostId).sort()).toEqual(['h', 'r']);
    board.cleared('h');
    board.cleared('h');
    expect(reported.slice(3)).toEqual([null]);
    expect(counted.slice(1)).toEqual([{ hostId: 'h', count: 0, worst: null, names: [] }]);
    expect(board.latest('h')).toBeNull();
  });

  it('holds at most 100,000 hosts (the hosts table bounds them; this is a backstop)', () => {
    const board = new DiagnosisBoard();
    for (let i = 0; i < 100_001; i++) board.remoteReported(`h${i}`, 'c', report());
    expect(board.counts()).toHaveLength(100_000);
    expect(board.latest('h100000')).toBeNull();
    board.remoteReported('h0', 'c', report(d('invalid-drops', 'warning')));
    expect(board.latest('h0')?.active).toHaveLength(1);
  });
});

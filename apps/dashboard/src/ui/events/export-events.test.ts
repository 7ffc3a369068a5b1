import { wireFlowSchema } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../export/parse-csv.testing';
import type { EventItem } from './event-buffer';
import { toCsv, toJsonLines } from './export-events';

const flow = wireFlowSchema.parse({
  key: '5|udp|::1|5353|ff02::fb|5353|0',
  family: 'ipv6',
  proto: 'udp',
  protoNum: 17,
  orig: { src: '::1', dst: 'ff02::fb', sport: 5353, dport: 5353 },
  reply: { src: 'ff02::fb', dst: '::1', sport: 5353, dport: 5353 },
  status: ['SEEN_REPLY', 'CONFIRMED'],
  timeout: 30,
  id: 5,
});
// Newest first, as the page keeps them.
const items: EventItem[] = [
  { kind: 'event', seq: 3, type: 'DESTROY', at: Date.UTC(2026, 10, 25, 8, 0, 3), flow },
  { kind: 'dropped', seq: 2, at: Date.UTC(2026, 10, 25, 8, 0, 2), count: 41 },
  { kind: 'event', seq: 1, type: 'NEW', at: Date.UTC(2026, 10, 25, 8, 0, 1), flow },
];

describe('event export', () => {
  it('CSV: oldest first, IPv6 unquoted, status joined, a DROPPED row with its count', () => {
    const rows = parseCsv(toCsv(items));
    const header = rows[0] ?? [];
    const col = (row: string[] | undefined, name: string) => row?.[header.indexOf(name)];
    expect(rows).toHaveLength(4);
    expect(col(rows[1], 'type')).toBe('NEW');
    expect(col(rows[1], 'src')).toBe('::1');
    expect(col(rows[1], 'dst')).toBe('ff02::fb');
    expect(col(rows[1], 'status')).toBe('SEEN_REPLY|CONFIRMED');
    expect(col(rows[1], 'at')).toBe('2026-11-25T08:00:01.000Z');
    expect(col(rows[2], 'type')).toBe('DROPPED');
    expect(col(rows[2], 'dropped')).toBe('41');
    expect(col(rows[2], 'src')).toBe('');
    expect(col(rows[3], 'type')).toBe('DESTROY');
    expect(rows.every((r) => r.length === header.length)).toBe(true);
  });

  it('CSV: neutralises an address field a spreadsheet would run as a formula', () => {
    const evil = wireFlowSchema.parse({ ...flow, orig: { ...flow.orig, src: '+cmd|"/c calc"!A1', dst: '\t=1' } });
    const rows = parseCsv(toCsv([{ kind: 'event', seq: 9, type: 'NEW', at: 0, flow: evil }]));
    const header = rows[0] ?? [];
    expect(rows[1]?.[header.indexOf('src')]).toBe(`'+cmd|"/c calc"!A1`);
    expect(rows[1]?.[header.indexOf('dst')]).toBe("'\t=1");
  });

  it('JSON lines: one object a line, oldest first, the whole flow kept', () => {
    const lines = toJsonLines(items).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { at: '2026-11-25T08:00:01.000Z', type: 'NEW', flow },
      { at: '2026-11-25T08:00:02.000Z', dropped: 41 },
      { at: '2026-11-25T08:00:03.000Z', type: 'DESTROY', flow },
    ]);
  });
});

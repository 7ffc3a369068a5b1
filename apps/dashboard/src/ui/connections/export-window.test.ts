import { wireFlowSchema, windowResultSchema, type WireFlow } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../export/parse-csv.testing';
import { exportableColumns, windowToCsv, windowToJson } from './export-window';

// Shaped like the agent's wire rows (parsed with the wire schema, as the page does).
const tcp6: WireFlow = wireFlowSchema.parse({
  key: '77|tcp|2001:db8::1|40000|2001:db8::2|443|0',
  family: 'ipv6',
  proto: 'tcp',
  protoNum: 6,
  orig: { src: '2001:db8::1', dst: '2001:db8::2', sport: 40000, dport: 443 },
  reply: { src: '2001:db8::2', dst: '2001:db8::1', sport: 443, dport: 40000 },
  status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'],
  state: 'ESTABLISHED',
  timeout: 431999,
  mark: 7,
  id: 77,
  packetsOrig: 10,
  bytesOrig: 1000,
  packetsReply: 5,
  bytesReply: 5000,
  startMs: 1_000_000,
});
const icmp: WireFlow = wireFlowSchema.parse({
  key: '78|icmp|10.0.0.1|10.0.0.2|0',
  family: 'ipv4',
  proto: 'icmp',
  protoNum: 1,
  orig: { src: '10.0.0.1', dst: '10.0.0.2', icmpType: 8, icmpCode: 0, icmpId: 1234 },
  reply: { src: '10.0.0.2', dst: '10.0.0.1', icmpType: 0, icmpCode: 0, icmpId: 1234 },
  status: [],
  timeout: 29,
  nat: { src: { from: '10.0.0.1', to: '192.0.2.1' } },
});

describe('windowToCsv', () => {
  it('writes the visible columns in table order, raw numbers, IPv6 whole', () => {
    const csv = windowToCsv([tcp6, icmp], ['select', 'proto', 'src', 'sport', 'dst', 'dport', 'state', 'timeout', 'packets', 'bytes', 'age'], 1_010_400);
    expect(parseCsv(csv)).toEqual([
      ['proto', 'src', 'sport', 'dst', 'dport', 'state', 'timeout', 'packets', 'bytes', 'age'],
      ['tcp', '2001:db8::1', '40000', '2001:db8::2', '443', 'ESTABLISHED', '431999', '15', '6000', '10'],
      ['icmp', '10.0.0.1', '8/0', '10.0.0.2', 'id 1234', '', '29', '', '', ''],
    ]);
  });

  it('quotes cells that need it (bracketed reply endpoints, NAT text with arrows stay readable)', () => {
    const csv = windowToCsv([tcp6, icmp], ['replySrc', 'status', 'nat', 'mark', 'id']);
    const rows = parseCsv(csv);
    expect(rows[1]).toEqual(['[2001:db8::2]:443', 'SEEN_REPLY ASSURED', '', '7', '77']);
    expect(rows[2]).toEqual(['10.0.0.2', '', 'SNAT 10.0.0.1 → 192.0.2.1', '', '']);
  });

  it('neutralises an address field a spreadsheet would run as a formula (addresses are agent-supplied text)', () => {
    const evil = wireFlowSchema.parse({ ...tcp6, orig: { ...tcp6.orig, src: '=HYPERLINK("http://evil.example")', dst: '@SUM(1+1)' }, reply: { ...tcp6.reply, src: '-1+1' } });
    const rows = parseCsv(windowToCsv([evil], ['src', 'dst', 'replySrc']));
    expect(rows[1]).toEqual(['\'=HYPERLINK("http://evil.example")', "'@SUM(1+1)", "'-1+1:443"]);
  });

  it('drops ids it does not know, such as the selection box', () => {
    expect(exportableColumns(['select', 'src', 'nonsense', 'dport'])).toEqual(['src', 'dport']);
  });
});

describe('windowToJson', () => {
  it('says what the window is of and keeps every decoded field of every row', () => {
    const result = windowResultSchema.parse({ total: 1234, size: 5000, offset: 100, rows: [tcp6, icmp], at: 1, tookMs: 0.5 });
    const text = windowToJson(result, { hostId: 'web-1', spec: { query: 'tcp dport:443', sort: { column: 'src', desc: false } }, exportedAt: new Date('2026-11-25T08:00:00Z') });
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed).toMatchObject({ host: 'web-1', exportedAt: '2026-11-25T08:00:00.000Z', query: 'tcp dport:443', sort: { column: 'src', desc: false }, matching: 1234, tracked: 5000, offset: 100 });
    expect(parsed.rows).toEqual([tcp6, icmp]);
  });
});

import { describe, expect, it } from 'vitest';
import { csvCell, csvDocument } from './csv';
import { exportFileName } from './file-name';
import { parseCsv } from './parse-csv.testing';

describe('csvCell', () => {
  it('leaves plain values alone and writes nothing for missing ones', () => {
    expect(csvCell('tcp')).toBe('tcp');
    expect(csvCell(443)).toBe('443');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(null)).toBe('');
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
  });

  it('neutralises text a spreadsheet would run as a formula, and leaves numbers alone', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvCell('+1+cmd|x')).toBe("'+1+cmd|x");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('10.0.0.1')).toBe('10.0.0.1');
  });

  it('keeps IPv6 addresses whole (colons need no quoting) and quotes bracketed endpoints only if needed', () => {
    expect(csvCell('2001:db8::1')).toBe('2001:db8::1');
    expect(csvCell('[::1]:443')).toBe('[::1]:443');
    expect(csvCell('fe80::1%eth0,x')).toBe('"fe80::1%eth0,x"');
  });
});

describe('csvDocument', () => {
  it('reads back to exactly the cells written', () => {
    const header = ['src', 'note', 'n'];
    const rows = [
      ['2001:db8::1', 'comma, inside', 1],
      ['10.0.0.1', 'quote " inside', 2],
      ['::ffff:10.0.0.2', 'line\nbreak', undefined],
    ];
    const text = csvDocument(header, rows);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseCsv(text)).toEqual([header, ['2001:db8::1', 'comma, inside', '1'], ['10.0.0.1', 'quote " inside', '2'], ['::ffff:10.0.0.2', 'line\nbreak', '']]);
  });

  it('writes only the header for no rows', () => {
    expect(csvDocument(['a', 'b'], [])).toBe('a,b\n');
  });
});

describe('exportFileName', () => {
  const at = new Date('2026-11-25T08:30:05.123Z');
  it('names the host and the UTC time without characters file systems refuse', () => {
    expect(exportFileName('connections', 'web-1', 'csv', at)).toBe('ctscope-connections-web-1-2026-11-25T08-30-05Z.csv');
    expect(exportFileName('events', 'a/b:c d', 'jsonl', at)).toBe('ctscope-events-a_b_c_d-2026-11-25T08-30-05Z.jsonl');
    expect(exportFileName('events', null, 'csv', at)).toBe('ctscope-events-host-2026-11-25T08-30-05Z.csv');
  });
});

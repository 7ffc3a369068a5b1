import { describe, expect, it } from 'vitest';
import { loadNfEvents } from '../ctnetlink/native';
import { BatchReader, parseBatch, type BatchOptions } from './batch';
import { CompatError } from './parse';

/**
 * A batch read three ways: with the addon's reader of repeated lines, with the byte path in JavaScript
 * alone, and through the string parsers: its steps and message bytes, or its exit code and message.
 * The first two are checked equal here; callers compare them with the strings.
 */
function both(text: string) {
  const read = (options: BatchOptions) => {
    try {
      const batch = parseBatch(text, options);
      return { steps: batch.steps, messages: batch.messages.toString('hex') };
    } catch (err) {
      if (err instanceof CompatError) return [err.exitCode, err.message];
      throw err;
    }
  };
  const bytes = read({ native: true });
  expect(read({ native: false }), text).toEqual(bytes);
  return { bytes, strings: read({ byteFastPath: false }) };
}

/** Lines the addon encoded when the whole batch is read. */
function nativeLines(text: string): number {
  const reader = new BatchReader(text);
  reader.read(Infinity);
  return reader.nativeLines;
}

/** Deterministic pseudo-random numbers (a batch that differs between runs would hide a failure). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;

/** `-I`/`-A` lines: most of them ones the byte path takes, the rest with spellings and options it leaves. */
function lines(seed: number, count: number): string[] {
  const r = random(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    // A plain line takes the first `good` choices of each list only.
    const plain = r() < 0.75;
    const choose = (good: number, list: readonly string[]) => pick(r, plain ? list.slice(0, good) : list);
    const ip = () => choose(3, [`10.${i & 255}.${(i >> 8) & 255}.${Math.floor(r() * 256)}`, '255.255.255.255', '001.02.3.4', '1.2.3', '1.2.3.256', '::1', '1.2.3.4/24']);
    const proto = choose(2, ['tcp', 'udp', '', 'sctp', 'icmp', 'TCP', '6']);
    // conntrack requires -p, both ports, -t and (tcp) --state of a create: a plain line has them all.
    const maybe = (p: number) => plain || r() < p;
    const options: string[][] = [
      ['-s', ip()],
      ['-d', ip()],
      ...(proto ? [['-p', proto]] : []),
      ...(proto && maybe(0.9) ? [['--sport', choose(4, [String(1024 + i), '0', '65535', '99999', '0x10', '123456'])]] : []),
      ...(proto && maybe(0.8) ? [['--dport', choose(3, ['443', '53', '007', '-1'])]] : []),
      ...(proto === 'tcp' && maybe(0.7) ? [['--state', choose(6, ['ESTABLISHED', 'LISTEN', 'TIME_WAIT', 'CLOSE', 'SYN_SENT', 'NONE', 'BOGUS', 'COOKIE_WAIT'])]] : []),
      ...(maybe(0.8) ? [['-t', choose(4, ['600', '0', '999999999', '0600', '1234567890', '-5'])]] : []),
      ...(r() < 0.7 ? [['-u', choose(4, ['SEEN_REPLY', 'SEEN_REPLY,ASSURED', 'ASSURED', 'UNSET', 'SRC_NAT', 'BOGUS', '"SEEN_REPLY"'])]] : []),
      ...(!plain && r() < 0.1 ? [['-m', '7']] : []),
      ...(!plain && r() < 0.1 ? [['-r', ip()]] : []),
      ...(!plain && r() < 0.1 ? [['-s', ip()]] : []),
    ];
    // Options in any order, now and then (a port before -p is left to the string path).
    if (r() < 0.3) options.sort(() => r() - 0.5);
    const parts = [choose(2, ['-I', '-A', '--create', '-D'])];
    for (const [option, value] of options) parts.push(option as string, value as string);
    const sep = choose(2, [' ', '  ', '\t']);
    out.push(choose(2, ['', ' ', '\t']) + parts.join(sep) + choose(3, ['', '\r', ' ']));
  }
  return out;
}

describe('the byte path of batch creates', () => {
  it('has the addon (built by the setup) with its reader of repeated lines', () => {
    expect(typeof loadNfEvents().encodeRepeats).toBe('function');
  });

  it("refuses a spec whose places lie outside the template or overlap the messages it writes", () => {
    const { encodeRepeats } = loadNfEvents();
    const text = Buffer.from('-I -s 1.2.3.4 -d 5.6.7.8 -t 5\n');
    // Slots as fast-encode.ts's R: one kind (-s), a 40-byte template at 0, messages written from 40.
    const spec = (change: Record<number, number>) => {
      const s = new Int32Array(32);
      Object.assign(s, { 1: 40, 2: 1, 3: 73, 4: 1, 5: 1, 13: 0, 14: 40, 15: 8, 16: 12, 17: 16, 18: 20, 31: 0 }, change);
      return s;
    };
    const arena = Buffer.alloc(4096);
    // Its reference line holds more options than the spec: the addon reads none of the batch.
    expect(encodeRepeats?.(text, spec({}), arena)).toBe(-1);
    expect(() => encodeRepeats?.(text, spec({ 15: 38 }), arena)).toThrow(RangeError);
    expect(() => encodeRepeats?.(text, spec({ 1: 20 }), arena)).toThrow(RangeError);
    expect(() => encodeRepeats?.(text, spec({ 31: 999 }), arena)).toThrow(RangeError);
  });

  it('encodes the benchmark batch into the very bytes the string parsers give', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `-I -s 10.0.${(i >> 8) & 255}.${i & 255} -d 10.200.0.1 -p tcp --sport ${1024 + i} --dport 443 --state ESTABLISHED -u SEEN_REPLY -t 600`).join('\n');
    const { bytes, strings } = both(`${text}\n`);
    expect(Array.isArray(bytes)).toBe(false);
    expect(bytes).toEqual(strings);
    // All but the first line of the shape took the byte path.
    const reader = new BatchReader(`${text}\n`);
    reader.read(Infinity);
    expect(reader.byteLines).toBe(1999);
    // The first line of the shape goes through the string path, the second through JavaScript's byte path; the addon reads the rest.
    expect(reader.nativeLines).toBe(1998);
  });

  it('reads every line of mixed batches as the string parsers do, bytes and refusals alike', () => {
    let refused = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const text = `${lines(seed, 4).join('\n')}\n`;
      const { bytes, strings } = both(text);
      if (Array.isArray(strings)) refused++;
      expect(bytes, text).toEqual(strings);
    }
    // Both outcomes are exercised.
    expect(refused).toBeGreaterThan(10);
    expect(refused).toBeLessThan(290);
  });

  it('reads the accepted lines of mixed batches line by line as the string parsers do', () => {
    let compared = 0;
    let byteLines = 0;
    for (let seed = 1000; seed < 1100; seed++) {
      for (const line of lines(seed, 60)) {
        const text = `# a comment\n\n \r\n${line}\n${line.replace(/10\.\d+\./, '10.99.')}\n`;
        const { bytes, strings } = both(text);
        expect(bytes, line).toEqual(strings);
        compared++;
        if (Array.isArray(bytes)) continue;
        const reader = new BatchReader(text);
        reader.read(Infinity);
        byteLines += reader.byteLines;
      }
    }
    expect(compared).toBe(6000);
    // The byte path took a good share of them (each batch's second line, when of a shape it takes).
    expect(byteLines).toBeGreaterThan(300);
  });

  it("copies each shape's first message for its later lines with their own values", () => {
    // Lines the string parsers accept one by one, in one batch: most shapes recur many times.
    const accepted = lines(7, 3000).filter((line) => !Array.isArray(both(`${line}\n`).strings));
    const text = `${accepted.join('\n')}\n`;
    const { bytes, strings } = both(text);
    expect(Array.isArray(strings)).toBe(false);
    expect(bytes).toEqual(strings);
    const reader = new BatchReader(text);
    reader.read(Infinity);
    expect(accepted.length).toBeGreaterThan(1500);
    expect(reader.byteLines).toBeGreaterThan(accepted.length * 0.6);
    // Lines repeating their predecessor's options in the same order are rarer here, and the addon read them.
    expect(reader.nativeLines).toBeGreaterThan(20);
  });

  it('reads repeated lines with other addresses, ports and timeouts, and stops at any other difference', () => {
    const r = random(99);
    const line = (i: number, { state = 'ESTABLISHED', status = 'SEEN_REPLY', letter = 'I', sep = ' ' } = {}) =>
      [`-${letter}`, '-s', `10.${i & 255}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`, '-d', `192.168.${Math.floor(r() * 256)}.1`, '-p', 'tcp', '--sport', String(Math.floor(r() * 70_000)), '--dport', String(Math.floor(r() * 65_536)), '--state', state, '-u', status, '-t', String(Math.floor(r() * 1e9))].join(sep);
    const variants = [
      (i: number) => line(i),
      (i: number) => line(i, { state: 'TIME_WAIT' }),
      (i: number) => line(i, { status: 'ASSURED' }),
      (i: number) => line(i, { letter: 'A' }),
      (i: number) => line(i, { sep: ' \t ' }),
      (i: number) => `  ${line(i)} \r`,
      (i: number) => line(i).replace('-s 10.', '-s 300.'),
      (i: number) => line(i).replace('--sport ', '--sport 1234567'),
      (i: number) => line(i).replace(' -t ', ' -t 9'),
      () => '# a comment',
      () => '',
    ];
    for (let seed = 0; seed < 40; seed++) {
      const rows: string[] = [];
      for (let i = 0; i < 200; i++) rows.push((i % 7 === 3 || seed % 5 === 0 ? (pick(r, variants) as (i: number) => string) : (variants[0] as (i: number) => string))(i));
      // With and without a newline after the last line.
      const text = rows.join('\n') + (seed % 2 ? '\n' : '');
      const { bytes, strings } = both(text);
      expect(bytes, text).toEqual(strings);
    }
    const plain = Array.from({ length: 500 }, (_, i) => line(i)).join('\n');
    expect(nativeLines(plain)).toBe(498);
  });

  it('leaves non-ASCII bytes, quotes and other commands to the string path with its messages', () => {
    for (const text of [
      '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state ESTABLISHED -t 5\n-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state ÉSTABLISHED -t 5\n',
      '\uFEFF-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state ESTABLISHED -t 5\n',
      '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state ESTABLISHED -t 5\n-I -s "1.1.1.2" -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state ESTABLISHED -t 5\n',
      '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state ESTABLISHED -t 5\n-D -s 1.1.1.1\n-L\n',
      '-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state ESTABLISHED -t 5\n-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state ESTABLISHED -t 5 -t 6\n',
    ]) {
      const { bytes, strings } = both(text);
      expect(bytes, text).toEqual(strings);
    }
  });
});

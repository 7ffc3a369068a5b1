import { describe, expect, it } from 'vitest';
import { BatchReader, parseBatch } from './batch';
import { CompatError } from './parse';

/** A batch read with and without the byte path: its steps and message bytes, or its exit code and message. */
function both(text: string) {
  const read = (byteFastPath: boolean) => {
    try {
      const batch = parseBatch(text, { byteFastPath });
      return { steps: batch.steps, messages: batch.messages.toString('hex') };
    } catch (err) {
      if (err instanceof CompatError) return [err.exitCode, err.message];
      throw err;
    }
  };
  return { bytes: read(true), strings: read(false) };
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
  it('encodes the benchmark batch into the very bytes the string parsers give', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `-I -s 10.0.${(i >> 8) & 255}.${i & 255} -d 10.200.0.1 -p tcp --sport ${1024 + i} --dport 443 --state ESTABLISHED -u SEEN_REPLY -t 600`).join('\n');
    const { bytes, strings } = both(`${text}\n`);
    expect(Array.isArray(bytes)).toBe(false);
    expect(bytes).toEqual(strings);
    // All but the first line of the shape took the byte path.
    const reader = new BatchReader(`${text}\n`);
    reader.read(Infinity);
    expect(reader.byteLines).toBe(1999);
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

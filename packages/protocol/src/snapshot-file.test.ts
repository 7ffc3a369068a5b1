import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SnapshotFlow, SnapshotSections } from './snapshot';
import { DEFAULT_SNAPSHOT_LIMITS, readSnapshot, SnapshotWriter, type SnapshotLimits } from './snapshot-file';

const SECTIONS: SnapshotSections = {
  meta: { host: 'gw-1', agentVersion: '0.1.0', kernel: '6.1.0', via: 'cli', filter: 'tcp dport:443', notes: ['no stats history: no running agent'] },
  sysctls: [],
  stats: { current: null, history: [{ at: 1, count: 3, max: 100, totals: { found: 0, invalid: 0, insert: 0, insert_failed: 2, drop: 0, early_drop: 0, error: 0, search_restart: 0, clash_resolve: 0, chaintoolong: 0 } }] },
  composition: [{ at: 1, top: [{ key: '10.0.0.1', count: 3 }] }],
  rules: { backend: 'nft', groups: [] },
  ruleset_lines: [{ source: 'nft', line: 'ct state established,related accept' }],
  kmsg: [{ seq: 7, usec: 123, message: 'nf_conntrack: nf_conntrack: table full, dropping packet' }],
  alerts: [{ id: 'usage', name: 'table usage', severity: 'critical', since: 5, message: 'table 96 % full' }],
};

function flow(i: number): SnapshotFlow {
  return {
    family: 'ipv4',
    proto: 'tcp',
    protoNum: 6,
    orig: { src: '10.0.0.1', dst: `10.1.${i >> 8}.${i & 255}`, sport: 40_000 + (i % 20_000), dport: 443 },
    reply: { src: `10.1.${i >> 8}.${i & 255}`, dst: '10.0.0.1', sport: 443, dport: 40_000 + (i % 20_000) },
    status: ['SEEN_REPLY', 'ASSURED'],
    state: 'ESTABLISHED',
    timeout: 431_999,
    id: 1_000_000 + i,
  };
}

async function write(flows: number, createdAt = 1_700_000_000_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const writer = new SnapshotWriter((c) => chunks.push(c), createdAt);
  for (const name of Object.keys(SECTIONS) as Array<keyof SnapshotSections>) writer.section(name, SECTIONS[name] as never);
  for (let i = 0; i < flows; i++) writer.flow(flow(i));
  await writer.end();
  return Buffer.concat(chunks);
}

async function read(file: Buffer, limits?: Partial<SnapshotLimits>) {
  const flows: SnapshotFlow[] = [];
  const contents = await readSnapshot(Readable.from([file]), (f) => flows.push(f), { ...DEFAULT_SNAPSHOT_LIMITS, ...limits });
  return { ...contents, list: flows };
}

/** A gzip file of the given NDJSON lines, as another writer (or an attacker) would make it. */
const gz = (...lines: string[]) => gzipSync(`${lines.join('\n')}\n`);
const HEADER = JSON.stringify({ format: 'ctscope-snapshot', version: 1, createdAt: 1 });
const sectionLines = () => Object.entries(SECTIONS).map(([section, data]) => JSON.stringify({ section, data }));

describe('snapshot file', () => {
  it('reads back exactly what was written: header, every section, every flow in order', async () => {
    const file = await write(30_000);
    expect(file.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const back = await read(file);
    expect(back.header).toEqual({ format: 'ctscope-snapshot', version: 1, createdAt: 1_700_000_000_000 });
    expect(back.sections).toEqual(SECTIONS);
    expect(back.flows).toBe(30_000);
    expect(back.list).toEqual(Array.from({ length: 30_000 }, (_, i) => flow(i)));
  });

  it('several gzip members (one per MiB of lines) still read as one file', async () => {
    const file = await write(10_000); // ~2 MiB of lines
    let members = 0;
    for (let i = 0; i + 2 < file.length; i++) if (file[i] === 0x1f && file[i + 1] === 0x8b && file[i + 2] === 8) members++;
    expect(members).toBeGreaterThan(1);
    expect((await read(file)).flows).toBe(10_000);
  });

  it('refuses another major version, saying which and what to do', async () => {
    const v2 = gz(JSON.stringify({ format: 'ctscope-snapshot', version: 2, createdAt: 1 }), ...sectionLines(), '{"end":true,"flows":0}');
    await expect(read(v2)).rejects.toThrow('snapshot format version 2: this ctscope reads version 1 only; open it with a newer ctscope');
  });

  it('refuses what is not a snapshot: not gzip, another gzip file, a header line without end', async () => {
    await expect(read(Buffer.from('{"format":"ctscope-snapshot"}\n'))).rejects.toThrow(/not a gzip file/);
    await expect(read(gz('hello world'))).rejects.toThrow('not a ctscope snapshot');
    await expect(read(gzipSync(Buffer.alloc(100_000, 0x61)))).rejects.toThrow('not a ctscope snapshot');
  });

  it('refuses a file cut short: a missing section, no end line, a truncated gzip stream', async () => {
    await expect(read(gz(HEADER, ...sectionLines().slice(0, 3)))).rejects.toThrow('section "composition" is missing');
    await expect(read(gz(HEADER, ...sectionLines(), JSON.stringify(flow(1))))).rejects.toThrow('no end line after 1 flows');
    const file = await write(2_000);
    await expect(read(file.subarray(0, file.length - 100))).rejects.toThrow(/cut short|damaged/);
    await expect(read(gz(HEADER, ...sectionLines(), JSON.stringify(flow(1)), '{"end":true,"flows":2}'))).rejects.toThrow('counts 2 flows but 1 were read');
  });

  it('validates every line with the schema, naming the line and field', async () => {
    const bad = { ...flow(1), orig: { ...flow(1).orig, dport: 70_000 } };
    await expect(read(gz(HEADER, ...sectionLines(), JSON.stringify(bad), '{"end":true,"flows":1}'))).rejects.toThrow(/^line 10, flow: orig\.dport: /);
    const badMeta = JSON.stringify({ section: 'meta', data: { ...SECTIONS.meta, via: 'shell' } });
    await expect(read(gz(HEADER, badMeta, ...sectionLines().slice(1), '{"end":true,"flows":0}'))).rejects.toThrow(/^line 2, section meta: via: /);
    const swapped = sectionLines();
    [swapped[0], swapped[1]] = [swapped[1] as string, swapped[0] as string];
    await expect(read(gz(HEADER, ...swapped, '{"end":true,"flows":0}'))).rejects.toThrow('line 2: expected section "meta"');
  });

  it('a gzip bomb is refused at the decompressed limit without inflating it all', async () => {
    // 64 MiB of newline-free digits break the line limit; 64 MiB of valid flow lines (together under
    // 1 MiB compressed) and break the decompressed limit: neither is held in memory.
    const lineBomb = Buffer.concat([gz(HEADER, ...sectionLines()), gzipSync(Buffer.alloc(64 << 20, 0x30))]);
    const line = `${JSON.stringify(flow(1))}\n`;
    const valid = Buffer.concat([gz(HEADER, ...sectionLines()), gzipSync(line.repeat(Math.ceil((64 << 20) / line.length)))]);
    expect(lineBomb.length + valid.length).toBeLessThan(1 << 20);
    const before = process.memoryUsage().rss;
    await expect(read(lineBomb)).rejects.toThrow(/^line 10: longer than 16384 bytes: refused$/);
    await expect(read(valid, { decompressedBytes: 16 << 20 })).rejects.toThrow(/^the snapshot decompresses to more than 16 MiB: refused$/);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 << 20);
  }, 30_000);

  it('the decompressed limit holds for valid lines too, and the compressed limit for the upload', async () => {
    const file = await write(20_000);
    await expect(read(file, { decompressedBytes: 1 << 20 })).rejects.toThrow('the snapshot decompresses to more than 1 MiB: refused');
    await expect(read(file, { compressedBytes: 1_000 })).rejects.toThrow('the snapshot is larger than 1000 bytes: refused');
    await expect(read(file, { flows: 100 })).rejects.toThrow('more than 100 flows: refused');
  });

  it('the writer keeps the order that the reader requires, and reports a failing sink', async () => {
    const writer = new SnapshotWriter(() => undefined);
    expect(() => writer.flow(flow(1))).toThrow('every section goes before the flows');
    expect(() => writer.section('sysctls', [])).toThrow('section "sysctls" out of order (expected "meta")');
    await expect(writer.end()).rejects.toThrow('section "meta" was never written');
    const broken = new SnapshotWriter(() => {
      throw new Error('EPIPE');
    });
    for (const name of Object.keys(SECTIONS) as Array<keyof SnapshotSections>) broken.section(name, SECTIONS[name] as never);
    await expect(broken.end()).rejects.toThrow('EPIPE');
  });
});

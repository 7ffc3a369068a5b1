import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';
import { createGunzip, gzip, gzipSync } from 'node:zlib';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_SECTIONS,
  SNAPSHOT_VERSION,
  snapshotEndSchema,
  snapshotFlowSchema,
  snapshotHeaderSchema,
  snapshotSectionSchemas,
  type SnapshotFlow,
  type SnapshotHeader,
  type SnapshotSectionName,
  type SnapshotSections,
} from './snapshot';

/**
 * Node-only reading and writing of snapshot files (imported as `@ctscope/protocol/snapshot-file`, never
 * by browser code). Both stream: the writer compresses every MiB of lines as its own gzip member (a
 * file of concatenated members is one gzip file to gunzip and zcat), the reader validates line by line,
 * so neither ever holds the table.
 */

const MEMBER_BYTES = 1 << 20;
/** Members compressed on libuv's threads at once (beside the thread that reads the table); more wait their turn on this one. */
const MEMBERS_IN_FLIGHT = 4;
const gzipAsync = promisify(gzip);

export class SnapshotWriter {
  private pending = '';
  private next = 0;
  private flows = 0;
  private ended = false;
  private inFlight = 0;
  private written: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  /**
   * `sink` receives the gzip members in order (write them synchronously, or queue them). Members are
   * compressed on libuv's threads while the caller goes on reading the table, at most
   * MEMBERS_IN_FLIGHT at once; past that a member is compressed at once on the caller's thread, so
   * memory stays bounded whatever the speeds.
   */
  constructor(
    private readonly sink: (chunk: Buffer) => void,
    createdAt = Date.now(),
  ) {
    const header: SnapshotHeader = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, createdAt };
    this.line(JSON.stringify(header));
  }

  /** Sections go in SNAPSHOT_SECTIONS order, each once, before any flow. */
  section<K extends SnapshotSectionName>(name: K, data: SnapshotSections[K]): void {
    if (SNAPSHOT_SECTIONS[this.next] !== name) throw new Error(`snapshot writer: section "${name}" out of order (expected "${SNAPSHOT_SECTIONS[this.next] ?? 'flows'}")`);
    this.next++;
    this.line(JSON.stringify({ section: name, data }));
  }

  flow(flow: SnapshotFlow): void {
    if (this.next < SNAPSHOT_SECTIONS.length) throw new Error('snapshot writer: every section goes before the flows');
    this.flows++;
    this.line(JSON.stringify(flow));
  }

  get flowCount(): number {
    return this.flows;
  }

  /** Writes the end line (with the flow count) and the last member; resolves when the sink has every member. */
  async end(): Promise<void> {
    if (!this.ended) {
      if (this.next < SNAPSHOT_SECTIONS.length) throw new Error(`snapshot writer: section "${SNAPSHOT_SECTIONS[this.next]}" was never written`);
      this.ended = true;
      this.line(JSON.stringify({ end: true, flows: this.flows }));
      this.flush();
    }
    await this.written;
    if (this.failure !== null) throw this.failure;
  }

  private line(text: string): void {
    if (this.ended && !text.startsWith('{"end"')) throw new Error('snapshot writer: already ended');
    this.pending += `${text}\n`;
    if (this.pending.length >= MEMBER_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const data = this.pending;
    this.pending = '';
    let member: Promise<Buffer>;
    if (this.inFlight < MEMBERS_IN_FLIGHT) {
      this.inFlight++;
      member = gzipAsync(data).finally(() => this.inFlight--);
    } else member = Promise.resolve(gzipSync(data));
    this.written = this.written
      .then(async () => {
        const bytes = await member;
        if (this.failure === null) this.sink(bytes);
      })
      .catch((err: unknown) => {
        this.failure ??= err;
      });
  }
}

export interface SnapshotLimits {
  /** Bytes of the gzip file. */
  compressedBytes: number;
  /** Bytes after gunzip: the guard against a gzip bomb. */
  decompressedBytes: number;
  /** Longest section line (stats history, sysctls, composition...). */
  sectionLineBytes: number;
  /** Longest flow line. */
  flowLineBytes: number;
  flows: number;
}

const MiB = 1 << 20;
/** Sized for 4,000,000 entries (about 90 bytes each compressed, 400 decompressed). */
export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = {
  compressedBytes: 512 * MiB,
  decompressedBytes: 2048 * MiB,
  sectionLineBytes: 32 * MiB,
  flowLineBytes: 16 * 1024,
  flows: 4_000_000,
};

/** A file that is not a snapshot this version reads, or breaks a limit; the message says what to do. */
export class SnapshotFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFileError';
  }
}

export interface SnapshotContents {
  header: SnapshotHeader;
  sections: SnapshotSections;
  flows: number;
}

const HEADER_BYTES = 4_096;
const mib = (n: number) => (n >= MiB ? `${Math.round((n / MiB) * 10) / 10} MiB` : `${n} bytes`);

function parseJson(line: string, where: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new SnapshotFileError(`${where}: not JSON; the file is damaged`);
  }
}

function checkHeader(line: string): SnapshotHeader {
  let value: unknown;
  try {
    value = JSON.parse(line) as unknown;
  } catch {
    value = null;
  }
  const loose = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (loose.format !== SNAPSHOT_FORMAT) throw new SnapshotFileError('not a ctscope snapshot: its first line is not a ctscope-snapshot header');
  if (loose.version !== SNAPSHOT_VERSION) {
    const v = typeof loose.version === 'number' ? loose.version : String(loose.version);
    throw new SnapshotFileError(`snapshot format version ${v}: this ctscope reads version ${SNAPSHOT_VERSION} only${typeof v === 'number' && v > SNAPSHOT_VERSION ? '; open it with a newer ctscope' : ''}`);
  }
  const parsed = snapshotHeaderSchema.safeParse(value);
  if (!parsed.success) throw new SnapshotFileError(`header: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Validation messages name the line and the field, never echo the file's content. */
function issue(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const first = error.issues[0];
  return first ? `${first.path.map(String).join('.') || 'value'}: ${first.message}` : 'invalid';
}

/**
 * Reads a snapshot from a gzip stream: header, sections (returned), flows (each handed to `onFlow` as it
 * is read), end line. Refuses, with a SnapshotFileError, anything that is not gzip, not this format's
 * version, damaged, cut short, or past a limit; memory is bounded by the longest allowed line.
 */
export async function readSnapshot(input: Readable, onFlow: (flow: SnapshotFlow) => void, limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS): Promise<SnapshotContents> {
  let compressed = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      compressed += chunk.length;
      if (compressed > limits.compressedBytes) callback(new SnapshotFileError(`the snapshot is larger than ${mib(limits.compressedBytes)}: refused`));
      else callback(null, chunk);
    },
  });
  const gunzip = createGunzip();
  let failed: unknown = null;
  const piping = pipeline(input, counter, gunzip).catch((err: unknown) => {
    failed ??= err;
  });

  let decompressed = 0;
  let lineNo = 0;
  let header: SnapshotHeader | null = null;
  const sections: Partial<Record<SnapshotSectionName, unknown>> = {};
  let flows = 0;
  let end: { flows: number } | null = null;
  let pending = '';
  const decoder = new StringDecoder('utf8');

  const handle = (line: string) => {
    lineNo++;
    if (header === null) {
      header = checkHeader(line);
      return;
    }
    if (end !== null) throw new SnapshotFileError(`line ${lineNo}: data after the end line; the file is damaged`);
    const sectionIndex = lineNo - 2;
    const expected = SNAPSHOT_SECTIONS[sectionIndex];
    if (expected !== undefined) {
      const value = parseJson(line, `line ${lineNo} (section ${expected})`);
      const name = typeof value === 'object' && value !== null && 'section' in value ? value.section : undefined;
      if (name !== expected) throw new SnapshotFileError(`line ${lineNo}: expected section "${expected}"; the file is damaged or not from this format version`);
      const parsed = snapshotSectionSchemas[expected].safeParse((value as { data?: unknown }).data);
      if (!parsed.success) throw new SnapshotFileError(`line ${lineNo}, section ${expected}: ${issue(parsed.error)}`);
      sections[expected] = parsed.data;
      return;
    }
    if (line.startsWith('{"end"')) {
      const parsed = snapshotEndSchema.safeParse(parseJson(line, `line ${lineNo} (end)`));
      if (!parsed.success) throw new SnapshotFileError(`line ${lineNo}, end: ${issue(parsed.error)}`);
      if (parsed.data.flows !== flows) throw new SnapshotFileError(`the end line counts ${parsed.data.flows} flows but ${flows} were read; the file is damaged`);
      end = parsed.data;
      return;
    }
    if (line.length > limits.flowLineBytes) throw new SnapshotFileError(`line ${lineNo}: a flow line longer than ${limits.flowLineBytes} bytes; the file is damaged`);
    if (++flows > limits.flows) throw new SnapshotFileError(`more than ${limits.flows} flows: refused`);
    const parsed = snapshotFlowSchema.safeParse(parseJson(line, `line ${lineNo} (flow)`));
    if (!parsed.success) throw new SnapshotFileError(`line ${lineNo}, flow: ${issue(parsed.error)}`);
    onFlow(parsed.data);
  };

  const tooLong = () =>
    header === null ? new SnapshotFileError('not a ctscope snapshot: its first line is not a ctscope-snapshot header') : new SnapshotFileError(`line ${lineNo + 1}: longer than ${lineLimit()} bytes: refused`);
  const lineLimit = () => (header === null ? HEADER_BYTES : lineNo - 1 < SNAPSHOT_SECTIONS.length ? limits.sectionLineBytes : limits.flowLineBytes);

  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      decompressed += chunk.length;
      if (decompressed > limits.decompressedBytes) throw new SnapshotFileError(`the snapshot decompresses to more than ${mib(limits.decompressedBytes)}: refused`);
      // Newlines are looked for in the new text only, and a long line is joined only when it ends:
      // a line that never ends costs one pass over its bytes, not one per chunk.
      const text = decoder.write(chunk);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const line = pending.length > 0 ? pending + text.slice(start, nl) : text.slice(start, nl);
        pending = '';
        if (line.length > lineLimit()) throw tooLong();
        handle(line);
        start = nl + 1;
      }
      pending += start === 0 ? text : text.slice(start);
      if (pending.length > lineLimit()) throw tooLong();
    }
  } catch (err) {
    gunzip.destroy();
    await piping;
    throw toFileError(err);
  }
  await piping;
  if (failed !== null) throw toFileError(failed);
  pending += decoder.end();
  if (pending.length > 0) throw new SnapshotFileError('the file is cut short (its last line is incomplete): it was not written completely');
  if (header === null) throw new SnapshotFileError('not a ctscope snapshot: the file is empty');
  const missing = SNAPSHOT_SECTIONS.find((name) => !(name in sections));
  if (missing !== undefined) throw new SnapshotFileError(`the file is cut short (section "${missing}" is missing): it was not written completely`);
  if (end === null) throw new SnapshotFileError(`the file is cut short (no end line after ${flows} flows): it was not written completely`);
  return { header, sections: sections as SnapshotSections, flows };
}

function toFileError(err: unknown): SnapshotFileError {
  if (err instanceof SnapshotFileError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return new SnapshotFileError('not a gzip file, or a damaged one: a ctscope snapshot is gzip-compressed');
  if (code === 'ERR_STREAM_PREMATURE_CLOSE') return new SnapshotFileError('the upload ended before the file did');
  return new SnapshotFileError(`the snapshot could not be read (${code ?? 'error'})`);
}

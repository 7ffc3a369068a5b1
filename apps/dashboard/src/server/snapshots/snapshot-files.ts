import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { storedSnapshotSchema, type SnapshotFlow, type StoredSnapshot } from '@ctscope/protocol';
import { DEFAULT_SNAPSHOT_LIMITS, readSnapshot, SnapshotFileError, type SnapshotContents, type SnapshotLimits } from '@ctscope/protocol/snapshot-file';

export interface SnapshotFilesOptions {
  /** Largest upload, in bytes (the gzip file). */
  maxBytes: number;
  /** Snapshots kept at once; an upload past that is refused until one is deleted. */
  keep: number;
}

/** The store is full: the message says what to do. */
export class SnapshotsFullError extends Error {}

const ID = /^[0-9a-f]{12}$/;

/**
 * Uploaded snapshot files in `<data>/snapshots`: `<id>.ctsnap.gz` and its `<id>.json` (who uploaded it,
 * what it holds). An upload streams to a temporary file (size-capped), is read through once with every
 * limit of the format (a gzip bomb or a damaged file is refused and removed), and only then appears.
 */
export class SnapshotFiles {
  private uploads = 0;

  constructor(
    private readonly dir: string,
    private readonly options: SnapshotFilesOptions,
  ) {}

  private limits(): SnapshotLimits {
    return { ...DEFAULT_SNAPSHOT_LIMITS, compressedBytes: this.options.maxBytes };
  }

  async list(): Promise<StoredSnapshot[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: StoredSnapshot[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const text = await readFile(join(this.dir, name), 'utf8').catch(() => 'null');
      let value: unknown = null;
      try {
        value = JSON.parse(text) as unknown;
      } catch {
        continue; // a half-written index (the server stopped mid-upload) is skipped
      }
      const parsed = storedSnapshotSchema.safeParse(value);
      if (parsed.success) out.push(parsed.data);
    }
    return out.sort((a, b) => b.uploadedAt - a.uploadedAt);
  }

  async find(id: string): Promise<StoredSnapshot | undefined> {
    if (!ID.test(id)) return undefined;
    return (await this.list()).find((s) => s.id === id);
  }

  /** Stores an upload; throws SnapshotFileError (not a valid snapshot) or SnapshotsFullError. */
  async save(body: Readable, name: string, uploadedBy: string): Promise<StoredSnapshot> {
    // Uploads in progress count against the limit too, so parallel ones cannot overshoot it.
    if ((await this.list()).length + this.uploads >= this.options.keep) throw new SnapshotsFullError(`${this.options.keep} snapshots are stored already: delete one first`);
    this.uploads++;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const id = randomBytes(6).toString('hex');
    const temp = join(this.dir, `${id}.upload`);
    try {
      const bytes = await receive(body, temp, this.options.maxBytes);
      const contents = await readSnapshot(createReadStream(temp), () => undefined, this.limits());
      const meta = contents.sections.meta;
      const stored: StoredSnapshot = {
        id,
        name: name.slice(0, 200),
        uploadedBy,
        uploadedAt: Date.now(),
        bytes,
        createdAt: contents.header.createdAt,
        flows: contents.flows,
        host: meta.host,
        agentVersion: meta.agentVersion,
        via: meta.via,
        filter: meta.filter,
      };
      await rename(temp, this.file(id));
      // The index appears last, whole (written aside, then renamed): list() never sees half a snapshot.
      await writeFile(join(this.dir, `${id}.json.tmp`), JSON.stringify(stored), { mode: 0o600 });
      await rename(join(this.dir, `${id}.json.tmp`), join(this.dir, `${id}.json`));
      return stored;
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    } finally {
      this.uploads--;
    }
  }

  async remove(id: string): Promise<StoredSnapshot | undefined> {
    const found = await this.find(id);
    if (!found) return undefined;
    await rm(join(this.dir, `${id}.json`), { force: true });
    await rm(this.file(id), { force: true });
    return found;
  }

  /** Reads a stored snapshot again (it was checked on upload; a file changed since is refused all the same). */
  read(id: string, onFlow: (flow: SnapshotFlow) => void): Promise<SnapshotContents> {
    return readSnapshot(createReadStream(this.file(id)), onFlow, this.limits());
  }

  async size(id: string): Promise<number> {
    return (await stat(this.file(id))).size;
  }

  private file(id: string): string {
    if (!ID.test(id)) throw new Error('bad snapshot id');
    return join(this.dir, `${id}.ctsnap.gz`);
  }
}

/**
 * Writes an upload to `file`, refusing it past `max` bytes. The request is never destroyed (its socket
 * carries the answer): past the limit, the rest is read and dropped while the refusal goes out.
 */
async function receive(body: Readable, file: string, max: number): Promise<number> {
  let bytes = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > max) callback(new SnapshotFileError(`the file is larger than ${Math.floor(max / 2 ** 20)} MiB (CTSCOPE_SNAPSHOT_MAX_MB): refused`));
      else callback(null, chunk);
    },
  });
  const out = createWriteStream(file, { mode: 0o600 });
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => {
        body.unpipe(cap);
        body.resume();
        cap.destroy();
        out.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      body.once('error', fail);
      cap.once('error', fail);
      out.once('error', fail);
      out.once('finish', resolve);
      body.pipe(cap).pipe(out);
    });
  } finally {
    await new Promise<void>((resolve) => (out.closed ? resolve() : out.once('close', () => resolve())));
  }
  return bytes;
}

import { randomUUID } from 'node:crypto';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { buildRecord, finishRecord, type AuditBeginInput, type AuditFinishInput, type AuditRecord, type AuditRecordInput } from './record';
import { rotatedPath, rotateFiles, syncDirectory, withRotationLock } from './rotate';
import { tailRecords, type AuditFilter } from './tail';

export const auditLogOptionsSchema = z.object({
  /** The live file; rotated files sit beside it as `<path>.1` (newest) … `<path>.<keep>`. */
  path: z.string().min(1),
  /** Rotate before an append would take the live file past this size. */
  maxBytes: z.number().int().min(4_096).default(64 * 1024 * 1024),
  /** Rotated files kept; 0 discards the old file on rotation. */
  keep: z.number().int().min(0).max(100).default(5),
  /** Recorded as `actor.via` unless a call says otherwise. */
  via: z.enum(['dashboard', 'cli']).default('dashboard'),
  /** Most bytes one `tail()` reads before it gives up looking for more matches. */
  tailScanBytes: z.number().int().positive().default(64 * 1024 * 1024),
});
export type AuditLogOptions = z.input<typeof auditLogOptionsSchema> & {
  logger?: Logger;
  /** For tests. */
  now?: () => Date;
  /** For tests. */
  newId?: () => string;
};
type Settings = z.output<typeof auditLogOptionsSchema>;

/** A change that has been recorded as pending; hand it back to `finish()`. */
export interface AuditEntry {
  readonly id: string;
  readonly record: AuditRecord;
}

export class AuditLogClosedError extends Error {
  constructor() {
    super('the audit log is closed');
    this.name = 'AuditLogClosedError';
  }
}

/**
 * The agent's append-only record of every change it makes (JSON lines, one record per line).
 *
 * Every append is serialised with the others and `fdatasync`ed before its promise resolves, so
 * awaiting `begin()` before acting, and `finish()` before acknowledging, means the change is on disk
 * first ("audited before acknowledged"). If an append fails its promise rejects: do not make the
 * change. The file is created with mode 0600 (tightened if it already exists), its directory with
 * 0700; it is rotated by size, keeping `keep` old files. A file replaced or removed behind our back
 * (logrotate, another writer's rotation) is noticed and reopened on the next append.
 */
export class AuditLog {
  private file: FileHandle | null = null;
  private inode = -1;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly finished = new WeakSet<AuditEntry>();

  private constructor(
    private readonly settings: Settings,
    private readonly now: () => Date,
    private readonly newId: () => string,
    private readonly logger: Logger | undefined,
  ) {}

  /** Creates the directory if missing and opens (or creates) the live file. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const { logger, now, newId, ...rest } = options;
    const settings = auditLogOptionsSchema.parse(rest);
    await mkdir(dirname(settings.path), { recursive: true, mode: 0o700 });
    const log = new AuditLog(settings, now ?? (() => new Date()), newId ?? randomUUID, logger);
    await log.enqueue(() => log.reopenIfMoved());
    logger?.info({ auditFile: settings.path }, 'recording changes in the audit log');
    return log;
  }

  get path(): string {
    return this.settings.path;
  }

  /** The live file and the rotated ones that may exist, newest first. */
  files(): string[] {
    const files = [this.settings.path];
    for (let i = 1; i <= this.settings.keep; i++) files.push(rotatedPath(this.settings.path, i));
    return files;
  }

  /** Records a change as pending (durably) before the caller makes it. */
  async begin(input: AuditBeginInput): Promise<AuditEntry> {
    const record = buildRecord(this.base(this.newId()), input, 'pending');
    await this.append(record);
    return { id: record.id, record };
  }

  /** Records how a begun change ended (durably) before the caller acknowledges it. Once per entry. */
  async finish(entry: AuditEntry, outcome: AuditFinishInput): Promise<AuditRecord> {
    if (this.finished.has(entry)) throw new Error(`audit entry ${entry.id} is already finished`);
    this.finished.add(entry);
    const record = finishRecord(entry.record, this.now().toISOString(), outcome);
    try {
      await this.append(record);
    } catch (err) {
      this.finished.delete(entry);
      throw err;
    }
    return record;
  }

  /** Records a change whose outcome is already known, as a single line. */
  async record(input: AuditRecordInput): Promise<AuditRecord> {
    const record = buildRecord(this.base(this.newId()), input, input.result, input);
    await this.append(record);
    return record;
  }

  /** The newest `limit` records matching `filter`, newest first (see `AuditFilter`). */
  tail(limit: number, filter?: AuditFilter): Promise<AuditRecord[]> {
    const options = { files: this.files(), limit, scanBytes: this.settings.tailScanBytes };
    return tailRecords(filter ? { ...options, filter } : options);
  }

  /** Waits for pending appends, then closes the file. Appends after this reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.file?.close();
    this.file = null;
  }

  private base(id: string) {
    return { time: this.now().toISOString(), id, via: this.settings.via };
  }

  private append(record: AuditRecord): Promise<void> {
    if (this.closed) return Promise.reject(new AuditLogClosedError());
    const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    return this.enqueue(() => this.write(line));
  }

  /** Runs jobs one at a time, in call order; a failed job does not stop the ones after it. */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(record: Buffer): Promise<void> {
    await this.reopenIfMoved();
    let line = record;
    let file = this.current();
    let size = (await file.stat()).size;
    if (size > 0 && size + line.length > this.settings.maxBytes) {
      await this.rotate();
      file = this.current();
      size = (await file.stat()).size;
    }
    if (size > 0) {
      // A line torn by a crash (ours or another writer's) must not swallow this record.
      const last = Buffer.alloc(1);
      await file.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) line = Buffer.concat([Buffer.from('\n'), line]);
    }
    try {
      let written = 0;
      while (written < line.length) {
        const { bytesWritten } = await file.write(line, written, line.length - written);
        written += bytesWritten;
      }
      await file.datasync();
    } catch (err) {
      // Cut a partly written line so that the next record starts on a line of its own.
      await file.truncate(size).catch(() => undefined);
      this.logger?.error({ err: (err as Error).message, auditFile: this.settings.path }, 'cannot append to the audit log');
      throw err;
    }
  }

  private current(): FileHandle {
    if (!this.file) throw new AuditLogClosedError();
    return this.file;
  }

  /** Opens the live file unless the handle we hold still is that file. */
  private async reopenIfMoved(): Promise<void> {
    if (this.file) {
      const onDisk = await stat(this.settings.path).catch(() => null);
      if (onDisk && onDisk.ino === this.inode) return;
      await this.file.close();
      this.file = null;
    }
    const file = await open(this.settings.path, 'a+', 0o600);
    const info = await file.stat();
    if ((info.mode & 0o777) !== 0o600) await file.chmod(0o600);
    this.file = file;
    this.inode = info.ino;
    if (info.size === 0) await syncDirectory(this.settings.path);
  }

  /**
   * Rotates unless another writer of the same file is doing it or has just done it (the live file is no
   * longer ours); either way we end up appending to whatever is the live file now.
   */
  private async rotate(): Promise<void> {
    const rotated = await withRotationLock(this.settings.path, async () => {
      const onDisk = await stat(this.settings.path).catch(() => null);
      if (onDisk?.ino !== this.inode) return;
      await this.file?.close();
      this.file = null;
      await rotateFiles(this.settings.path, this.settings.keep);
      this.logger?.info({ auditFile: this.settings.path, keep: this.settings.keep }, 'audit log rotated');
    });
    if (!rotated) this.logger?.debug({ auditFile: this.settings.path }, 'another writer is rotating the audit log');
    await this.reopenIfMoved();
  }
}

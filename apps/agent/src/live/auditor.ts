import { randomUUID } from 'node:crypto';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Actor } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { ChangeAuditor } from './flow-changes';

/** Where a change came from: a dashboard user, or someone at this host's terminal. */
export type AuditVia = 'dashboard' | 'cli';

export interface AuditLine {
  time: string;
  id: string;
  actor: Actor & { via: AuditVia };
  action: string;
  phase: 'begin' | 'end';
  details?: Record<string, unknown>;
  result?: 'ok' | 'error';
  after?: Record<string, unknown>;
}

/**
 * The agent's own record of every change it makes: one JSON line when a change begins and one when it
 * ends, each fsynced before the caller goes on, so a change is on disk before it is made or acknowledged.
 */
export class JsonLinesAuditor implements ChangeAuditor {
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: FileHandle,
    private readonly via: AuditVia,
  ) {}

  static async open(path: string, via: AuditVia = 'dashboard'): Promise<JsonLinesAuditor> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    return new JsonLinesAuditor(await open(path, 'a', 0o600), via);
  }

  async begin(actor: Actor, action: string, details: Record<string, unknown>) {
    const id = randomUUID();
    const base = { id, actor: { ...actor, via: this.via }, action };
    await this.append({ time: new Date().toISOString(), ...base, phase: 'begin', details });
    return {
      finish: (result: 'ok' | 'error', after: Record<string, unknown>) => this.append({ time: new Date().toISOString(), ...base, phase: 'end', result, after }),
    };
  }

  close(): Promise<void> {
    return this.tail.then(() => this.file.close());
  }

  /** Appends are serialised so lines never interleave and each is synced in order. */
  private append(line: AuditLine): Promise<void> {
    const write = this.tail.then(async () => {
      await this.file.appendFile(`${JSON.stringify(line)}\n`);
      await this.file.datasync();
    });
    this.tail = write.catch(() => undefined);
    return write;
  }
}

export async function createAuditor(path: string, logger: Logger): Promise<JsonLinesAuditor> {
  const auditor = await JsonLinesAuditor.open(path);
  logger.info({ auditFile: path }, 'recording changes in the audit log');
  return auditor;
}

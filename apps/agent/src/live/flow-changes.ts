import { randomUUID } from 'node:crypto';
import type { ConntrackSource, Flow } from '@ctscope/conntrack';
import type { Actor, DeleteResult, WireFlow } from '@ctscope/protocol';
import { flowKey } from '../mirror/flow-key';
import type { Mirror, MirrorEntry } from '../mirror/mirror';
import { compileQuery } from '../query/compile-query';
import { compileRowFilter } from '../query/row-filter';
import { toWireFlow } from '../query/wire-flow';

/** Records a change before it is made and its outcome after; both awaited (written to disk). */
export interface ChangeAuditor {
  /** `id`: the audit id of the change, when the log has one. */
  begin(actor: Actor, action: string, details: Record<string, unknown>): Promise<{ id?: string; finish(result: 'ok' | 'error', after: Record<string, unknown>): Promise<void> }>;
}

export type ChangeResult = { ok: true; result: DeleteResult } | { ok: false; code: 'BAD_REQUEST' | 'NOT_FOUND' | 'INTERNAL'; message: string };

const PLAN_TTL_MS = 10 * 60_000;
/** Plans hold references to entries, so only a few are kept. */
const MAX_PLANS = 4;
const SAMPLE_ROWS = 20;
/** A flush confirmation stays valid while the table moved by at most this share (busy hosts never hold still). */
const FLUSH_TOLERANCE = 0.05;

interface Plan {
  query: string;
  /** The matched entries as they were; each is looked up again (by identity) when the plan runs. */
  entries: MirrorEntry[];
  createdAt: number;
}

/** Deletes over RPC: precise, by filter in two steps (dry run, then exactly those), and flush. All audited first. */
export class FlowChanges {
  private readonly plans = new Map<string, Plan>();

  constructor(
    private readonly mirror: Mirror,
    private readonly source: Pick<ConntrackSource, 'count'>,
    private readonly audit: ChangeAuditor,
  ) {}

  async deleteKeys(actor: Actor, keys: readonly string[]): Promise<ChangeResult> {
    const entries = keys.map((key) => this.lookup(key)).filter((e): e is MirrorEntry => e !== undefined);
    if (entries.length === 0) return { ok: false, code: 'NOT_FOUND', message: 'none of these entries exists any more; refresh the table' };
    return this.deleteEntries(actor, 'conntrack.delete', { keys: keys.length }, entries);
  }

  async deleteMatching(actor: Actor, request: { query: string; dryRun: true } | { planId: string; dryRun: false }): Promise<ChangeResult> {
    const now = Date.now();
    this.expirePlans(now);
    if (request.dryRun) {
      const query = compileQuery(request.query);
      if (!query.ok) return { ok: false, code: 'BAD_REQUEST', message: query.message };
      const matched: MirrorEntry[] = [];
      const { table } = this.mirror;
      const match = compileRowFilter(query.filter, table);
      for (let row = 0; row < table.size; row++) if (match(row)) matched.push(table.entryAt(row));
      const planId = randomUUID();
      if (this.plans.size >= MAX_PLANS) this.plans.delete(this.plans.keys().next().value as string);
      this.plans.set(planId, { query: request.query, entries: matched, createdAt: now });
      return { ok: true, result: { matched: matched.length, deleted: 0, dryRun: true, planId, sample: sampleOf(matched, now) } };
    }
    const plan = this.plans.get(request.planId);
    if (!plan) return { ok: false, code: 'NOT_FOUND', message: 'this dry run has expired (plans last 10 minutes); run the dry run again' };
    this.plans.delete(request.planId);
    const entries = plan.entries.map((e) => this.mirror.find(e.flow)).filter((e): e is MirrorEntry => e !== undefined);
    return this.deleteEntries(actor, 'conntrack.delete-matching', { query: plan.query, planned: plan.entries.length }, entries);
  }

  async flush(actor: Actor, confirmCount: number): Promise<ChangeResult> {
    const count = await this.source.count();
    if (Math.abs(count - confirmCount) > Math.max(10, count * FLUSH_TOLERANCE)) {
      return { ok: false, code: 'BAD_REQUEST', message: `the table now holds ${count} entries, not ${confirmCount}; confirm the current count to flush` };
    }
    const change = await this.audit.begin(actor, 'conntrack.flush', { confirmCount, before: { entries: count } });
    try {
      await this.mirror.flush();
    } catch (err) {
      await change.finish('error', { error: (err as Error).message });
      return { ok: false, code: 'INTERNAL', message: 'the kernel refused the flush; see the agent log' };
    }
    const after = await this.source.count();
    await change.finish('ok', { entries: after });
    return { ok: true, result: { matched: count, deleted: Math.max(0, count - after), dryRun: false, sample: [] } };
  }

  private async deleteEntries(actor: Actor, action: string, details: Record<string, unknown>, entries: MirrorEntry[]): Promise<ChangeResult> {
    const now = Date.now();
    const change = await this.audit.begin(actor, action, { ...details, matched: entries.length, before: sampleOf(entries, now) });
    let deleted: number;
    try {
      deleted = await this.mirror.deleteFlows(entries.map((e) => e.flow as Flow));
    } catch (err) {
      await change.finish('error', { error: (err as Error).message });
      return { ok: false, code: 'INTERNAL', message: 'deleting failed; see the agent log' };
    }
    await change.finish('ok', { deleted });
    return { ok: true, result: { matched: entries.length, deleted, dryRun: false, sample: sampleOf(entries, now) } };
  }

  /** The entry a wire key names (keys start with the kernel id). */
  private lookup(key: string): MirrorEntry | undefined {
    const id = Number.parseInt(key, 10);
    if (!Number.isSafeInteger(id)) return undefined;
    return this.mirror.withId(id).find((e) => flowKey(e.flow) === key);
  }

  private expirePlans(now: number): void {
    for (const [id, plan] of this.plans) if (now - plan.createdAt > PLAN_TTL_MS) this.plans.delete(id);
  }
}

function sampleOf(entries: readonly MirrorEntry[], now: number): WireFlow[] {
  return entries.slice(0, SAMPLE_ROWS).map((e) => toWireFlow(e, now));
}

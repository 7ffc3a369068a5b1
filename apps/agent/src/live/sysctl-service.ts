import type { ConntrackSource, Flow } from '@ctscope/conntrack';
import {
  PROFILES,
  SysctlValidationError,
  PersistConflictError,
  executePlan,
  findEntry,
  planChange,
  planPersist,
  previewMax,
  previewTimeoutChange,
  proposeProfile,
  readCatalog,
  readSysctlState,
  recommend,
  recommendMax,
  valuesOf,
  writePersistPlan,
  type ChangePlan,
  type SysctlPathsInput,
} from '@ctscope/sysctl';
import type { Actor, SysctlApplyResult, SysctlHistoryEntry, SysctlPersistPreview, SysctlPreview, SysctlStateWire } from '@ctscope/protocol';
import type { AuditLog } from '../audit';
import type { Mirror } from '../mirror/mirror';
import { toWireFlow } from '../query/wire-flow';
import { changeToUndo, type UndoTarget } from './sysctl-undo';
import { toWireParam } from './sysctl-wire';

export type SysctlAnswer<T> = { ok: true; data: T } | { ok: false; code: 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'INTERNAL'; message: string };

const bad = (message: string): SysctlAnswer<never> => ({ ok: false, code: 'BAD_REQUEST', message });
const MAX = 'net.netfilter.nf_conntrack_max';
const BUCKETS = 'net.netfilter.nf_conntrack_buckets';
/** Recorded changes looked through for the one to roll back. */
const UNDO_SCAN = 200;

function validationMessage(err: unknown): string | null {
  return err instanceof SysctlValidationError ? err.issues.map((i) => `${i.field}: ${i.message}`).join('; ') : null;
}

/** Reading and tuning nf_conntrack sysctls: state, what-if previews, audited transactions, persistence. */
export class SysctlService {
  constructor(
    /** The live table: the agent's mirror; the CLI passes the kernel's count and deletes in the kernel. */
    private readonly mirror: Pick<Mirror, 'size' | 'deleteFlows'>,
    private readonly source: Pick<ConntrackSource, 'dump'>,
    private readonly audit: AuditLog,
    private readonly paths: SysctlPathsInput,
  ) {}

  async state(): Promise<SysctlStateWire> {
    const state = await readSysctlState({ paths: this.paths });
    const { catalog } = state;
    return {
      params: state.params.map(toWireParam),
      persistedFiles: state.persistedFiles,
      earlyModuleLoad: state.earlyModuleLoad,
      moduleLoaded: catalog.moduleLoaded,
      facts: { ...catalog.facts },
      maxAdvice: recommendMax(catalog.facts),
      recommendations: recommend({ values: valuesOf(catalog), facts: catalog.facts, count: this.mirror.size }).map((r) => ({ ...r, proposed: r.proposed.map((v) => ({ ...v })) })),
      profiles: PROFILES.map((profile) => ({
        id: profile.id,
        title: profile.title,
        description: profile.description,
        values: proposeProfile(profile.id, catalog).map((v) => ({ ...v })),
      })),
    };
  }

  private async plan(request: unknown): Promise<SysctlAnswer<ChangePlan>> {
    const catalog = await readCatalog({ paths: this.paths });
    try {
      return { ok: true, data: planChange(catalog, request) };
    } catch (err) {
      const message = validationMessage(err);
      if (message) return bad(message);
      throw err;
    }
  }

  /**
   * Timeout changes: idle entries that will not expire sooner by themselves. Idle time needs the
   * kernel's current timeouts, which the mirror cannot know (a packet refreshes an entry's timeout
   * without any event), so the table is read afresh for this.
   */
  private async timeoutPreviews(plan: ChangePlan) {
    const lowered = plan.items.filter((item) => item.unit === 'seconds' && !item.unchanged && item.after < item.before);
    if (lowered.length === 0) return [];
    const flows: Flow[] = await this.source.dump();
    return lowered.map((item) => ({ item, preview: previewTimeoutChange(flows, { name: item.name, current: item.before, proposed: item.after }, 20) }));
  }

  async preview(request: unknown): Promise<SysctlAnswer<SysctlPreview>> {
    const planned = await this.plan(request);
    if (!planned.ok) return planned;
    const plan = planned.data;
    const now = Date.now();
    const timeouts = (await this.timeoutPreviews(plan)).map(({ preview }) => ({
      name: preview.name,
      previewable: preview.previewable,
      ...(preview.reason !== undefined ? { reason: preview.reason } : {}),
      governed: preview.governed,
      idleLonger: preview.idleLonger,
      percent: preview.percent,
      message: preview.message,
      sample: preview.sample.map((flow) => toWireFlow({ flow, seenAt: now }, now)),
    }));
    const maxItem = plan.items.find((i) => i.name === MAX && !i.unchanged);
    let max: SysctlPreview['max'] = null;
    if (maxItem) {
      const state = await readSysctlState({ paths: this.paths });
      const buckets = state.params.find((p) => p.name === BUCKETS)?.value ?? maxItem.after;
      const m = previewMax({ count: this.mirror.size, currentMax: maxItem.before, proposedMax: maxItem.after, buckets, memTotalBytes: state.catalog.facts.memTotalBytes });
      max = { usagePercent: m.usagePercent, headroom: m.headroom, memory: m.memory.summary, currentMemory: m.currentMemory.summary, chainLength: m.chainLength, warnings: m.warnings, message: m.message };
    }
    return {
      ok: true,
      data: {
        items: plan.items.map((i) => ({ name: i.name, before: i.before, after: i.after, beforeDisplay: i.beforeDisplay, afterDisplay: i.afterDisplay, unchanged: i.unchanged, scope: i.scope })),
        timeouts,
        max,
      },
    };
  }

  /**
   * One transaction: audited before the first write, rolled back as a whole on failure; optionally frees
   * idle entries. `rollbackOf` marks it as the undo of an earlier change (see lastChange()).
   */
  async apply(actor: Actor, request: { changes: unknown; freeIdle: boolean; confirmWithinMs?: number | undefined }, rollbackOf?: string): Promise<SysctlAnswer<SysctlApplyResult>> {
    const planned = await this.plan({ changes: request.changes });
    if (!planned.ok) return planned;
    const plan = planned.data;
    const idle = request.freeIdle ? (await this.timeoutPreviews(plan)).flatMap(({ preview }) => preview.matches) : [];
    const before = Object.fromEntries(plan.items.map((i) => [i.name, i.before]));
    const target = plan.items.map((i) => i.name);
    // Commit confirmed (see ../confirm): the record itself says when it is undone unless confirmed.
    const confirm = request.confirmWithinMs !== undefined ? { withinMs: request.confirmWithinMs } : null;
    // Set inside the callback: a property, so the type checker does not assume it stays unset.
    const begun: { entry?: Awaited<ReturnType<AuditLog['begin']>> } = {};
    const outcome = await executePlan(plan, {
      onBeforeWrite: async () => {
        begun.entry = await this.audit.begin({ actor, action: 'sysctl.set', target, before, details: { changes: plan.items.map((i) => ({ name: i.name, before: i.before, after: i.after })), freeIdle: idle.length, ...(rollbackOf ? { rollbackOf } : {}), ...(confirm ? { confirm } : {}) } });
      },
    });
    const { entry } = begun;
    if (!entry) return { ok: false, code: 'INTERNAL', message: outcome.ok ? 'nothing was written' : outcome.message };
    if (!outcome.ok) {
      await this.audit.finish(entry, { result: 'error', error: outcome.message, after: { rollback: outcome.rollback, rollbackComplete: outcome.rollbackComplete } });
      return { ok: false, code: outcome.code === 'conflict' ? 'CONFLICT' : 'INTERNAL', message: outcome.message };
    }
    let freed = 0;
    if (idle.length > 0) freed = await this.mirror.deleteFlows(idle);
    const after = Object.fromEntries(outcome.applied.map((a) => [a.name, a.readBack]));
    const finished = await this.audit.finish(entry, { result: 'ok', after: { ...after, freedIdleEntries: freed } });
    const confirmBy = confirm ? { confirmBy: Date.parse(finished.time) + confirm.withinMs } : {};
    return { ok: true, data: { applied: outcome.applied.map((a) => ({ name: a.name, before: a.before, after: a.readBack })), freed, changeId: entry.id, ...confirmBy } };
  }

  /** The change `rollback()` would undo, from the audit log (see changeToUndo). */
  async lastChange(): Promise<UndoTarget | null> {
    return changeToUndo(await this.audit.tail(UNDO_SCAN, { action: 'sysctl.set', result: 'ok' }));
  }

  /**
   * Sets the parameters of a recorded change back to their values before it, as a new audited
   * transaction. Refuses (CONFLICT) when a value has moved since that change, unless forced.
   */
  async rollback(actor: Actor, target: UndoTarget, force: boolean): Promise<SysctlAnswer<SysctlApplyResult>> {
    const catalog = await readCatalog({ paths: this.paths });
    const moved = target.changes.filter((c) => c.left !== null && findEntry(catalog, c.name)?.value !== c.left);
    if (moved.length > 0 && !force) {
      const what = moved.map((c) => `${c.name} is ${findEntry(catalog, c.name)?.value ?? 'missing'}, not ${c.left}`).join('; ');
      return { ok: false, code: 'CONFLICT', message: `changed again since ${target.time}: ${what}. Force the rollback to set the earlier values anyway` };
    }
    return this.apply(actor, { changes: target.changes.map((c) => ({ name: c.name, value: c.back })), freeIdle: false }, target.id);
  }

  /** Rolls back one recorded change by its audit id (what the tuning page's "Roll back" sends), like rollback(). */
  async rollbackChange(actor: Actor, changeId: string, force: boolean): Promise<SysctlAnswer<SysctlApplyResult>> {
    const target = changeToUndo(await this.audit.tail(UNDO_SCAN, { action: 'sysctl.set', result: 'ok' }), changeId);
    if (!target) return { ok: false, code: 'NOT_FOUND', message: 'this change was rolled back already, or is no longer in the agent\'s audit log; reload the page to see the current values' };
    return this.rollback(actor, target, force);
  }

  async persistPreview(request: unknown): Promise<SysctlAnswer<SysctlPersistPreview>> {
    try {
      const plan = await planPersist(request, { paths: this.paths });
      const file = (f: typeof plan.sysctl) => ({ path: f.path, diff: f.diff, changed: f.changed });
      return { ok: true, data: { sysctl: file(plan.sysctl), modules: file(plan.modules), warnings: plan.warnings } };
    } catch (err) {
      const message = validationMessage(err);
      if (message) return bad(message);
      throw err;
    }
  }

  async persist(actor: Actor, request: unknown): Promise<SysctlAnswer<{ written: string[] }>> {
    let plan;
    try {
      plan = await planPersist(request, { paths: this.paths });
    } catch (err) {
      const message = validationMessage(err);
      if (message) return bad(message);
      throw err;
    }
    const entry = await this.audit.begin({ actor, action: 'sysctl.persist', target: [plan.sysctl.path, plan.modules.path], before: plan.sysctl.before, details: { diff: plan.sysctl.diff } });
    try {
      const result = await writePersistPlan(plan);
      await this.audit.finish(entry, { result: 'ok', after: plan.sysctl.after });
      return { ok: true, data: { written: result.written } };
    } catch (err) {
      await this.audit.finish(entry, { result: 'error', error: (err as Error).message });
      if (err instanceof PersistConflictError) return { ok: false, code: 'CONFLICT', message: err.message };
      return { ok: false, code: 'INTERNAL', message: `saving failed: ${(err as Error).message.slice(0, 300)}` };
    }
  }

  /** Changes of sysctls from the audit log, newest first. */
  async history(limit: number): Promise<SysctlHistoryEntry[]> {
    const records = await this.audit.tail(limit, { action: 'sysctl.set', result: ['ok', 'error'] });
    return records.map((r) => {
      const details = r.details as { changes?: Array<{ name: string; before: number; after: number }>; rollbackOf?: unknown } | undefined;
      const undone = typeof details?.rollbackOf === 'string' ? details.rollbackOf : undefined;
      const after = (r.after ?? {}) as Record<string, unknown>;
      return {
        id: r.id,
        time: r.time,
        user: r.actor.user,
        via: r.actor.via,
        action: r.action,
        result: r.result,
        changes: (details?.changes ?? []).map((c) => ({ name: c.name, before: c.before, after: typeof after[c.name] === 'number' ? (after[c.name] as number) : r.result === 'ok' ? c.after : null })),
        ...(r.error !== undefined ? { error: r.error } : {}),
        ...(undone !== undefined ? { rollbackOf: undone } : {}),
      };
    });
  }
}

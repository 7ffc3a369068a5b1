import {
  applyRule,
  buildRule,
  detectBackend,
  execRunner,
  foreignIptablesSave,
  foreignNftRuleset,
  listRules,
  notrackImpact,
  renderPersistFiles,
  writePersistFile,
  type PersistFile,
  type PersistPaths,
  readListeningSockets,
  removeAllRules,
  removeRule,
  tryRun,
  validateRuleSpec,
  type BuiltRule,
  type Detection,
  type Runner,
} from '@ctscope/rules';
import type { Actor, RuleApplyResult, RuleDetection, RuleList, RulePreview, RuleRemoveRequest } from '@ctscope/protocol';
import type { MirrorEntry } from '../mirror/mirror';
import { toWireFlow } from '../query/wire-flow';
import type { ChangeAuditor } from './flow-changes';

export type RulesAnswer<T> = { ok: true; data: T } | { ok: false; code: 'BAD_REQUEST' | 'INTERNAL'; message: string };

const bad = (message: string): RulesAnswer<never> => ({ ok: false, code: 'BAD_REQUEST', message });

function rendering(built: BuiltRule) {
  const fragment = built.syntax === 'nft' ? built.nft.fragment : [built.iptables.restore.ipv4, built.iptables.restore.ipv6].filter(Boolean).join('\n');
  return { summary: built.summary, nftCommands: built.nft.commands, iptablesCommands: built.iptables.commands, fragment };
}

/** How long one read of the host's rulesets and listeners serves previews. */
const HOST_RULES_FRESH_MS = 2_000;
type HostRules = [Awaited<ReturnType<typeof tryRun>>, Awaited<ReturnType<typeof tryRun>>, Awaited<ReturnType<typeof tryRun>>, Awaited<ReturnType<typeof readListeningSockets>>];

/** NOTRACK / state / connlimit rules on this host: detect, preview with impact, apply, list, remove. */
export class RulesService {
  private detection: Promise<Detection> | null = null;
  private hostRulesRead: { at: number; value: Promise<HostRules> } | null = null;

  constructor(
    /** The current table, for impact previews. */
    private readonly entries: () => Iterable<MirrorEntry>,
    private readonly audit: ChangeAuditor,
    private readonly runner: Runner = execRunner,
  ) {}

  private detect(): Promise<Detection> {
    this.detection ??= detectBackend(this.runner).catch((err: unknown) => {
      this.detection = null;
      throw err;
    });
    return this.detection;
  }

  /**
   * The host's rulesets and listening sockets as previews read them: four commands per read, so previews
   * in quick succession (a person editing a rule, or a script looping) share one read for a moment.
   */
  private hostRules(): Promise<HostRules> {
    const now = Date.now();
    if (!this.hostRulesRead || now - this.hostRulesRead.at > HOST_RULES_FRESH_MS) {
      const value = Promise.all([
        tryRun(this.runner, 'nft', ['list', 'ruleset']),
        tryRun(this.runner, 'iptables-save', []),
        tryRun(this.runner, 'ip6tables-save', []),
        readListeningSockets(this.runner).catch(() => []),
      ]);
      this.hostRulesRead = { at: now, value };
    }
    return this.hostRulesRead.value;
  }

  async describe(): Promise<RuleDetection> {
    const d = await this.detect();
    return { backend: d.backend, syntax: d.syntax, reason: d.reason, notrackTarget: d.notrackTarget, notrackReason: d.notrackReason };
  }

  private async build(input: unknown): Promise<RulesAnswer<BuiltRule>> {
    const valid = validateRuleSpec(input);
    if (!valid.ok) return bad(valid.errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    const d = await this.detect();
    return { ok: true, data: buildRule(valid.spec, { syntax: d.syntax, notrackTarget: d.notrackTarget }) };
  }

  async preview(input: unknown): Promise<RulesAnswer<RulePreview>> {
    const built = await this.build(input);
    if (!built.ok) return built;
    const rule = built.data;
    let impact: RulePreview['impact'] = null;
    let warnings: RulePreview['warnings'] = [];
    if (rule.spec.kind === 'notrack') {
      const [nft, save, save6, listeners] = await this.hostRules();
      const rulesets = [nft && foreignNftRuleset(nft.stdout), save && foreignIptablesSave(save.stdout), save6 && foreignIptablesSave(save6.stdout)].filter((r): r is string => Boolean(r));
      const entries = [...this.entries()];
      const result = notrackImpact(rule.spec, { flows: entries.map((e) => e.flow), rulesets, listeners, sampleLimit: 20 });
      const now = Date.now();
      const sampled = new Set<object>(result.matched);
      const sample = entries.filter((e) => sampled.has(e.flow));
      impact = {
        matchedCount: result.matchedCount,
        matchedByFamily: result.matchedByFamily,
        otherFamilyCount: result.otherFamilyCount,
        stopsTracking: result.stopsTracking,
        sample: sample.map((e) => toWireFlow(e, now)),
      };
      warnings = result.warnings;
    }
    return { ok: true, data: { id: rule.id, syntax: rule.syntax, notes: rule.notes, companions: rule.companions.map(rendering), impact, warnings, ...rendering(rule) } };
  }

  /** With `confirmWithinMs` the rule is removed again unless confirmed in time (see ../confirm). */
  async apply(actor: Actor, input: unknown, withCompanions: boolean, confirmWithinMs?: number): Promise<RulesAnswer<RuleApplyResult>> {
    const built = await this.build(input);
    if (!built.ok) return built;
    const rule = built.data;
    const { backend } = await this.detect();
    const confirm = confirmWithinMs !== undefined ? { confirm: { withinMs: confirmWithinMs } } : {};
    const change = await this.audit.begin(actor, 'rules.apply', { id: rule.id, summary: rule.summary, spec: rule.spec, withCompanions, backend, ...confirm });
    try {
      const result = await applyRule({ runner: this.runner, backend }, rule);
      const companions: string[] = [];
      if (withCompanions) for (const companion of rule.companions) companions.push((await applyRule({ runner: this.runner, backend }, companion)).id);
      await change.finish('ok', { changed: result.changed, rules: result.rules, companions });
      // A rule that was in place already stays: only what this change added is undone.
      const pending = confirmWithinMs !== undefined && result.changed ? { confirmBy: Date.now() + confirmWithinMs } : {};
      return { ok: true, data: { id: result.id, changed: result.changed, rules: result.rules, companions, ...(change.id !== undefined ? { changeId: change.id } : {}), ...pending } };
    } catch (err) {
      await change.finish('error', { error: (err as Error).message });
      return { ok: false, code: 'INTERNAL', message: `applying the rule failed: ${(err as Error).message.slice(0, 300)}` };
    } finally {
      this.hostRulesRead = null;
    }
  }

  async list(): Promise<RuleList> {
    const { backend } = await this.detect();
    const groups = await listRules({ runner: this.runner, backend });
    return {
      backend,
      groups: groups.map((g) => ({
        id: g.id,
        packets: Number(g.packets),
        bytes: Number(g.bytes),
        rules: g.rules.map((r) => ({ table: r.table, chain: r.chain, family: r.family, handle: r.handle, text: r.text, packets: Number(r.packets), bytes: Number(r.bytes) })),
      })),
    };
  }

  async remove(actor: Actor, request: RuleRemoveRequest): Promise<RulesAnswer<{ removed: number }>> {
    const { backend } = await this.detect();
    const ctx = { runner: this.runner, backend };
    const change = await this.audit.begin(actor, 'rules.remove', { ...request, backend });
    try {
      const removed = 'all' in request ? await removeAllRules(ctx) : await removeRule(ctx, { id: request.id });
      await change.finish('ok', { removed });
      return { ok: true, data: { removed } };
    } catch (err) {
      await change.finish('error', { error: (err as Error).message });
      return { ok: false, code: 'INTERNAL', message: `removing failed: ${(err as Error).message.slice(0, 300)}` };
    } finally {
      this.hostRulesRead = null;
    }
  }

  /**
   * Our rules as the kernel has them now, rendered into the documented boot-time file(s); written
   * atomically unless `dryRun`. Each file says how to make the system load it at boot.
   */
  async persist(actor: Actor, options: { dryRun: boolean; paths?: PersistPaths }): Promise<RulesAnswer<PersistFile[]>> {
    const { backend } = await this.detect();
    const ctx = { runner: this.runner, backend };
    let files: PersistFile[];
    try {
      files = await renderPersistFiles(ctx, options.paths);
    } catch (err) {
      return bad((err as Error).message);
    }
    if (options.dryRun) return { ok: true, data: files };
    const change = await this.audit.begin(actor, 'rules.persist', { backend, files: files.map((f) => f.path) });
    try {
      for (const file of files) await writePersistFile(file);
      await change.finish('ok', { written: files.map((f) => f.path) });
      return { ok: true, data: files };
    } catch (err) {
      await change.finish('error', { error: (err as Error).message });
      return { ok: false, code: 'INTERNAL', message: `saving the rules failed: ${(err as Error).message.slice(0, 300)}` };
    }
  }
}

import type { BuiltRule } from '../build';
import type { Backend } from './detect';
import { applyIptables, listIptablesRules, removeIptables } from './iptables';
import { applyNft, listNftRules, removeAllNft, removeNft } from './nft';
import { groupById, type ApplyResult, type OwnedRuleGroup, type RuleRef } from './owned';
import type { Runner } from './runner';

export interface RulesContext {
  runner: Runner;
  backend: Backend;
}

// Read-modify-write cycles must not interleave: one queue per runner.
const queues = new WeakMap<Runner, Promise<unknown>>();
function serialised<T>(runner: Runner, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(runner) ?? Promise.resolve();
  const next = previous.then(task, task);
  queues.set(
    runner,
    next.catch(() => undefined),
  );
  return next;
}

/** Applies one built rule into our own table/chains; applying the same spec again changes nothing. */
export function applyRule(ctx: RulesContext, built: BuiltRule): Promise<ApplyResult> {
  return serialised(ctx.runner, () => (ctx.backend === 'nft' ? applyNft(ctx.runner, built) : applyIptables(ctx.runner, ctx.backend, built)));
}

/** Our rules as the kernel has them now, grouped by id, with live packet/byte counters. */
export function listRules(ctx: RulesContext): Promise<OwnedRuleGroup[]> {
  return serialised(ctx.runner, async () => groupById(ctx.backend === 'nft' ? await listNftRules(ctx.runner) : await listIptablesRules(ctx.runner, ctx.backend)));
}

/** Removes all rules of one id, or one rule by the handle listRules reported. Returns the count removed. */
export function removeRule(ctx: RulesContext, ref: RuleRef): Promise<number> {
  return serialised(ctx.runner, () => (ctx.backend === 'nft' ? removeNft(ctx.runner, ref) : removeIptables(ctx.runner, ctx.backend, ref)));
}

/** Removes every rule, chain, jump and set of ours; never anything else. */
export function removeAllRules(ctx: RulesContext): Promise<number> {
  return serialised(ctx.runner, () => (ctx.backend === 'nft' ? removeAllNft(ctx.runner) : removeIptables(ctx.runner, ctx.backend, 'all')));
}

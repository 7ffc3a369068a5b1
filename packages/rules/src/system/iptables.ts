import type { BuiltRule } from '../build';
import { IPT_CHAINS, type IptChainName } from '../iptables/chains';
import { renderRestore, type RestoreChain, type RestorePlan } from '../iptables/restore';
import { parseSave, type SavedState } from '../iptables/save-parse';
import { IPTABLES_BINARIES, type Backend } from './detect';
import type { ApplyResult, OwnedRule, RuleRef } from './owned';
import type { Runner } from './runner';

type IptBackend = Exclude<Backend, 'nft'>;
type Family = 'ipv4' | 'ipv6';
const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

function binaries(backend: IptBackend, family: Family): { save: string; restore: string } {
  const b = IPTABLES_BINARIES[backend];
  return family === 'ipv4' ? { save: b.save, restore: b.restore } : { save: b.save6, restore: b.restore6 };
}

/** Full `-save -c` (no -t: legacy save would load tables that are not loaded yet). */
async function readState(runner: Runner, backend: IptBackend, family: Family): Promise<SavedState> {
  return parseSave((await runner(binaries(backend, family).save, ['-c'])).stdout);
}

/** Atomic: one restore call, `--noflush` so only the chains named in the input change. */
async function restore(runner: Runner, backend: IptBackend, family: Family, plan: RestorePlan): Promise<void> {
  const text = renderRestore(plan);
  if (text === '') return;
  await runner(binaries(backend, family).restore, ['--noflush', '--counters'], text);
}

export async function listIptablesRules(runner: Runner, backend: IptBackend): Promise<OwnedRule[]> {
  const out: OwnedRule[] = [];
  for (const family of FAMILIES) {
    const state = await readState(runner, backend, family);
    for (const [chain, rules] of state.chains) {
      for (const rule of rules) {
        if (!rule.id) continue;
        out.push({
          id: rule.id,
          backend,
          family,
          table: IPT_CHAINS[chain].table,
          chain,
          handle: `${family}:${chain}:${rule.position}`,
          packets: rule.counters.packets,
          bytes: rule.counters.bytes,
          text: `-A ${chain} ${rule.body}`,
        });
      }
    }
  }
  return out;
}

/** Rewrites our chains that hold `built`'s rules: kept rules (with counters) + this id's rules; adds missing jumps. */
export async function applyIptables(runner: Runner, backend: IptBackend, built: BuiltRule): Promise<ApplyResult> {
  let changed = false;
  let total = 0;
  for (const family of FAMILIES) {
    const wanted = built.iptables.rules.filter((r) => r.family === family);
    if (wanted.length === 0) continue;
    total += wanted.length;
    const state = await readState(runner, backend, family);
    const present = [...state.chains.values()].flat().filter((r) => r.id === built.id);
    const chainList = (xs: ReadonlyArray<{ chain: string }>) => xs.map((x) => x.chain).sort().join(',');
    if (chainList(present) === chainList(wanted) && wanted.every((w) => state.jumps.has(w.chain))) continue;
    const touched = new Set<IptChainName>([...wanted.map((w) => w.chain), ...present.map((p) => p.chain)]);
    const chains: RestoreChain[] = [...touched].map((chain) => ({
      chain,
      lines: [
        ...(state.chains.get(chain) ?? []).filter((r) => r.id !== built.id).map((r) => ({ saved: r.body, counters: r.counters })),
        ...wanted.filter((w) => w.chain === chain).map((w) => ({ args: w.args })),
      ],
    }));
    const addJumps = [...touched].filter((c) => !state.jumps.has(c) && chains.find((x) => x.chain === c)?.lines.length);
    await restore(runner, backend, family, { chains, addJumps });
    changed = true;
  }
  return { id: built.id, backend, changed, rules: total };
}

function matches(ref: RuleRef, family: Family, chain: IptChainName, position: number, id: string | null): boolean {
  return 'id' in ref ? id === ref.id : ref.handle === `${family}:${chain}:${position}`;
}

/** Removes by id or handle; a chain left empty is deleted together with its jump. */
export async function removeIptables(runner: Runner, backend: IptBackend, ref: RuleRef | 'all'): Promise<number> {
  let removed = 0;
  for (const family of FAMILIES) {
    const state = await readState(runner, backend, family);
    const chains: RestoreChain[] = [];
    const deleteChains: Array<{ chain: IptChainName; hasJump: boolean }> = [];
    for (const [chain, rules] of state.chains) {
      const keep = ref === 'all' ? [] : rules.filter((r) => !matches(ref, family, chain, r.position, r.id));
      if (keep.length === rules.length && ref !== 'all') continue;
      removed += rules.filter((r) => r.id !== null).length - keep.filter((r) => r.id !== null).length;
      if (keep.length === 0) deleteChains.push({ chain, hasJump: state.jumps.has(chain) });
      else chains.push({ chain, lines: keep.map((r) => ({ saved: r.body, counters: r.counters })) });
    }
    await restore(runner, backend, family, { chains, deleteChains });
  }
  return removed;
}

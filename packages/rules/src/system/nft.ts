import type { BuiltRule } from '../build';
import { idFromComment } from '../id';
import { NFT_CHAINS, NFT_FAMILY, NFT_TABLE } from '../nft/table';
import type { ApplyResult, OwnedRule, RuleRef } from './owned';
import type { Runner } from './runner';

interface NftJsonRule {
  chain: string;
  handle: number;
  comment?: string;
  expr?: Array<Record<string, unknown>>;
}

interface NftTableState {
  exists: boolean;
  rules: Array<NftJsonRule & { id: string }>;
  sets: string[];
  /** Rule text by handle, from `nft -a list table`. */
  text: Map<number, string>;
}

function isMissingTable(err: unknown): boolean {
  return err instanceof Error && /No such file or directory|does not exist/i.test(err.message);
}

async function readTable(runner: Runner): Promise<NftTableState> {
  let json: string;
  try {
    json = (await runner('nft', ['-j', 'list', 'table', NFT_FAMILY, NFT_TABLE])).stdout;
  } catch (err) {
    if (isMissingTable(err)) return { exists: false, rules: [], sets: [], text: new Map() };
    throw err;
  }
  const parsed = JSON.parse(json) as { nftables?: Array<Record<string, unknown>> };
  const rules: NftTableState['rules'] = [];
  const sets: string[] = [];
  for (const item of parsed.nftables ?? []) {
    const rule = item.rule as NftJsonRule | undefined;
    if (rule) {
      const id = idFromComment(rule.comment);
      if (id) rules.push({ ...rule, id });
    }
    const set = item.set as { name?: string } | undefined;
    if (set?.name) sets.push(set.name);
  }
  const text = new Map<number, string>();
  const listing = (await runner('nft', ['-a', 'list', 'table', NFT_FAMILY, NFT_TABLE])).stdout;
  for (const line of listing.split('\n')) {
    const m = /^\s*(.*\S) # handle (\d+)$/.exec(line);
    if (m && !/^(chain|set|table) /.test(m[1] ?? '')) text.set(Number(m[2]), m[1] ?? '');
  }
  return { exists: true, rules, sets, text };
}

function counterOf(rule: NftJsonRule): { packets: bigint; bytes: bigint } {
  for (const e of rule.expr ?? []) {
    const c = e.counter as { packets?: number; bytes?: number } | undefined;
    if (c && typeof c.packets === 'number') return { packets: BigInt(c.packets), bytes: BigInt(c.bytes ?? 0) };
  }
  return { packets: 0n, bytes: 0n };
}

export async function listNftRules(runner: Runner): Promise<OwnedRule[]> {
  const state = await readTable(runner);
  return state.rules.map((r) => ({
    id: r.id,
    backend: 'nft',
    family: 'inet',
    table: NFT_TABLE,
    chain: r.chain,
    handle: `${r.chain}:${r.handle}`,
    ...counterOf(r),
    text: state.text.get(r.handle) ?? '',
  }));
}

const deleteRuleLine = (chain: string, handle: number) => `delete rule ${NFT_FAMILY} ${NFT_TABLE} ${chain} handle ${handle}`;

/** Adds the rules of `built` unless exactly that many rules with its id exist; one `nft -f -` transaction. */
export async function applyNft(runner: Runner, built: BuiltRule): Promise<ApplyResult> {
  const state = await readTable(runner);
  const present = state.rules.filter((r) => r.id === built.id);
  if (present.length === built.nft.rules.length) return { id: built.id, backend: 'nft', changed: false, rules: present.length };
  // A partial set (someone deleted one by hand) is replaced in the same transaction.
  const repair = present.map((r) => deleteRuleLine(r.chain, r.handle)).join('\n');
  await runner('nft', ['-f', '-'], `${repair ? `${repair}\n` : ''}${built.nft.fragment}`);
  return { id: built.id, backend: 'nft', changed: true, rules: built.nft.rules.length };
}

/** Removes our rules by id (with their connlimit sets) or one rule by handle. Returns how many went. */
export async function removeNft(runner: Runner, ref: RuleRef): Promise<number> {
  const state = await readTable(runner);
  let doomed: NftTableState['rules'];
  if ('id' in ref) doomed = state.rules.filter((r) => r.id === ref.id);
  else doomed = state.rules.filter((r) => `${r.chain}:${r.handle}` === ref.handle);
  if (doomed.length === 0) return 0;
  const lines = doomed.map((r) => deleteRuleLine(r.chain, r.handle));
  const ids = new Set(doomed.map((r) => r.id));
  for (const id of ids) {
    if (state.rules.some((r) => r.id === id && !doomed.includes(r))) continue;
    for (const set of state.sets) if (set.startsWith(`cl_${id}_`)) lines.push(`delete set ${NFT_FAMILY} ${NFT_TABLE} ${set}`);
  }
  await runner('nft', ['-f', '-'], `${lines.join('\n')}\n`);
  return doomed.length;
}

/** Deletes our whole table (all our rules, chains and sets); nobody else's. */
export async function removeAllNft(runner: Runner): Promise<number> {
  const state = await readTable(runner);
  if (!state.exists) return 0;
  await runner('nft', ['-f', '-'], `delete table ${NFT_FAMILY} ${NFT_TABLE}\n`);
  return state.rules.length;
}

export const NFT_CHAIN_NAMES = Object.keys(NFT_CHAINS);

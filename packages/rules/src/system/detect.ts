import type { Syntax } from '../build';
import type { NotrackTarget } from '../iptables/build';
import { NFT_TABLE } from '../nft/table';
import { tryRun, type Runner } from './runner';

export type Backend = 'nft' | 'iptables-nft' | 'iptables-legacy';

export interface IptablesBinaries {
  save: string;
  restore: string;
  save6: string;
  restore6: string;
}

export const IPTABLES_BINARIES: Readonly<Record<'iptables-nft' | 'iptables-legacy', IptablesBinaries>> = {
  'iptables-nft': { save: 'iptables-nft-save', restore: 'iptables-nft-restore', save6: 'ip6tables-nft-save', restore6: 'ip6tables-nft-restore' },
  'iptables-legacy': { save: 'iptables-legacy-save', restore: 'iptables-legacy-restore', save6: 'ip6tables-legacy-save', restore6: 'ip6tables-legacy-restore' },
};

export interface Detection {
  backend: Backend;
  syntax: Syntax;
  /** Why this backend was chosen, in words for the operator. */
  reason: string;
  notrackTarget: NotrackTarget;
  notrackReason: string;
  available: { nft: boolean; iptablesNft: boolean; iptablesLegacy: boolean };
  /** `iptables -V` output, if iptables exists. */
  iptablesVersion: string | null;
  /** What the `iptables` command is: nf_tables based, legacy, or absent. */
  iptablesFlavour: 'nf_tables' | 'legacy' | null;
  /** Rules (-A lines outside our chains) in the legacy x_tables, per family. */
  legacyRules: number;
  /** Rules (-A lines outside our chains) in iptables-nft tables. */
  iptablesNftRules: number;
  /** Native nftables tables other than ours and the iptables-nft ones, as "family name". */
  nftTables: string[];
}

const XT_TABLE_NAMES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);

function countForeignRules(saveOutput: string): number {
  return saveOutput.split('\n').filter((l) => /^(\[\d+:\d+\] )?-A /.test(l) && !/^(\[\d+:\d+\] )?-A CTSCOPE-/.test(l) && !/ -j CTSCOPE-[A-Z-]+$/.test(l)).length;
}

async function countSaved(runner: Runner, cmds: readonly string[]): Promise<number> {
  let total = 0;
  for (const cmd of cmds) total += countForeignRules((await tryRun(runner, cmd, []))?.stdout ?? '');
  return total;
}

async function legacyTablesLoaded(runner: Runner): Promise<boolean> {
  // Reading these files does not load ip_tables (running iptables-legacy-save would).
  for (const file of ['/proc/net/ip_tables_names', '/proc/net/ip6_tables_names']) {
    const out = await tryRun(runner, 'cat', [file]);
    if (out && out.stdout.trim() !== '') return true;
  }
  return false;
}

async function detectNotrackTarget(runner: Runner, hasIptables: boolean): Promise<{ target: NotrackTarget; reason: string }> {
  if (!hasIptables) return { target: 'CT', reason: 'iptables is not installed; CT --notrack is the modern form' };
  const help = await tryRun(runner, 'iptables', ['-j', 'CT', '--help']);
  const userspace = Boolean(help && /--notrack/.test(help.stdout));
  const targets = (await tryRun(runner, 'cat', ['/proc/net/ip_tables_targets']))?.stdout ?? '';
  const config = (await tryRun(runner, 'zcat', ['/proc/config.gz']))?.stdout ?? '';
  const loaded = /^CT$/m.test(targets);
  const built = /^CONFIG_NETFILTER_XT_TARGET_CT=[ym]$/m.test(config);
  const release = (await tryRun(runner, 'uname', ['-r']))?.stdout.trim() ?? '';
  const moduleFile = release !== '' && (await tryRun(runner, 'find', [`/lib/modules/${release}`, '-name', 'xt_CT.ko*', '-print', '-quit']))?.stdout.trim();
  const kernel = loaded || built || Boolean(moduleFile);
  if (userspace && kernel) return { target: 'CT', reason: `iptables knows CT --notrack and the kernel has xt_CT (${loaded ? 'loaded' : built ? 'kernel config' : 'module file'})` };
  if (!userspace) return { target: 'NOTRACK', reason: 'this iptables does not offer CT --notrack; using the older -j NOTRACK' };
  if (/^NOTRACK$/m.test(targets) || /^CONFIG_NETFILTER_XT_TARGET_NOTRACK=[ym]$/m.test(config)) return { target: 'NOTRACK', reason: 'xt_CT not found in the kernel, xt_NOTRACK is; using -j NOTRACK' };
  return { target: 'CT', reason: 'could not confirm xt_CT in the kernel (no config, module list or loaded target); assuming CT --notrack' };
}

/**
 * Finds out which firewall the host actually uses, so our rules land next to the user's:
 * legacy x_tables rules → iptables-legacy; otherwise iptables-nft rules without native nft tables →
 * iptables-nft; otherwise nft when installed; otherwise whatever `iptables` is.
 */
export async function detectBackend(runner: Runner): Promise<Detection> {
  const nft = (await tryRun(runner, 'nft', ['--version'])) !== null;
  const version = (await tryRun(runner, 'iptables', ['-V']))?.stdout.trim() ?? null;
  const flavour = version === null ? null : /\(legacy\)/.test(version) ? 'legacy' : /\(nf_tables\)/.test(version) ? 'nf_tables' : null;
  const iptablesNft = (await tryRun(runner, 'iptables-nft', ['-V'])) !== null || flavour === 'nf_tables';
  const iptablesLegacy = (await tryRun(runner, 'iptables-legacy', ['-V'])) !== null || flavour === 'legacy';
  const bins = IPTABLES_BINARIES;

  const legacyRules = iptablesLegacy && (await legacyTablesLoaded(runner)) ? await countSaved(runner, [bins['iptables-legacy'].save, bins['iptables-legacy'].save6]) : 0;
  const iptablesNftRules = iptablesNft ? await countSaved(runner, [bins['iptables-nft'].save, bins['iptables-nft'].save6]) : 0;
  const nftTables: string[] = [];
  if (nft) {
    const listed = (await tryRun(runner, 'nft', ['list', 'tables']))?.stdout ?? '';
    for (const m of listed.matchAll(/^table (\S+) (\S+)$/gm)) {
      const [family, name] = [m[1] ?? '', m[2] ?? ''];
      if (name === NFT_TABLE && family === 'inet') continue;
      if ((family === 'ip' || family === 'ip6') && XT_TABLE_NAMES.has(name)) continue;
      nftTables.push(`${family} ${name}`);
    }
  }
  const { target, reason: notrackReason } = await detectNotrackTarget(runner, version !== null);
  const base = { notrackTarget: target, notrackReason, available: { nft, iptablesNft, iptablesLegacy }, iptablesVersion: version, iptablesFlavour: flavour, legacyRules, iptablesNftRules, nftTables } as const;

  if (legacyRules > 0) return { ...base, backend: 'iptables-legacy', syntax: 'iptables', reason: `the legacy x_tables hold ${legacyRules} rule(s); our rules go next to them` };
  if (iptablesNftRules > 0 && nftTables.length === 0) return { ...base, backend: 'iptables-nft', syntax: 'iptables', reason: `iptables-nft tables hold ${iptablesNftRules} rule(s) and there is no native nftables table` };
  if (nft) {
    const why = nftTables.length ? `native nftables tables in use (${nftTables.join(', ')})` : 'no existing rules; nftables is installed';
    return { ...base, backend: 'nft', syntax: 'nft', reason: why + (iptablesNftRules ? `; iptables-nft also holds ${iptablesNftRules} rule(s)` : '') };
  }
  if (flavour === 'legacy') return { ...base, backend: 'iptables-legacy', syntax: 'iptables', reason: 'nft is not installed and iptables is the legacy variant' };
  if (version !== null) return { ...base, backend: 'iptables-nft', syntax: 'iptables', reason: 'nft is not installed; iptables is the nf_tables variant' };
  throw new Error('neither nft nor iptables is installed');
}

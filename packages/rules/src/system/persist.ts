import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join, isAbsolute, normalize } from 'node:path';
import { IPT_CHAINS, type IptChainName } from '../iptables/chains';
import { renderRestore } from '../iptables/restore';
import { parseSave } from '../iptables/save-parse';
import { NFT_FAMILY, NFT_TABLE } from '../nft/table';
import { IPTABLES_BINARIES } from './detect';
import type { RulesContext } from './rules';

/**
 * Persistence renders what the kernel holds now (our table / our chains only) into a file that
 * recreates it at boot:
 *  - nft: a file that first deletes then re-creates `table inet ctscope`, so loading it twice is
 *    harmless. Debian's nftables.service loads /etc/nftables.conf; add
 *    `include "/etc/nftables.d/ctscope.nft"` there (after the user's own tables), or load it with
 *    `nft -f <path>` from a unit ordered after nftables.service.
 *  - iptables: an `iptables-restore --noflush` / `ip6tables-restore --noflush` file with our chains
 *    and one jump each. Load it once after the main rules (netfilter-persistent restores rules.v4 /
 *    rules.v6 with a flush, which would remove ours), e.g. a oneshot unit
 *    `After=netfilter-persistent.service` running `iptables-restore --noflush <path>`. It declares our
 *    chains (which flushes them), but loading it twice would insert a second jump.
 */
export interface PersistFile {
  path: string;
  content: string;
  /** How to make the system load it at boot. */
  loadAtBoot: string;
}

export const DEFAULT_PERSIST_PATHS = {
  nft: '/etc/nftables.d/ctscope.nft',
  ipv4: '/etc/iptables/ctscope.rules.v4',
  ipv6: '/etc/iptables/ctscope.rules.v6',
} as const;

export interface PersistPaths {
  nft?: string;
  ipv4?: string;
  ipv6?: string;
}

/** Absolute, normalised, no `..`, a conservative character set. */
export function checkPersistPath(path: string): string {
  if (!isAbsolute(path) || normalize(path) !== path || path.includes('/../') || !/^[A-Za-z0-9_./-]+$/.test(path) || path.length > 255) {
    throw new Error(`persistence path must be an absolute, normalised path of [A-Za-z0-9_./-]: ${JSON.stringify(path)}`);
  }
  return path;
}

function stripSetElements(text: string): string {
  const out: string[] = [];
  let skipping = 0;
  for (const line of text.split('\n')) {
    if (skipping === 0 && /^\s*elements = \{/.test(line)) skipping = 1;
    else if (skipping === 0) {
      out.push(line);
      continue;
    }
    if (/}\s*$/.test(line)) skipping = 0;
  }
  return out.join('\n');
}

export async function renderPersistFiles(ctx: RulesContext, paths: PersistPaths = {}): Promise<PersistFile[]> {
  if (ctx.backend === 'nft') {
    const path = checkPersistPath(paths.nft ?? DEFAULT_PERSIST_PATHS.nft);
    let table = '';
    try {
      table = stripSetElements((await ctx.runner('nft', ['-s', 'list', 'table', NFT_FAMILY, NFT_TABLE])).stdout).trim();
    } catch (err) {
      if (!(err instanceof Error && /No such file or directory/.test(err.message))) throw err;
    }
    const content = [
      '#!/usr/sbin/nft -f',
      '# Rules managed by ctscope; regenerated from the kernel. Edit through ctscope.',
      `table ${NFT_FAMILY} ${NFT_TABLE}`,
      `delete table ${NFT_FAMILY} ${NFT_TABLE}`,
      table,
      '',
    ].join('\n');
    return [{ path, content, loadAtBoot: `add  include "${path}"  to /etc/nftables.conf (loaded by nftables.service), or run  nft -f ${path}  from a unit after nftables.service` }];
  }
  const files: PersistFile[] = [];
  const bins = IPTABLES_BINARIES[ctx.backend];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const path = checkPersistPath(paths[family] ?? DEFAULT_PERSIST_PATHS[family]);
    const state = parseSave((await ctx.runner(family === 'ipv4' ? bins.save : bins.save6, [])).stdout);
    const chains = [...state.chains].filter(([, rules]) => rules.length > 0).map(([chain, rules]) => ({ chain, lines: rules.map((r) => ({ saved: r.body })) }));
    const restore = renderRestore({ chains, addJumps: chains.map((c) => c.chain as IptChainName).filter((c) => IPT_CHAINS[c]) });
    const cmd = family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore';
    files.push({
      path,
      content: `# Rules managed by ctscope (${cmd} --noflush). Load once, after the main rules.\n${restore}`,
      loadAtBoot: `run  ${cmd} --noflush ${path}  once from a oneshot unit ordered After=netfilter-persistent.service`,
    });
  }
  return files;
}

/** Writes atomically: temp file in the same directory, fsync, rename. */
export async function writePersistFile(file: PersistFile): Promise<void> {
  const path = checkPersistPath(file.path);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(temp, 'w', 0o644);
  try {
    await handle.writeFile(file.content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

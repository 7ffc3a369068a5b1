import { describe, expect, it } from 'vitest';
import { detectBackend } from './detect';
import { CommandError, type Runner } from './runner';

/** A runner that answers from a table of `cmd args` → stdout; anything else fails like a missing binary. */
function fakeRunner(answers: Record<string, string>): Runner {
  return async (cmd, args) => {
    const key = [cmd, ...args].join(' ');
    const stdout = answers[key];
    if (stdout === undefined) throw new CommandError(cmd, args, 'not found', 127);
    return { stdout, stderr: '' };
  };
}

const NFT_BASE = {
  'nft --version': 'nftables v1.0.6',
  'iptables -V': 'iptables v1.8.9 (nf_tables)\n',
  'iptables-nft -V': 'iptables v1.8.9 (nf_tables)\n',
  'iptables -j CT --help': 'CT target options:\n --notrack\t\t\tDon\'t track connection\n',
  'cat /proc/net/ip_tables_targets': 'NOTRACK\nCT\nLOG\n',
  'iptables-nft-save': '',
  'ip6tables-nft-save': '',
  'nft list tables': '',
};

describe('detectBackend', () => {
  it('nft when nothing is configured and nft exists', async () => {
    const d = await detectBackend(fakeRunner(NFT_BASE));
    expect([d.backend, d.syntax, d.reason]).toEqual(['nft', 'nft', 'no existing rules; nftables is installed']);
    expect(d.notrackTarget).toBe('CT');
  });

  it('iptables-nft when its tables hold the rules and there is no native nft table', async () => {
    const d = await detectBackend(
      fakeRunner({ ...NFT_BASE, 'iptables-nft-save': '*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -j CTSCOPE-FILTER-IN\nCOMMIT\n', 'nft list tables': 'table ip filter\ntable inet ctscope\n' }),
    );
    expect([d.backend, d.iptablesNftRules]).toEqual(['iptables-nft', 1]);
  });

  it('nft when native nft tables exist, even next to iptables-nft rules', async () => {
    const d = await detectBackend(fakeRunner({ ...NFT_BASE, 'iptables-nft-save': '*filter\n-A INPUT -j ACCEPT\n', 'nft list tables': 'table inet filter\ntable ip filter\n' }));
    expect(d.backend).toBe('nft');
    expect(d.nftTables).toEqual(['inet filter']);
    expect(d.reason).toContain('iptables-nft also holds 1 rule');
  });

  it('iptables-legacy when the legacy tables hold rules', async () => {
    const d = await detectBackend(
      fakeRunner({
        ...NFT_BASE,
        'iptables-legacy -V': 'iptables v1.8.9 (legacy)',
        'cat /proc/net/ip_tables_names': 'filter\n',
        'iptables-legacy-save': '*filter\n-A INPUT -p tcp -j ACCEPT\n-A INPUT -j DROP\n',
        'ip6tables-legacy-save': '',
      }),
    );
    expect([d.backend, d.syntax, d.legacyRules]).toEqual(['iptables-legacy', 'iptables', 2]);
  });

  it('loaded-but-empty legacy tables do not count', async () => {
    const d = await detectBackend(fakeRunner({ ...NFT_BASE, 'iptables-legacy -V': 'x (legacy)', 'cat /proc/net/ip_tables_names': 'filter\n', 'iptables-legacy-save': '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', 'ip6tables-legacy-save': '' }));
    expect(d.backend).toBe('nft');
  });

  it('no nft and a legacy iptables command → iptables-legacy', async () => {
    const answers: Record<string, string> = { ...NFT_BASE, 'iptables -V': 'iptables v1.8.4 (legacy)' };
    delete answers['nft --version'];
    delete answers['iptables-nft -V'];
    const d = await detectBackend(fakeRunner(answers));
    expect(d.backend).toBe('iptables-legacy');
  });

  it('falls back to -j NOTRACK when iptables does not know CT --notrack', async () => {
    const answers: Record<string, string> = { ...NFT_BASE, 'iptables -j CT --help': 'CT target options:\n --zone\n' };
    const d = await detectBackend(fakeRunner(answers));
    expect(d.notrackTarget).toBe('NOTRACK');
  });

  it('uses the kernel config when the CT target is not loaded yet', async () => {
    const d = await detectBackend(fakeRunner({ ...NFT_BASE, 'cat /proc/net/ip_tables_targets': '', 'zcat /proc/config.gz': 'CONFIG_NETFILTER_XT_TARGET_CT=y\n' }));
    expect(d.notrackTarget).toBe('CT');
    expect(d.notrackReason).toContain('kernel config');
    const old = await detectBackend(fakeRunner({ ...NFT_BASE, 'cat /proc/net/ip_tables_targets': '', 'zcat /proc/config.gz': '# CONFIG_NETFILTER_XT_TARGET_CT is not set\nCONFIG_NETFILTER_XT_TARGET_NOTRACK=m\n' }));
    expect(old.notrackTarget).toBe('NOTRACK');
  });

  it('fails when neither tool exists', async () => {
    await expect(detectBackend(fakeRunner({}))).rejects.toThrow('neither nft nor iptables');
  });
});

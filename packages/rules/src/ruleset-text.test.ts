import { describe, expect, it } from 'vitest';
import { foreignNftRuleset } from './ruleset-text';
import { userChainUntrackedAccept } from './nft/user-chain';

describe('foreignNftRuleset', () => {
  it('drops our table and keeps everything else verbatim', () => {
    const ruleset = [
      'table inet userfw {',
      '\tchain input {',
      '\t\ttype filter hook input priority filter; policy accept;',
      '\t}',
      '}',
      'table inet ctscope {',
      '\tset cl_0123456789ab_v4 {',
      '\t\ttype ipv4_addr',
      '\t}',
      '\tchain raw_prerouting {',
      '\t\tudp dport 53 counter packets 1 bytes 2 notrack comment "ctscope:0123456789ab"',
      '\t}',
      '}',
      'table ip nat {',
      '}',
    ].join('\n');
    expect(foreignNftRuleset(ruleset)).toBe(['table inet userfw {', '\tchain input {', '\t\ttype filter hook input priority filter; policy accept;', '\t}', '}', 'table ip nat {', '}'].join('\n'));
  });
});

describe('userChainUntrackedAccept', () => {
  it('shows the command for the user chain, never runs it', () => {
    expect(userChainUntrackedAccept({ family: 'inet', table: 'filter', chain: 'input' })).toEqual({ ok: true, ruleText: 'ct state untracked accept', command: 'nft insert rule inet filter input ct state untracked accept' });
  });
  it('validates the target names', () => {
    const r = userChainUntrackedAccept({ family: 'inet', table: 'filter;reboot', chain: 'input' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.field).toBe('table');
    const f = userChainUntrackedAccept({ family: 'bridge', table: 'filter', chain: 'input' });
    expect(!f.ok && f.errors[0]?.field).toBe('family');
  });
});

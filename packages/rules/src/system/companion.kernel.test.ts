import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { buildRule } from '../build';
import { userChainUntrackedAccept } from '../nft/user-chain';
import { assertRuleSpec } from '../spec/validate';
import { UDP_EXCHANGE_SCRIPT } from '../testing/udp-exchange';
import { IPTABLES_BINARIES } from './detect';
import { applyRule, type RulesContext } from './rules';

const skip = skipKernelTests();
const PORT = 40011;

/**
 * A stateful input chain with a drop policy that opens the service port: requests pass by port,
 * replies only as ESTABLISHED — so untracked replies die here unless untracked packets are accepted.
 */
const STRICT_NFT = `table inet userfw {
  chain input { type filter hook input priority filter; policy drop; ct state established,related accept; udp dport ${PORT} accept; }
}`;
const STRICT_IPT = `*filter
:INPUT DROP [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p udp -m udp --dport ${PORT} -j ACCEPT
COMMIT
`;

const notrack = () => assertRuleSpec({ kind: 'notrack', protocol: 'udp', ports: [PORT], role: 'both', family: 'ipv4' });

describe.skipIf(skip)('untracked traffic and stateful chains with a drop policy', () => {
  let ns: Netns;
  beforeEach(async () => {
    ns = await createNetns({ hooks: false });
  });
  afterEach(async () => {
    await ns.destroy();
  });
  const exchange = () => ns.exec(process.execPath, ['-e', UDP_EXCHANGE_SCRIPT, 'both', '127.0.0.1', String(PORT), '1']);

  it('nft: our table accept is not final; the rule in the user chain is what lets it through', async () => {
    await ns.exec('nft', ['-f', '-'], STRICT_NFT);
    const ctx: RulesContext = { runner: (c, a, i) => ns.exec(c, a, i), backend: 'nft' };
    await exchange(); // tracked: replies are ESTABLISHED and accepted
    const built = buildRule(notrack());
    await applyRule(ctx, built);
    await expect(exchange()).rejects.toThrow(/no reply/);
    for (const companion of built.companions) await applyRule(ctx, companion);
    await expect(exchange()).rejects.toThrow(/no reply/);
    const suggestion = userChainUntrackedAccept({ family: 'inet', table: 'userfw', chain: 'input' });
    if (!suggestion.ok) throw new Error('target rejected');
    expect(suggestion.command).toBe('nft insert rule inet userfw input ct state untracked accept');
    await ns.exec('nft', ['insert', 'rule', 'inet', 'userfw', 'input', ...suggestion.ruleText.split(' ')]);
    await expect(exchange()).resolves.toBeTruthy();
  });

  it.each(['iptables-nft', 'iptables-legacy'] as const)('%s: the companion in our chain (jumped to first) lets it through; -j NOTRACK works too', async (backend) => {
    await ns.exec(IPTABLES_BINARIES[backend].restore, [], STRICT_IPT);
    const ctx: RulesContext = { runner: (c, a, i) => ns.exec(c, a, i), backend };
    await exchange();
    await ns.conntrack(['-F']);
    const built = buildRule(notrack(), { syntax: 'iptables', notrackTarget: 'NOTRACK' });
    expect(built.iptables.rules[0]?.args.slice(-2)).toEqual(['-j', 'NOTRACK']);
    await applyRule(ctx, built);
    await expect(exchange()).rejects.toThrow(/no reply/);
    const [companion] = built.companions;
    if (!companion) throw new Error('no companion');
    await applyRule(ctx, companion);
    await expect(exchange()).resolves.toBeTruthy();
    const { stdout } = await ns.conntrack(['-L', '-p', 'udp']);
    expect(stdout).not.toContain(`dport=${PORT} `);
  });
});

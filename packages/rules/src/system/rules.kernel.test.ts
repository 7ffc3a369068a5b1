import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { buildRule } from '../build';
import { foreignIptablesSave, foreignNftRuleset } from '../ruleset-text';
import { assertRuleSpec } from '../spec/validate';
import { UDP_EXCHANGE_SCRIPT } from '../testing/udp-exchange';
import { detectBackend, IPTABLES_BINARIES, type Backend } from './detect';
import { renderPersistFiles, writePersistFile } from './persist';
import { applyRule, listRules, removeAllRules, removeRule, type RulesContext } from './rules';
import type { Runner } from './runner';

const skip = skipKernelTests();
const UNTRACKED_PORT = 40001;
const TRACKED_PORT = 40002;

const USER_NFT = `
table inet userfw {
  chain input { type filter hook input priority filter; policy accept; ct state invalid drop; ct state established,related accept; udp dport 40000-40010 accept; }
  chain output { type filter hook output priority filter; policy accept; ct state established,related accept; }
}
table ip userraw {
  chain pre { type filter hook prerouting priority raw; policy accept; tcp dport 9 notrack; }
}
`;

const USER_IPTABLES = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 9 -j CT --notrack
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:USER-LOG - [0:0]
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p udp -m udp --dport 40000:40010 -j USER-LOG
-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A USER-LOG -j ACCEPT
COMMIT
`;

interface Scenario {
  backend: Backend;
  /** Installs the user's own pre-existing ruleset. */
  setup(ns: Netns): Promise<void>;
  /** The user's rules as text, ours stripped. */
  snapshot(ns: Netns): Promise<string>;
}

async function iptablesSnapshot(ns: Netns, backend: 'iptables-nft' | 'iptables-legacy'): Promise<string> {
  const b = IPTABLES_BINARIES[backend];
  const v4 = (await ns.exec(b.save, [])).stdout;
  const v6 = (await ns.exec(b.save6, [])).stdout;
  return `${foreignIptablesSave(v4)}\n----\n${foreignIptablesSave(v6)}`;
}

const SCENARIOS: Scenario[] = [
  {
    backend: 'nft',
    setup: async (ns) => void (await ns.exec('nft', ['-f', '-'], USER_NFT)),
    snapshot: async (ns) => foreignNftRuleset((await ns.exec('nft', ['list', 'ruleset'])).stdout),
  },
  ...(['iptables-nft', 'iptables-legacy'] as const).map(
    (backend): Scenario => ({
      backend,
      setup: async (ns) => {
        await ns.exec(IPTABLES_BINARIES[backend].restore, [], USER_IPTABLES);
        await ns.exec(IPTABLES_BINARIES[backend].restore6, [], USER_IPTABLES);
      },
      snapshot: (ns) => iptablesSnapshot(ns, backend),
    }),
  ),
];

async function exchange(ns: Netns): Promise<number> {
  const { stdout } = await ns.exec(process.execPath, ['-e', UDP_EXCHANGE_SCRIPT, 'both', '127.0.0.1,::1', `${UNTRACKED_PORT},${TRACKED_PORT}`, '3']);
  return (JSON.parse(stdout.trim()) as { replies: number }).replies;
}

/** Entries whose original destination port is `port`, from the real conntrack CLI, per family. */
async function entriesFor(ns: Netns, port: number): Promise<{ ipv4: number; ipv6: number }> {
  const count = async (family: string) => {
    const { stdout } = await ns.conntrack(['-L', '-f', family, '-p', 'udp']);
    return stdout.split('\n').filter((l) => new RegExp(`^udp\\s.*? dport=${port} `).test(l)).length;
  };
  return { ipv4: await count('ipv4'), ipv6: await count('ipv6') };
}

describe.skipIf(skip).each(SCENARIOS)('NOTRACK apply/list/remove on $backend', (scenario) => {
  let ns: Netns;
  let ctx: RulesContext;

  beforeEach(async () => {
    ns = await createNetns({ hooks: false });
    const runner: Runner = (cmd, args, input) => ns.exec(cmd, args, input);
    ctx = { runner, backend: scenario.backend };
  });
  afterEach(async () => {
    await ns.destroy();
  });

  it('stops tracking one port only, counts packets, survives a restart, removes cleanly', async () => {
    await scenario.setup(ns);
    const before = await scenario.snapshot(ns);
    expect(before).toMatch(/ct state established|--ctstate RELATED,ESTABLISHED/);

    const detected = await detectBackend(ctx.runner);
    expect(detected.backend).toBe(scenario.backend);

    const options = { syntax: detected.syntax, notrackTarget: detected.notrackTarget };
    // Loopback: each packet gets its conntrack entry in OUTPUT, so both roles are needed.
    const built = buildRule(assertRuleSpec({ kind: 'notrack', protocol: 'udp', ports: [UNTRACKED_PORT], role: 'both', direction: 'both', family: 'both' }), options);
    const companions = built.companions;
    const first = await applyRule(ctx, built);
    expect(first.changed).toBe(true);
    if (scenario.backend !== 'nft') for (const c of companions) expect((await applyRule(ctx, c)).changed).toBe(true);

    expect(await exchange(ns)).toBe(12);
    expect(await entriesFor(ns, UNTRACKED_PORT)).toEqual({ ipv4: 0, ipv6: 0 });
    expect(await entriesFor(ns, TRACKED_PORT)).toEqual({ ipv4: 3, ipv6: 3 });

    // A fresh context (as after an agent restart) finds our rules in the kernel, counters included.
    const restarted: RulesContext = { runner: (cmd, args, input) => ns.exec(cmd, args, input), backend: scenario.backend };
    const groups = await listRules(restarted);
    const ours = groups.find((g) => g.id === built.id);
    const perFamily = scenario.backend === 'nft' ? 1 : 2;
    expect(ours?.rules.length).toBe(4 * perFamily);
    // 3 requests + 3 replies per family and host; on loopback each packet passes one OUTPUT rule and
    // then one PREROUTING rule (which leaves the already-untracked packet alone): 12 packets x 2.
    expect(ours?.packets).toBe(24n);
    expect((await applyRule(restarted, built)).changed).toBe(false);
    expect((await listRules(restarted)).find((g) => g.id === built.id)?.rules.length).toBe(4 * perFamily);

    expect(await removeRule(restarted, { id: built.id })).toBe(4 * perFamily);
    expect((await listRules(restarted)).some((g) => g.id === built.id)).toBe(false);
    expect(await exchange(ns)).toBe(12);
    expect(await entriesFor(ns, UNTRACKED_PORT)).toEqual({ ipv4: 3, ipv6: 3 });

    await removeAllRules(restarted);
    expect(await listRules(restarted)).toEqual([]);
    expect(await scenario.snapshot(ns)).toBe(before);
  });

  it('keeps the user rules byte-identical while ours come and go, and removes one rule by handle', async () => {
    await scenario.setup(ns);
    const before = await scenario.snapshot(ns);
    const options = { syntax: scenario.backend === 'nft' ? ('nft' as const) : ('iptables' as const) };
    const specs = [
      { kind: 'notrack', protocol: 'tcp', ports: '80,443,8000-8080', family: 'ipv4', source: '10.0.0.0/8', interface: 'eth0' },
      { kind: 'state', template: 'drop-invalid', chain: 'input', family: 'both' },
      { kind: 'state', template: 'log-new', chain: 'input', family: 'ipv6', logPrefix: 'ctscope new: ', rate: { count: 5, per: 'minute' } },
      { kind: 'connlimit', protocol: 'tcp', ports: [22], above: 20, mask: 24, family: 'both' },
    ].map((s) => buildRule(assertRuleSpec(s), options));
    for (const b of specs) expect((await applyRule(ctx, b)).changed).toBe(true);
    for (const b of specs) expect((await applyRule(ctx, b)).changed).toBe(false);
    const listed = await listRules(ctx);
    expect(listed.map((g) => g.id).sort()).toEqual(specs.map((b) => b.id).sort());
    const user = await scenario.snapshot(ns);
    expect(user).toBe(before);
    if (scenario.backend !== 'nft') {
      // One jump per chain, first in the built-in chain, and nowhere else.
      const save = (await ns.exec(IPTABLES_BINARIES[scenario.backend].save, [])).stdout;
      expect(save.match(/-j CTSCOPE-FILTER-IN$/gm)).toHaveLength(1);
      expect(save).toMatch(/:USER-LOG - \[0:0\]\n-A INPUT -j CTSCOPE-FILTER-IN\n-A INPUT -m conntrack --ctstate INVALID -j DROP/);
    }

    const victim = listed.find((g) => g.id === specs[0]?.id)?.rules[0];
    expect(victim).toBeDefined();
    expect(await removeRule(ctx, { handle: victim?.handle ?? '' })).toBe(1);
    const after = await listRules(ctx);
    expect(after.find((g) => g.id === specs[0]?.id)?.rules.length).toBe((listed.find((g) => g.id === specs[0]?.id)?.rules.length ?? 0) - 1);
    // Re-applying repairs the partial set without duplicating the rest.
    expect((await applyRule(ctx, specs[0]!)).changed).toBe(true);
    expect((await listRules(ctx)).find((g) => g.id === specs[0]?.id)?.rules.length).toBe(listed.find((g) => g.id === specs[0]?.id)?.rules.length);

    // Persistence: the rendered files recreate exactly our rules after they are gone.
    const listedIds = (await listRules(ctx)).map((g) => [g.id, g.rules.length]);
    const dir = await mkdtemp(join(tmpdir(), 'ctscope-rules-'));
    try {
      const files = await renderPersistFiles(ctx, { nft: join(dir, 'ctscope.nft'), ipv4: join(dir, 'ctscope.v4'), ipv6: join(dir, 'ctscope.v6') });
      for (const file of files) await writePersistFile(file);
      await removeAllRules(ctx);
      expect(await listRules(ctx)).toEqual([]);
      if (scenario.backend === 'nft') await ns.exec('nft', ['-f', join(dir, 'ctscope.nft')]);
      else {
        const b = IPTABLES_BINARIES[scenario.backend];
        await ns.exec(b.restore, ['--noflush', join(dir, 'ctscope.v4')]);
        await ns.exec(b.restore6, ['--noflush', join(dir, 'ctscope.v6')]);
      }
      expect((await listRules(ctx)).map((g) => [g.id, g.rules.length])).toEqual(listedIds);
      expect(await scenario.snapshot(ns)).toBe(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    await removeAllRules(ctx);
    expect(await listRules(ctx)).toEqual([]);
    expect(await scenario.snapshot(ns)).toBe(before);
  });
});

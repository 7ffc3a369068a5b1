import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { buildRule } from '../build';
import { notrackImpact } from '../impact/notrack';
import { readListeningSockets } from '../impact/listeners';
import { assertRuleSpec } from '../spec/validate';
import type { NotrackSpec } from '../spec/schemas';
import { UDP_EXCHANGE_SCRIPT } from '../testing/udp-exchange';
import { renderPersistFiles, writePersistFile } from './persist';
import { applyRule, listRules, removeAllRules, type RulesContext } from './rules';
import type { Runner } from './runner';

const skip = skipKernelTests();
const SERVER4 = '10.99.0.2';
const SERVER6 = 'fd00:99::2';
const NOTRACKED = 40001;
const TRACKED = 40002;
const STATEFUL = `table inet userfw {
  chain input { type filter hook input priority filter; policy accept; ct state invalid drop; ct state established,related accept; }
  chain output { type filter hook output priority filter; policy accept; ct state established,related accept; }
}`;

const runnerFor = (ns: Netns): Runner => (cmd, args, input) => ns.exec(cmd, args, input);

/** Entries in `ns` (real conntrack CLI, both families) whose original source or destination port is `port`. */
async function entries(ns: Netns, port: number): Promise<{ byDport: number; bySport: number }> {
  let byDport = 0;
  let bySport = 0;
  for (const family of ['ipv4', 'ipv6']) {
    const { stdout } = await ns.conntrack(['-L', '-f', family, '-p', 'udp']);
    for (const line of stdout.split('\n')) {
      const orig = /sport=(\d+) dport=(\d+)/.exec(line);
      if (orig?.[2] === String(port)) byDport++;
      if (orig?.[1] === String(port)) bySport++;
    }
  }
  return { byDport, bySport };
}

function notrackSpec(extra: Record<string, unknown>): ReturnType<typeof assertRuleSpec> {
  return assertRuleSpec({ kind: 'notrack', protocol: 'udp', ports: [NOTRACKED], family: 'both', ...extra });
}

/** Two namespaces joined by a veth pair: traffic really arrives through PREROUTING and leaves through OUTPUT. */
describe.skipIf(skip)('NOTRACK directions between two namespaces (nft backend)', () => {
  let client: Netns;
  let server: Netns;
  let echo: ChildProcess;
  let ctxServer: RulesContext;
  let ctxClient: RulesContext;
  let dir: string;

  beforeAll(async () => {
    client = await createNetns({ hooks: false });
    server = await createNetns({ hooks: false });
    await client.exec('ip', ['link', 'add', 'vc', 'type', 'veth', 'peer', 'name', 'vs', 'netns', server.name]);
    for (const [ns, dev, v4, v6] of [
      [client, 'vc', '10.99.0.1/24', 'fd00:99::1/64'],
      [server, 'vs', `${SERVER4}/24`, `${SERVER6}/64`],
    ] as const) {
      await ns.exec('ip', ['addr', 'add', v4, 'dev', dev]);
      await ns.exec('ip', ['-6', 'addr', 'add', v6, 'dev', dev, 'nodad']);
      await ns.exec('ip', ['link', 'set', dev, 'up']);
      await ns.exec('nft', ['-f', '-'], STATEFUL);
    }
    echo = server.spawn(process.execPath, ['-e', UDP_EXCHANGE_SCRIPT, 'serve', `${SERVER4},${SERVER6}`, `${NOTRACKED},${TRACKED}`]);
    await new Promise<void>((resolve, reject) => {
      echo.stdout?.once('data', () => resolve());
      echo.once('exit', (code) => reject(new Error(`echo server exited ${code}`)));
    });
    ctxServer = { runner: runnerFor(server), backend: 'nft' };
    ctxClient = { runner: runnerFor(client), backend: 'nft' };
    dir = await mkdtemp(join(tmpdir(), 'ctscope-rules-'));
  });
  afterAll(async () => {
    await client?.destroy();
    await server?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function exchange(): Promise<void> {
    const { stdout } = await client.exec(process.execPath, ['-e', UDP_EXCHANGE_SCRIPT, 'client', `${SERVER4},${SERVER6}`, `${NOTRACKED},${TRACKED}`, '3']);
    expect(JSON.parse(stdout.trim())).toEqual({ replies: 12 });
  }
  async function reset(): Promise<void> {
    await removeAllRules(ctxServer);
    await removeAllRules(ctxClient);
    await server.conntrack(['-F']);
    await client.conntrack(['-F']);
  }

  it('baseline: without rules both ports are tracked on both sides', async () => {
    await reset();
    await exchange();
    expect(await entries(server, NOTRACKED)).toEqual({ byDport: 6, bySport: 0 });
    expect(await entries(client, NOTRACKED)).toEqual({ byDport: 6, bySport: 0 });
  });

  it('server role, both directions: PREROUTING dport + OUTPUT sport stop tracking on the server', async () => {
    await reset();
    const built = buildRule(notrackSpec({ role: 'server' }));
    await applyRule(ctxServer, built);
    await exchange();
    expect(await entries(server, NOTRACKED)).toEqual({ byDport: 0, bySport: 0 });
    expect(await entries(server, TRACKED)).toEqual({ byDport: 6, bySport: 0 });
    const group = (await listRules(ctxServer)).find((g) => g.id === built.id);
    // 6 requests matched in PREROUTING, 6 replies in OUTPUT.
    expect(group?.rules.map((r) => [r.chain, r.packets])).toEqual([
      ['raw_prerouting', 6n],
      ['raw_output', 6n],
    ]);
  });

  it('inbound half only: the replies create entries in reverse (the classic generator bug)', async () => {
    await reset();
    await applyRule(ctxServer, buildRule(notrackSpec({ role: 'server', direction: 'inbound' })));
    await exchange();
    expect(await entries(server, NOTRACKED)).toEqual({ byDport: 0, bySport: 6 });
  });

  it('client role on the client: OUTPUT dport + PREROUTING sport stop tracking there', async () => {
    await reset();
    await applyRule(ctxClient, buildRule(notrackSpec({ role: 'client' })));
    await exchange();
    expect(await entries(client, NOTRACKED)).toEqual({ byDport: 0, bySport: 0 });
    expect(await entries(client, TRACKED)).toEqual({ byDport: 6, bySport: 0 });
    expect(await entries(server, NOTRACKED)).toEqual({ byDport: 6, bySport: 0 });
  });

  it('the wrong role untracks nothing: server role on the client', async () => {
    await reset();
    await applyRule(ctxClient, buildRule(notrackSpec({ role: 'server' })));
    await exchange();
    expect(await entries(client, NOTRACKED)).toEqual({ byDport: 6, bySport: 0 });
  });

  it('impact helper: counts live entries and sees the stateful chain and the local listener', async () => {
    await reset();
    await exchange();
    const { stdout } = await server.conntrack(['-L', '-p', 'udp', '-f', 'ipv4']);
    const flows = stdout
      .split('\n')
      .map((l) => /src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+) .*?src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ family: 'ipv4' as const, protoNum: 17, orig: { src: m[1] ?? '', dst: m[2] ?? '', sport: Number(m[3]), dport: Number(m[4]) }, reply: { src: m[5] ?? '', dst: m[6] ?? '', sport: Number(m[7]), dport: Number(m[8]) }, status: [] }));
    const spec = notrackSpec({ family: 'ipv4' }) as NotrackSpec;
    const ruleset = (await server.exec('nft', ['list', 'ruleset'])).stdout;
    const impact = notrackImpact(spec, { flows, rulesets: [ruleset], listeners: await readListeningSockets(ctxServer.runner) });
    expect(impact.matchedCount).toBe(3);
    const codes = impact.warnings.map((w) => w.code);
    expect(codes).toEqual(['existing-entries', 'ipv6-not-covered', 'stateful-without-untracked-accept', 'stateful-without-untracked-accept', 'local-listener']);
    expect(impact.warnings.find((w) => w.code === 'local-listener')?.message).toContain(`${SERVER4}:${NOTRACKED}`);
  });

  it('persistence file recreates the same rules, and loading it twice does not duplicate', async () => {
    await reset();
    const a = buildRule(notrackSpec({}));
    const b = buildRule(assertRuleSpec({ kind: 'connlimit', protocol: 'tcp', ports: '22', above: 5, family: 'both' }));
    await applyRule(ctxServer, a);
    await applyRule(ctxServer, b);
    const before = (await listRules(ctxServer)).map((g) => [g.id, g.rules.length]);
    const [file] = await renderPersistFiles(ctxServer, { nft: join(dir, 'ctscope.nft') });
    if (!file) throw new Error('no persistence file');
    await writePersistFile(file);
    await removeAllRules(ctxServer);
    expect(await listRules(ctxServer)).toEqual([]);
    await server.exec('nft', ['-f', file.path]);
    await server.exec('nft', ['-f', file.path]);
    expect((await listRules(ctxServer)).map((g) => [g.id, g.rules.length])).toEqual(before);
  });
});

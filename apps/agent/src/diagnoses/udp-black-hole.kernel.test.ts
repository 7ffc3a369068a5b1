// The UDP black hole for real: a client keeps sending from one socket to a DNATed address after its
// backend is gone and the DNAT rule moved to another backend (Kubernetes 19029, 48370, 125467). The
// agent's services, in the namespace, must find the stuck entry, and the fix's query, through the
// agent's own delete-matching (dry run, then the plan), must delete exactly it, after which the same
// client socket reaches the new backend.
import type { ChildProcess } from 'node:child_process';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startDiagnosesProbe, type DiagnosesProbe } from './testing/probe-harness';

const VIP = '10.96.0.10';
const A = '10.1.0.1';
const B = '10.1.0.2';
const CLIENT = '10.0.0.1';
const STUCK_PORT = 40001;

/** A UDP server on argv[1]:53 answering every datagram. */
const SERVER = "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('pong',r.port,r.address));s.bind(53,process.argv[1],()=>console.log('listening'));";
/** One socket on CLIENT:STUCK_PORT sending to VIP:53 every 200 ms; prints a line per answer. */
const STUCK_CLIENT = `const s=require('dgram').createSocket('udp4');s.on('error',()=>{});s.on('message',()=>console.log('answer'));s.bind(${STUCK_PORT},'${CLIENT}',()=>setInterval(()=>s.send('ping',53,'${VIP}'),200));`;
/** Every 300 ms a new socket (a new source port, as resolvers do) asks VIP:53 once. */
const FRESH_CLIENTS = `const d=require('dgram');setInterval(()=>{const s=d.createSocket('udp4');s.on('message',()=>{console.log('answer');s.close()});s.bind(0,'${CLIENT}',()=>s.send('ping',53,'${VIP}'));setTimeout(()=>{try{s.close()}catch{}},1000)},300);`;

const dnatTo = (backend: string) => `
table ip ctscope_test_nat {
  chain out { type nat hook output priority -100; policy accept; ip daddr ${VIP} udp dport 53 dnat to ${backend}; }
}
`;

let ns: Netns | undefined;
let probe: DiagnosesProbe | undefined;
afterEach(async () => {
  probe?.stop();
  probe = undefined;
  await ns?.destroy();
  ns = undefined;
});

function started(netns: Netns, script: string, args: string[] = []): { child: ChildProcess; lines: () => number } {
  const child = netns.spawn(process.execPath, ['-e', script, ...args]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, lines: () => out.split('\n').filter((l) => l === 'answer').length };
}

async function waitUntil(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `conntrack -L` lines of UDP entries to VIP:53, by their reply source. */
async function entriesByReplySource(netns: Netns): Promise<Map<string, string[]>> {
  const out = (await netns.conntrack(['-L', '-p', 'udp', '--orig-dst', VIP, '--dport', '53'])).stdout;
  const by = new Map<string, string[]>();
  for (const line of out.split('\n').filter((l) => l.includes('udp'))) {
    const replySrc = [...line.matchAll(/\bsrc=(\S+)/g)][1]?.[1] ?? '?';
    by.set(replySrc, [...(by.get(replySrc) ?? []), line]);
  }
  return by;
}

/** A namespace with accounting on (unless told), CLIENT, A and B on a veth whose far end has no address (packets
 * routed out of it reach no one), and a route to the service range out of it. */
async function setUp(accounting = 1): Promise<Netns> {
  const netns = await createNetns();
  ns = netns;
  await netns.sysctl('net.netfilter.nf_conntrack_acct', accounting);
  for (const args of [
    ['link', 'add', 'dummy0', 'type', 'veth', 'peer', 'name', 'void0'],
    ['link', 'set', 'void0', 'up'],
    ['link', 'set', 'dummy0', 'up'],
    ['addr', 'add', `${CLIENT}/32`, 'dev', 'dummy0'],
    ['addr', 'add', `${A}/32`, 'dev', 'dummy0'],
    ['addr', 'add', `${B}/32`, 'dev', 'dummy0'],
    ['route', 'add', '10.96.0.0/24', 'dev', 'dummy0'],
  ])
    await netns.exec('ip', args);
  return netns;
}

describe.skipIf(skipKernelTests())('UDP black hole, real kernel', () => {
  it('finds the client stuck on a removed backend; the fix deletes only its entry and the same socket then reaches the new backend', { timeout: 120_000 }, async () => {
    ns = await setUp();
    await ns.exec('nft', ['-f', '-'], dnatTo(A));
    const serverA = started(ns, SERVER, [A]);
    started(ns, SERVER, [B]);
    probe = await startDiagnosesProbe(ns, ['--diagnose-udp-silence', '3']);

    const stuck = started(ns, STUCK_CLIENT);
    await waitUntil('answers from backend A', () => stuck.lines() >= 5, 10_000);
    // Let the agent watch the entry while A answers.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    // Backend A goes away (its address now routes out of the veth, where nothing answers) and the DNAT
    // rule moves to B; new clients come after the move.
    serverA.child.kill('SIGKILL');
    await ns.exec('ip', ['addr', 'del', `${A}/32`, 'dev', 'dummy0']);
    await ns.exec('ip', ['route', 'add', '10.1.0.0/24', 'dev', 'dummy0']);
    await ns.exec('nft', ['-f', '-'], `flush chain ip ctscope_test_nat out\nadd rule ip ctscope_test_nat out ip daddr ${VIP} udp dport 53 dnat to ${B}\n`);
    const fresh = started(ns, FRESH_CLIENTS);
    await waitUntil('new clients answered by B', () => fresh.lines() >= 3, 10_000);
    const answeredBefore = stuck.lines();

    const found = await probe.waitFor('the black hole', (r) => r.active.find((d) => d.name === 'udp-black-hole'), 30_000);
    expect(found.id).toBe(`udp-black-hole:${VIP}:53:${A}`);
    expect(found.evidence.query).toBe(`udp dst:${VIP} dport:53 reply-src:${A}`);
    expect(found.evidence.examples.map((e) => [e.orig.sport, e.reply.src])).toEqual([[STUCK_PORT, A]]);
    const facts = Object.fromEntries(found.evidence.facts.map((f) => [f.label, f.value]));
    expect(facts['Stuck entries']).toBe('1');
    expect(facts['Dead DNAT target (reply source)']).toBe(A);
    expect(facts['Answering DNAT targets']).toBe(B);
    // 5 datagrams a second, measured from the kernel's counters between passes.
    expect(Number(facts['Packets/s sent into it'])).toBeGreaterThan(2);
    expect(Number(facts['Packets/s sent into it'])).toBeLessThan(8);
    expect(stuck.lines()).toBe(answeredBefore);

    const fix = found.fixes.find((f) => f.kind === 'delete');
    if (fix?.kind !== 'delete') throw new Error(`no delete fix: ${JSON.stringify(found.fixes)}`);
    const before = await entriesByReplySource(ns);
    expect(before.get(A)).toHaveLength(1);
    expect(before.get(A)?.[0]).toContain(`sport=${STUCK_PORT}`);
    const liveBefore = before.get(B)?.length ?? 0;
    expect(liveBefore).toBeGreaterThan(2);
    expect(fix.count).toBe(1);

    const dry = await probe.deleteDryRun(fix.query);
    if (!dry.ok) throw new Error(dry.message);
    expect(dry.result.matched).toBe(1);
    expect(dry.result.sample?.map((f) => f.orig.sport)).toEqual([STUCK_PORT]);
    const done = await probe.deletePlan(dry.result.planId ?? '');
    if (!done.ok) throw new Error(done.message);
    expect(done.result.deleted).toBe(1);

    const after = await entriesByReplySource(ns);
    // A new entry for the same socket may already exist: it must point at B.
    expect(after.get(A)).toBeUndefined();
    expect((after.get(B) ?? []).length).toBeGreaterThanOrEqual(liveBefore);
    await waitUntil('the same client socket answered again (by B)', () => stuck.lines() >= answeredBefore + 3, 10_000);
    expect((await entriesByReplySource(ns)).get(B)?.some((l) => l.includes(`sport=${STUCK_PORT}`))).toBe(true);
    await probe.waitGone('the black hole to clear', (d) => d.name === 'udp-black-hole', 20_000);
  });

  it('finds a client whose entry was made before the service had a backend (unreplied, not DNATed) while new clients are answered', { timeout: 120_000 }, async () => {
    ns = await setUp();
    started(ns, SERVER, [B]);
    // No DNAT yet: the client's first datagram makes an entry to the VIP itself, which nothing answers.
    await ns.exec('nft', ['-f', '-'], `table ip ctscope_test_nat {\n  chain out { type nat hook output priority -100; policy accept; }\n}\n`);
    probe = await startDiagnosesProbe(ns, ['--diagnose-udp-silence', '60']);
    const stuck = started(ns, STUCK_CLIENT);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await ns.exec('nft', ['-f', '-'], `add rule ip ctscope_test_nat out ip daddr ${VIP} udp dport 53 dnat to ${B}\n`);
    const fresh = started(ns, FRESH_CLIENTS);
    await waitUntil('new clients answered by B', () => fresh.lines() >= 3, 10_000);
    expect(stuck.lines()).toBe(0);

    // Unreplied and still sending beside answered entries: found well before the 60 s silence limit.
    const found = await probe.waitFor('the black hole', (r) => r.active.find((d) => d.name === 'udp-black-hole'), 20_000);
    expect(found.id).toBe(`udp-black-hole:${VIP}:53:${VIP}`);
    expect(found.evidence.query).toBe(`udp dst:${VIP} dport:53 reply-src:${VIP}`);
    expect(found.evidence.examples.map((e) => [e.orig.sport, e.status.includes('SEEN_REPLY')])).toEqual([[STUCK_PORT, false]]);
    expect(found.evidence.facts).toContainEqual({ label: 'Answering DNAT targets', value: B });
    const fix = found.fixes.find((f) => f.kind === 'delete');
    if (fix?.kind !== 'delete') throw new Error(`no delete fix: ${JSON.stringify(found.fixes)}`);
    expect(fix.count).toBe(1);
    expect((await entriesByReplySource(ns)).get(VIP)).toHaveLength(1);

    const dry = await probe.deleteDryRun(fix.query);
    if (!dry.ok) throw new Error(dry.message);
    const done = await probe.deletePlan(dry.result.planId ?? '');
    expect(done.ok && done.result.deleted).toBe(1);
    expect((await entriesByReplySource(ns)).get(VIP)).toBeUndefined();
    await waitUntil('the same client socket answered (by B)', () => stuck.lines() >= 3, 10_000);
  });

  it('without accounting: names the unreplied entries pointing elsewhere than the answered ones and offers to turn accounting on', { timeout: 120_000 }, async () => {
    ns = await setUp(0);
    started(ns, SERVER, [B]);
    await ns.exec('nft', ['-f', '-'], `table ip ctscope_test_nat {\n  chain out { type nat hook output priority -100; policy accept; }\n}\n`);
    probe = await startDiagnosesProbe(ns, []);
    started(ns, STUCK_CLIENT);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await ns.exec('nft', ['-f', '-'], `add rule ip ctscope_test_nat out ip daddr ${VIP} udp dport 53 dnat to ${B}\n`);
    const fresh = started(ns, FRESH_CLIENTS);
    await waitUntil('new clients answered by B', () => fresh.lines() >= 3, 10_000);

    const found = await probe.waitFor('the possible black hole', (r) => r.active.find((d) => d.name === 'udp-black-hole'), 20_000);
    expect(found.severity).toBe('info');
    expect(found.evidence.query).toBe(`udp dst:${VIP} dport:53 reply-src:${VIP} unreplied`);
    expect(found.evidence.facts).toContainEqual({ label: 'Answered entries point at', value: B });
    expect(found.fixes[0]).toMatchObject({ kind: 'sysctl', changes: { 'net.netfilter.nf_conntrack_acct': 1 } });
    expect(found.fixes[1]).toMatchObject({ kind: 'delete', query: `udp dst:${VIP} dport:53 reply-src:${VIP} unreplied`, count: 1 });
    expect((await entriesByReplySource(ns)).get(VIP)).toHaveLength(1);
  });
});

import { fileURLToPath } from 'node:url';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Expectation } from '../expectation';
import { formatExpectation } from '../text/format-expect';
import { createFtpExpectations, FTP_DATA_PORTS } from './testing/ftp';

const TSX = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
const PROBE = fileURLToPath(new URL('./testing/probe.ts', import.meta.url));
const CTSCOPE = fileURLToPath(new URL('../../../../apps/agent/bin/ctscope.mjs', import.meta.url));

/** The timeout (first column) ticks between two reads: compare the rest, in a stable order. */
const stable = (lines: string[]) => lines.map((l) => l.replace(/^\d+ /, 'T ')).sort();
const linesOf = (text: string) => text.split('\n').filter(Boolean);

describe.skipIf(skipKernelTests())('the expectation table against the real kernel', () => {
  let ns: Netns;
  beforeAll(async () => {
    ns = await createNetns();
    await createFtpExpectations(ns);
  });
  afterAll(async () => {
    await ns?.destroy();
  });

  it('dumps the FTP helper expectations exactly as conntrack -L expect prints them', async () => {
    const { stdout } = await ns.exec(TSX, [PROBE, 'expect']);
    const ours = JSON.parse(stdout.trim()) as Expectation[];
    const cli = linesOf((await ns.conntrack(['-L', 'expect'])).stdout);
    expect(ours.map((e) => e.tuple.dport).sort()).toEqual([FTP_DATA_PORTS.ipv4, FTP_DATA_PORTS.ipv6]);
    expect(cli.length).toBeGreaterThanOrEqual(1);
    // conntrack -L expect asks for IPv4 unless told otherwise: compare each family with its own listing.
    const cli6 = linesOf((await ns.conntrack(['-L', 'expect', '-f', 'ipv6'])).stdout);
    const byFamily = (family: Expectation['family']) => stable(ours.filter((e) => e.family === family).map(formatExpectation));
    expect(byFamily('ipv4')).toEqual(stable(cli));
    expect(byFamily('ipv6')).toEqual(stable(cli6));
    const v4 = ours.find((e) => e.family === 'ipv4');
    expect(v4).toMatchObject({ proto: 'tcp', helper: 'ftp', master: { dport: 21 }, mask: { dport: 65535 }, flags: [] });
    expect(v4?.timeout).toBeGreaterThan(200);
  });

  it('prints the same through `ctscope list expect`, and JSON lines with --json', async () => {
    const text = await ns.exec(process.execPath, [CTSCOPE, 'list', 'expect']);
    expect(stable(linesOf(text.stdout))).toEqual(stable(linesOf((await ns.conntrack(['-L', 'expect'])).stdout).concat(linesOf((await ns.conntrack(['-L', 'expect', '-f', 'ipv6'])).stdout))));
    expect(text.stderr).toMatch(/2 expectations have been shown/);
    const v6 = await ns.exec(process.execPath, [CTSCOPE, 'list', '--expect', '-f', 'ipv6', '--json']);
    const rows = linesOf(v6.stdout).map((l) => JSON.parse(l) as Expectation);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ family: 'ipv6', tuple: { dst: '::1', dport: FTP_DATA_PORTS.ipv6 }, helper: 'ftp' });
  });
});

/**
 * Real connection labels for tests and fixtures. iptables' connlabel match takes bit numbers without
 * /etc/xtables/connlabel.conf (nft's `ct label` does not), so it sets them inside a namespace; the
 * conntrack CLI prints labels only through that file's names, so it runs over a private overlay of
 * /etc that holds one (the host's /etc is never written).
 */
import type { Netns } from '@ctscope/testkit';

/** Bits on both sides of the first 64-bit word of the kernel's bitmap. */
export const LABEL_BITS = [5, 70] as const;
export const LABEL_NAMES: ReadonlyMap<number, string> = new Map([
  [5, 'ctscope-five'],
  [70, 'ctscope-seventy'],
]);
const CONNLABEL_CONF = [...LABEL_NAMES].map(([bit, name]) => `${bit} ${name}\n`).join('');

/** Sets LABEL_BITS on the entries of UDP packets the namespace sends to `port`. */
export async function labelUdpFlows(ns: Netns, port: number): Promise<void> {
  for (const bit of LABEL_BITS) await ns.exec('iptables', ['-t', 'mangle', '-A', 'OUTPUT', '-p', 'udp', '--dport', String(port), '-m', 'connlabel', '--label', String(bit), '--set']);
}

/**
 * Plain Node run by `ip netns exec`, which gives it a mount namespace of its own (host mounts reach it,
 * its mounts do not reach the host): /etc gets an overlay whose writable layer is a temporary
 * directory, connlabel.conf is written there, then conntrack runs with the given arguments.
 */
const WITH_CONNLABEL_CONF = `
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
const [conf, ...args] = process.argv.slice(1);
const dir = mkdtempSync('/tmp/ctscope-connlabel-');
try {
  mkdirSync(dir + '/upper');
  mkdirSync(dir + '/work');
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', 'lowerdir=/etc,upperdir=' + dir + '/upper,workdir=' + dir + '/work', '/etc']);
  try {
    mkdirSync('/etc/xtables', { recursive: true });
    writeFileSync('/etc/xtables/connlabel.conf', conf);
    process.stdout.write(execFileSync('conntrack', args, { maxBuffer: 1 << 26 }));
  } finally {
    execFileSync('umount', ['/etc']);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
`;

/** `conntrack <args>` inside the namespace with LABEL_NAMES as its connlabel.conf; its stdout. */
export async function conntrackWithLabelNames(ns: Netns, args: readonly string[]): Promise<string> {
  return (await ns.exec(process.execPath, ['--input-type=module', '-e', WITH_CONNLABEL_CONF, CONNLABEL_CONF, ...args])).stdout;
}

// Records real kernel conntrack traffic for the fleet simulation (`ctscope simulate`): a throwaway network
// namespace with real TCP (held and short-lived), UDP and ICMP traffic over IPv4 and IPv6; its table,
// events and statistics are written as a gzip'd recording.
// usage: tsx bench/src/fleet/record.ts [OUT_FILE] [SECONDS]   (root; default bench/fleet/recording.json.gz, 90 s)
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createNetns, generateTraffic, skipKernelTests, startTraffic } from '@ctscope/testkit';

const PROBE = fileURLToPath(new URL('../../../apps/agent/src/simulation/record-probe.ts', import.meta.url));
export const DEFAULT_RECORDING = fileURLToPath(new URL('../../fleet/recording.json.gz', import.meta.url));

const out = process.argv[2] ?? DEFAULT_RECORDING;
const seconds = Number(process.argv[3] ?? 90);
if (skipKernelTests()) process.exit(1);

const ns = await createNetns();
try {
  // Short timeouts (this namespace only) so entries also expire during the recording: a table that churns.
  await ns.sysctl('net.netfilter.nf_conntrack_acct', 1);
  await ns.sysctl('net.netfilter.nf_conntrack_tcp_timeout_time_wait', 20);
  await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 10);
  startTraffic(ns, { hold: 16, ipv6: true });
  await generateTraffic(ns, { tcp: 20, udp: 20, icmp: 5, ipv6: true });
  const probe = ns.spawn(process.execPath, ['--import', 'tsx', PROBE, out, String(seconds)]);
  probe.stderr?.pipe(process.stderr);
  const started = new Promise<void>((resolve) => probe.stdout?.once('data', () => resolve()));
  const exited = new Promise<number>((resolve) => probe.once('exit', (code) => resolve(code ?? 1)));
  probe.stdout?.pipe(process.stdout);
  await Promise.race([started, exited]);
  const loop = startTraffic(ns, { tcp: 3, udp: 3, icmp: 1, ipv6: true }, 1);
  const code = await exited;
  loop.kill('SIGKILL');
  if (code !== 0) throw new Error(`the recorder exited with ${code}`);
  process.stdout.write(`${out}: ${(await stat(out)).size} bytes\n`);
} finally {
  await ns.destroy();
}

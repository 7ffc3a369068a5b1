import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bridgeIntoNetns, createNetns, startTraffic } from '@ctscope/testkit';
import { ROOT } from './lib/setup.mjs';
import { CTSCOPE_BIN, startDashboard, superviseChildren, waitForHealth } from './lib/stack.mjs';

const PORT = Number(process.env.PORT ?? 3000);
const DATA_DIR = join(ROOT, 'data', 'demo');
const TOKEN_FILE = join(DATA_DIR, 'demo-agent.token');
const url = `http://127.0.0.1:${PORT}`;

const dashboard = startDashboard({ port: PORT, dataDir: DATA_DIR, env: { CTSCOPE_LOCAL_AGENT_TOKEN_FILE: TOKEN_FILE } });
const ns = await createNetns();
let cleaned = false;
const cleanup = async () => {
  if (cleaned) return;
  cleaned = true;
  await bridge?.close();
  await ns.destroy();
  process.stdout.write(`demo namespace ${ns.name} removed\n`);
};
let bridge: Awaited<ReturnType<typeof bridgeIntoNetns>> | undefined;
try {
  await waitForHealth(url, dashboard);
  bridge = await bridgeIntoNetns(ns, PORT);
  const agent = ns.spawn(process.execPath, [CTSCOPE_BIN, 'agent', '--dashboard', `http://127.0.0.1:${bridge.nsPort}`, '--token-file', TOKEN_FILE]);
  agent.stdout?.pipe(process.stdout);
  agent.stderr?.pipe(process.stderr);
  const traffic = startTraffic(ns, { tcp: 40, hold: 25, udp: 60, icmp: 5, ipv6: true }, 3);
  process.stdout.write(
    `\nctscope demo: ${url} (log in as admin). The agent runs in namespace ${ns.name} with TCP/UDP/ICMP traffic every 3 s.\n` +
      `Compare with: sudo ip netns exec ${ns.name} conntrack -L\nCtrl-C stops everything and removes the namespace.\n\n`,
  );
  superviseChildren([dashboard, agent, traffic], cleanup);
} catch (err) {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  dashboard.kill('SIGTERM');
  await cleanup();
  process.exit(1);
}
// Last resort when the process exits some other way: namespaces are not removed by the kernel.
process.on('exit', () => {
  if (!cleaned) spawn('ip', ['netns', 'delete', ns.name], { stdio: 'ignore', detached: true }).unref();
});

// `npm start`: install what is missing, build, run the dashboard on http://127.0.0.1:3000 and a local agent.
// As root, the dashboard runs as the system user ctscope (scripts/lib/dashboard-user.mjs); only the agent keeps root.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { say } from './lib/run.mjs';
import { ROOT, RUNTIME_PACKAGES, checkNode, buildAgentBundle, buildNativeAddon, ensureDashboardBuild, ensureDebianPackages, ensureNpmDependencies, ensureReleasePackages, isRoot } from './lib/setup.mjs';
import { AGENT_NODE_FLAGS } from '../apps/agent/bin/node-flags.mjs';
import { CTSCOPE_BIN, localDashboardUrl, startDashboard, superviseChildren, waitForHealth } from './lib/stack.mjs';

const PORT = Number(process.env.PORT ?? 3000);
const DATA_DIR = join(ROOT, 'data');
const TOKEN_FILE = join(DATA_DIR, 'local-agent.token');

try {
  checkNode();
  const missing = await ensureDebianPackages(RUNTIME_PACKAGES, { required: false });
  await ensureNpmDependencies();
  await ensureDashboardBuild();
  await buildNativeAddon();
  await buildAgentBundle();
  await ensureReleasePackages();

  // With CTSCOPE_TLS_CERT/KEY the dashboard serves HTTPS, and the local agent checks its certificate (with
  // CTSCOPE_CA_FILE when a private CA signed it; the certificate must then name 127.0.0.1).
  const url = localDashboardUrl(PORT);
  // The dashboard inherits our environment, DATABASE_URL included: say which store it will use.
  say(process.env.DATABASE_URL ? 'store: PostgreSQL from DATABASE_URL' : `store: SQLite in ${DATA_DIR}`);
  if (isRoot()) say(`the dashboard runs as the unprivileged system user ctscope (created when missing; it owns ${DATA_DIR}), only the agent as root`);
  const dashboard = startDashboard({ port: PORT, dataDir: DATA_DIR, env: { CTSCOPE_LOCAL_AGENT_TOKEN_FILE: TOKEN_FILE, ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL }) } });
  await waitForHealth(url, dashboard);
  const children = [dashboard];
  if (isRoot() && missing.length === 0) {
    children.push(spawn(process.execPath, [...AGENT_NODE_FLAGS, CTSCOPE_BIN, 'agent', '--dashboard', url, '--token-file', TOKEN_FILE], { stdio: 'inherit' }));
    say(`ctscope is running: open ${url} and log in as admin (password printed above on first run, or CTSCOPE_ADMIN_PASSWORD). Ctrl-C stops it.`);
  } else {
    say(`dashboard running at ${url}. The agent needs root (CAP_NET_ADMIN) and the conntrack tools; start it with:`);
    say(`  sudo node ${AGENT_NODE_FLAGS.join(' ')} ${CTSCOPE_BIN} agent --dashboard ${url} --token-file ${TOKEN_FILE}`);
  }
  superviseChildren(children);
} catch (err) {
  process.stderr.write(`\nnpm start failed: ${err.message}\n`);
  process.exit(1);
}

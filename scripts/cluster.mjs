// `npm run cluster`: a private Redis and two dashboard servers sharing one store, as several servers run
// behind a load balancer. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { say } from './lib/run.mjs';
import { startRedisServer } from './lib/redis.mjs';
import { ROOT, RUNTIME_PACKAGES, buildAgentBundle, buildNativeAddon, checkNode, ensureDashboardBuild, ensureDebianPackages, ensureNpmDependencies, isRoot } from './lib/setup.mjs';
import { AGENT_NODE_FLAGS } from '../apps/agent/bin/node-flags.mjs';
import { CTSCOPE_BIN, localDashboardUrl, startDashboard, superviseChildren, waitForHealth } from './lib/stack.mjs';

const PORT_A = Number(process.env.PORT ?? 3000);
const PORT_B = PORT_A + 1;
const DATA_DIR = join(ROOT, 'data-cluster');
const TOKEN_FILE = join(DATA_DIR, 'local-agent.token');

const children = [];
let redis;
try {
  checkNode();
  await ensureDebianPackages(['redis-server'], { required: true });
  const missing = await ensureDebianPackages(RUNTIME_PACKAGES, { required: false });
  await ensureNpmDependencies();
  await ensureDashboardBuild();
  await buildNativeAddon();
  await buildAgentBundle();

  redis = await startRedisServer();
  redis.child.once('exit', (code, signal) => !signal && code !== 0 && process.stderr.write(`redis-server stopped (${code}); the dashboards cannot reach each other\n`));
  say(`redis-server on ${redis.safeUrl} (password-protected, no persistence)`);
  // Both start at once, as a deployment's servers do; the store (SQLite in data-cluster/, or PostgreSQL
  // when DATABASE_URL is set) is shared.
  // Both servers sign what they send each other with one secret, fresh for this run.
  const env = { REDIS_URL: redis.url, CTSCOPE_CLUSTER_SECRET: randomBytes(32).toString('base64url'), CTSCOPE_LOCAL_AGENT_TOKEN_FILE: TOKEN_FILE };
  const [a, b] = [PORT_A, PORT_B].map((port) => startDashboard({ port, dataDir: DATA_DIR, env }));
  children.push(a, b);
  const [urlA, urlB] = [PORT_A, PORT_B].map(localDashboardUrl);
  await Promise.all([waitForHealth(urlA, a), waitForHealth(urlB, b)]);

  if (isRoot() && missing.length === 0) {
    children.push(spawn(process.execPath, [...AGENT_NODE_FLAGS, CTSCOPE_BIN, 'agent', '--dashboard', urlB, '--token-file', TOKEN_FILE], { stdio: 'inherit' }));
    say(`this host's agent is connected to server B (${urlB})`);
  } else {
    say(`start an agent against either server, e.g.: sudo node ${AGENT_NODE_FLAGS.join(' ')} ${CTSCOPE_BIN} agent --dashboard ${urlB} --token-file ${TOKEN_FILE}`);
  }
  say(`two dashboard servers share sessions, views, hosts and audit:\n    A: ${urlA}\n    B: ${urlB}\n  log in on either (as admin); put a load balancer with sticky sessions in front for one URL. Ctrl-C stops everything.`);
  superviseChildren(children, () => redis.stop());
} catch (err) {
  for (const child of children) child.kill('SIGTERM');
  await redis?.stop();
  process.stderr.write(`\nnpm run cluster failed: ${err.message}\n`);
  process.exit(1);
}

import pino from 'pino';
import { createDashboardServer } from './src/server/app';
import { loadConfig } from './src/server/config';

// The dashboard needs no privileges: a flaw in it (Next.js, Express, a dependency) must not be root's.
if (process.getuid?.() === 0) {
  process.stderr.write(
    'ctscope dashboard: refusing to run as root; it needs no privileges (only the agent does). ' +
      'Run it as an ordinary user: `npm start` as root does so itself (system user "ctscope"), ' +
      'or use the systemd unit apps/dashboard/deploy/ctscope-dashboard.service (User=ctscope).\n',
  );
  process.exit(1);
}

const config = loadConfig();
const logger = pino({ level: config.logLevel });
const server = await createDashboardServer(config, logger);
const port = await server.listen();
const url = `${server.scheme}://${config.host}:${port}`;

const lines = [`ctscope dashboard: ${url}`, `  log in as "admin"`];
if (server.admin.created && server.admin.generatedPassword) {
  lines.push(`  generated admin password (shown once, stored only as a hash): ${server.admin.generatedPassword}`);
} else if (server.admin.created) {
  lines.push('  with the password from CTSCOPE_ADMIN_PASSWORD');
} else {
  lines.push('  with the admin password set on first run');
}
lines.push(`  local agent token: ${server.localAgent.tokenFile} (host "${server.localAgent.hostId}")`);
process.stdout.write(`\n${lines.join('\n')}\n\n`);
logger.info({ url }, 'dashboard listening');

// A renewed certificate is picked up without a restart: replace the files, then `kill -HUP` (systemctl reload).
// Without TLS, SIGHUP keeps its default (the server ends with its terminal).
if (server.scheme === 'https') {
  process.on('SIGHUP', () => {
    server.reloadTls().then(
      () => logger.info('TLS certificate and key reloaded'),
      (err: unknown) => logger.error({ err: (err as Error).message }, 'TLS certificate not reloaded; the previous one stays in use'),
    );
  });
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping');
    void server.close().finally(() => process.exit(0));
  });
}

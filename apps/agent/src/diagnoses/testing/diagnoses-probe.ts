// Runs the agent's services (startServices: mirror, sampler, diagnosis engine, /metrics, changes)
// inside a network namespace for kernel tests, with no dashboard: every diagnoses report is printed as
// a JSON line {"report": ...}. Commands arrive on stdin, one JSON line each, answered with {"answer": ...}:
//   {"op":"dry","query":"..."}   delete-matching dry run, as the dashboard sends it
//   {"op":"plan","planId":"..."} delete-matching of that plan
// argv: the agent options to add (e.g. --diagnose-udp-silence 3 --metrics 127.0.0.1:9477).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { NetlinkSource } from '@ctscope/conntrack';
import pino from 'pino';
import { parseAgentConfig } from '../../config';
import { startServices } from '../../live/services';

const dir = mkdtempSync(join(tmpdir(), 'ctscope-diag-'));
const config = parseAgentConfig(['--dashboard', 'http://127.0.0.1:9', '--token-file', join(dir, 'token'), '--audit-file', join(dir, 'audit.jsonl'), '--diagnose-interval', '1', ...process.argv.slice(2)], {});
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const services = await startServices({
  config,
  source: new NetlinkSource(),
  info: { hostname: 'probe', agentVersion: '0.0.0', kernel: 'test', source: 'netlink' },
  logger: pino({ level: 'silent' }),
  kernelLog: false,
  namespaces: false,
  dashboardConnected: () => false,
  sendSample: () => undefined,
  sendDiagnoses: (report) => print({ report }),
});
const actor = { user: 'kernel-test', role: 'admin' as const };
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { op: 'dry'; query: string } | { op: 'plan'; planId: string };
  const request = command.op === 'dry' ? { query: command.query, dryRun: true as const } : { planId: command.planId, dryRun: false as const };
  void services.changes.deleteMatching(actor, request).then((answer) => print({ answer }));
});
process.on('SIGTERM', () => void services.stop().then(() => process.exit(0)));
print('ready');

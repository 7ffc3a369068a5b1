import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isLoopback } from './metrics/server';

const agentConfigSchema = z.object({
  dashboard: z.url({ protocol: /^https?$/, error: '--dashboard must be an http(s) URL, e.g. https://ctscope.example.internal' }),
  /** PEM file of the CA that signed the dashboard's certificate: then only that CA is trusted. */
  caFile: z.string().min(1, '--ca-file needs a file name').optional(),
  /** Accept a plain http:// dashboard that is not on loopback (warned about at start and every hour). */
  insecureHttp: z.boolean(),
  tokenFile: z.string().min(1, '--token-file is required: the file holding this host\'s agent token'),
  /** Seconds between stats samples. */
  interval: z.coerce.number().min(0.2).max(60),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Receive buffer of the event socket in bytes (forced past rmem_max, like `conntrack -b`). */
  eventBuffer: z.coerce.number().int().min(65_536, '--event-buffer must be at least 65536 bytes').max(1 << 30, '--event-buffer must be at most 1 GiB'),
  auditFile: z.string().min(1),
  /** host:port of the Prometheus endpoint, or null when disabled with --metrics off. */
  metrics: z
    .string()
    .transform((value, ctx) => {
      if (value === 'off') return null;
      const match = /^(\[[0-9a-fA-F:]+\]|[0-9.]+|localhost):(\d{1,5})$/.exec(value);
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65_535) {
        ctx.addIssue({ code: 'custom', message: '--metrics must be HOST:PORT (e.g. 127.0.0.1:9477) or "off"' });
        return z.NEVER;
      }
      return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port };
    }),
  metricsAllowRemote: z.boolean(),
  /** Seconds without a new increase before a rising-counter alert (drops, table full, lost events) clears. */
  alertClearAfter: z.coerce.number({ error: '--alert-clear-after must be a number of seconds' }).min(0, '--alert-clear-after must be between 0 and 86400 seconds').max(86_400, '--alert-clear-after must be between 0 and 86400 seconds'),
  /** Seconds between composition summaries (what fills the table, for the growth view and alert attribution). */
  compositionInterval: z.coerce.number({ error: '--composition-interval must be a number of seconds' }).min(1, '--composition-interval must be between 1 and 600 seconds').max(600, '--composition-interval must be between 1 and 600 seconds'),
  /** Table usage % above which the usage warning fires (it clears 5 points lower); the critical level stays at 95 %. */
  usageWarning: z.coerce.number({ error: '--usage-warning must be a percentage' }).gt(0, '--usage-warning must be above 0 and at most 95 (%)').max(95, '--usage-warning must be above 0 and at most 95 (%)'),
  /** Seconds between passes of the diagnosis detectors. */
  diagnoseInterval: z.coerce.number({ error: '--diagnose-interval must be a number of seconds' }).min(1, '--diagnose-interval must be between 1 and 300 seconds').max(300, '--diagnose-interval must be between 1 and 300 seconds'),
  /** Seconds an answered UDP entry may keep sending without an answer before it counts as a black hole. */
  diagnoseUdpSilence: z.coerce.number({ error: '--diagnose-udp-silence must be a number of seconds' }).min(1, '--diagnose-udp-silence must be between 1 and 3600 seconds').max(3_600, '--diagnose-udp-silence must be between 1 and 3600 seconds'),
  /** Table usage (fraction of nf_conntrack_max) from which a table filled by one state is diagnosed. */
  diagnoseTableFull: z.coerce.number({ error: '--diagnose-table-full must be a fraction of nf_conntrack_max' }).gt(0, '--diagnose-table-full must be above 0 and at most 1 (a fraction of nf_conntrack_max)').max(1, '--diagnose-table-full must be above 0 and at most 1 (a fraction of nf_conntrack_max)'),
  /** INVALID packets per second (over the last 30 s) from which INVALID drops are diagnosed. */
  diagnoseInvalidRate: z.coerce.number({ error: '--diagnose-invalid-rate must be a number of packets per second' }).gt(0, '--diagnose-invalid-rate must be above 0 (packets per second)').max(1e9, '--diagnose-invalid-rate is too large'),
  /** Where the host's procfs, sysfs and root filesystem are (a container with the host's mounted elsewhere). */
  paths: z.object({
    procfs: z.string().startsWith('/', '--path.procfs must be an absolute path'),
    sysfs: z.string().startsWith('/', '--path.sysfs must be an absolute path'),
    rootfs: z.string().startsWith('/', '--path.rootfs must be an absolute path'),
  }),
})
  .refine((c) => c.metrics === null || c.metricsAllowRemote || isLoopback(c.metrics.host), {
    message: '--metrics must be a loopback address (127.0.0.1, ::1) unless --metrics-allow-remote is given',
  })
  .refine((c) => c.caFile === undefined || c.dashboard.startsWith('https:'), {
    message: '--ca-file applies to an https:// dashboard only: use https:// in --dashboard',
  })
  .superRefine((c, ctx) => {
    if (c.insecureHttp || !isPlainHttpRemote(c.dashboard)) return;
    ctx.addIssue({
      code: 'custom',
      message:
        `--dashboard ${c.dashboard} is plain HTTP to an address that is not loopback: this host's token and every change would cross the network unencrypted. ` +
        'Serve the dashboard over HTTPS (CTSCOPE_TLS_CERT and CTSCOPE_TLS_KEY, or a TLS proxy) and use its https:// URL (with --ca-file if a private CA signed its certificate), ' +
        'or add --insecure-http to accept the risk (for the service: CTSCOPE_INSECURE_HTTP=1 in /etc/ctscope/agent.env)',
    });
  });
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** True for an http:// URL whose host is not loopback (TLS is expected there). */
export function isPlainHttpRemote(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && !isLoopback(parsed.hostname);
}

export const AGENT_USAGE = `usage: ctscope agent --dashboard URL --token-file FILE [options]

  --dashboard URL     the ctscope dashboard to report to (https://...; http:// only on loopback)
  --token-file FILE   file holding this host's agent token (keep it mode 0600)
  --ca-file FILE      PEM of the CA that signed the dashboard's certificate (then only it is trusted;
                      without it the system's usual CAs verify the certificate)
  --insecure-http     allow a plain http:// dashboard that is not on loopback (warned about hourly)
  --interval SECONDS  seconds between stats samples (default 1)
  --event-buffer BYTES  receive buffer for kernel events (default 8388608; forced like conntrack -b)
  --audit-file FILE   where every change this agent makes is recorded (default /var/lib/ctscope/audit.jsonl)
  --metrics HOST:PORT Prometheus /metrics and /healthz (default 127.0.0.1:9477; "off" disables)
  --metrics-allow-remote  allow --metrics on a non-loopback address
  --alert-clear-after SECONDS  quiet time before a drop / table-full / lost-events alert clears (default 60)
  --usage-warning PERCENT  table usage that raises the usage warning (default 90; clears 5 points lower)
  --composition-interval SECONDS  seconds between summaries of what fills the table (default 10)
  --diagnose-interval SECONDS  seconds between passes of the diagnoses (default 5)
  --diagnose-udp-silence SECONDS  an answered UDP entry that keeps sending this long without an answer
                      is a black hole (default 30)
  --diagnose-table-full FRACTION  usage of nf_conntrack_max from which a table filled by one state
                      is diagnosed (default 0.8)
  --diagnose-invalid-rate PER_SECOND  INVALID packets/s (over 30 s) that are diagnosed (default 1)
  --path.procfs DIR   procfs mount (default /proc); --path.sysfs DIR (/sys); --path.rootfs DIR (/,
                      its etc/ receives sysctl.d/90-ctscope.conf and modules-load.d/ctscope.conf)
environment: CTSCOPE_LOG_LEVEL (info), CTSCOPE_CA_FILE (as --ca-file when that is not given),
             CTSCOPE_INSECURE_HTTP=1 (as --insecure-http)`;

export class ConfigError extends Error {}

/** The only place the agent reads its arguments and environment. */
export function parseAgentConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        dashboard: { type: 'string' },
        'token-file': { type: 'string' },
        'ca-file': { type: 'string' },
        'insecure-http': { type: 'boolean', default: false },
        interval: { type: 'string', default: '1' },
        'event-buffer': { type: 'string', default: String(8 << 20) },
        'audit-file': { type: 'string', default: '/var/lib/ctscope/audit.jsonl' },
        metrics: { type: 'string', default: '127.0.0.1:9477' },
        'metrics-allow-remote': { type: 'boolean', default: false },
        'alert-clear-after': { type: 'string', default: '60' },
        'usage-warning': { type: 'string', default: '90' },
        'composition-interval': { type: 'string', default: '10' },
        'diagnose-interval': { type: 'string', default: '5' },
        'diagnose-udp-silence': { type: 'string', default: '30' },
        'diagnose-table-full': { type: 'string', default: '0.8' },
        'diagnose-invalid-rate': { type: 'string', default: '1' },
        'path.procfs': { type: 'string', default: '/proc' },
        'path.sysfs': { type: 'string', default: '/sys' },
        'path.rootfs': { type: 'string', default: '/' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const parsed = agentConfigSchema.safeParse({
    dashboard: values.dashboard,
    tokenFile: values['token-file'] ?? '',
    // From the environment too, so a unit's EnvironmentFile can pin the CA without changing ExecStart.
    caFile: values['ca-file'] ?? (env.CTSCOPE_CA_FILE || undefined),
    insecureHttp: values['insecure-http'] || env.CTSCOPE_INSECURE_HTTP === '1',
    interval: values.interval,
    eventBuffer: values['event-buffer'],
    auditFile: values['audit-file'],
    metrics: values.metrics,
    metricsAllowRemote: values['metrics-allow-remote'],
    alertClearAfter: values['alert-clear-after'],
    usageWarning: values['usage-warning'],
    compositionInterval: values['composition-interval'],
    diagnoseInterval: values['diagnose-interval'],
    diagnoseUdpSilence: values['diagnose-udp-silence'],
    diagnoseTableFull: values['diagnose-table-full'],
    diagnoseInvalidRate: values['diagnose-invalid-rate'],
    paths: { procfs: values['path.procfs'], sysfs: values['path.sysfs'], rootfs: values['path.rootfs'] },
    logLevel: env.CTSCOPE_LOG_LEVEL ?? 'info',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = issue?.path[0] === 'dashboard' && values.dashboard === undefined ? '--dashboard is required' : (issue?.message ?? 'invalid arguments');
    throw new ConfigError(message);
  }
  return parsed.data;
}

import { parseArgs } from 'node:util';
import { z } from 'zod';

const agentConfigSchema = z.object({
  dashboard: z.url({ protocol: /^https?$/, error: '--dashboard must be an http(s) URL, e.g. http://127.0.0.1:3000' }),
  tokenFile: z.string().min(1, '--token-file is required: the file holding this host\'s agent token'),
  /** Seconds between stats samples. */
  interval: z.coerce.number().min(0.2).max(60),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export const AGENT_USAGE = `usage: ctscope agent --dashboard URL --token-file FILE [--interval SECONDS]

  --dashboard URL     the ctscope dashboard to report to (http://127.0.0.1:3000)
  --token-file FILE   file holding this host's agent token (keep it mode 0600)
  --interval SECONDS  seconds between stats samples (default 1)
environment: CTSCOPE_LOG_LEVEL (info)`;

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
        interval: { type: 'string', default: '1' },
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
    interval: values.interval,
    logLevel: env.CTSCOPE_LOG_LEVEL ?? 'info',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = issue?.path[0] === 'dashboard' && values.dashboard === undefined ? '--dashboard is required' : (issue?.message ?? 'invalid arguments');
    throw new ConfigError(message);
  }
  return parsed.data;
}

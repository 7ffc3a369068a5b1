import { resolve } from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  CTSCOPE_HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  CTSCOPE_DATA_DIR: z.string().default('data'),
  /** postgres://user:password@host:port/db: the store lives in PostgreSQL instead of the SQLite file. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CTSCOPE_ADMIN_PASSWORD: z.string().min(12, 'CTSCOPE_ADMIN_PASSWORD must be at least 12 characters').optional(),
  /** Where the dashboard writes the token for the agent on its own host (npm start passes it to that agent). */
  CTSCOPE_LOCAL_AGENT_TOKEN_FILE: z.string().optional(),
  /** Extra origins allowed to open browser sockets, comma separated (the dashboard's own is always allowed). */
  CTSCOPE_ALLOWED_ORIGINS: z.string().default(''),
  /** Set when served over HTTPS (behind a TLS proxy): session cookies get the Secure flag. */
  CTSCOPE_SECURE_COOKIES: z.enum(['true', 'false']).default('false'),
  CTSCOPE_SESSION_HOURS: z.coerce.number().min(1).max(24 * 30).default(12),
  /** Days of reduced-resolution stats history kept per host. */
  CTSCOPE_HISTORY_DAYS: z.coerce.number().min(1).max(400).default(7),
  /** Seconds between history points stored per host. */
  CTSCOPE_HISTORY_STEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /** The dashboard's address as agents on other hosts reach it (shown in enrollment commands); defaults to the address the admin's browser used. */
  CTSCOPE_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Several dashboard servers behind one address share Socket.IO through this Redis (redis://host:port). */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'REDIS_URL must look like redis://127.0.0.1:6379' }).optional(),
  /** Shared by every dashboard server of a cluster: the messages they exchange over Redis are signed with it. */
  CTSCOPE_CLUSTER_SECRET: z.string().min(32, 'CTSCOPE_CLUSTER_SECRET must be at least 32 characters (openssl rand -base64 32)').optional(),
  CTSCOPE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
});

export interface DashboardConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseFile: string;
  /** PostgreSQL connection string; unset means the SQLite file. */
  databaseUrl: string | undefined;
  adminPassword: string | undefined;
  localAgentTokenFile: string;
  allowedOrigins: string[];
  secureCookies: boolean;
  sessionTtlMs: number;
  history: { retentionMs: number; stepMs: number };
  publicUrl: string | undefined;
  redisUrl: string | undefined;
  /** Signs messages between dashboard servers; set whenever redisUrl is. */
  clusterSecret: string | undefined;
  logLevel: z.infer<typeof envSchema>['CTSCOPE_LOG_LEVEL'];
  dev: boolean;
  /** Directory of the Next.js app (this package). */
  appDir: string;
}

/** The only place the dashboard reads its environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, appDir = process.cwd()): DashboardConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unknown problem'}`);
  }
  const e = parsed.data;
  if (e.REDIS_URL && !e.CTSCOPE_CLUSTER_SECRET) {
    throw new Error('invalid configuration: CTSCOPE_CLUSTER_SECRET is required with REDIS_URL: the dashboard servers sign their messages over Redis with it; give every server the same value, e.g. from openssl rand -base64 32');
  }
  const dataDir = resolve(appDir, e.CTSCOPE_DATA_DIR);
  return {
    host: e.CTSCOPE_HOST,
    port: e.PORT,
    dataDir,
    databaseFile: resolve(dataDir, 'ctscope.sqlite'),
    databaseUrl: e.DATABASE_URL,
    adminPassword: e.CTSCOPE_ADMIN_PASSWORD,
    localAgentTokenFile: resolve(appDir, e.CTSCOPE_LOCAL_AGENT_TOKEN_FILE ?? resolve(dataDir, 'local-agent.token')),
    allowedOrigins: e.CTSCOPE_ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    secureCookies: e.CTSCOPE_SECURE_COOKIES === 'true',
    sessionTtlMs: e.CTSCOPE_SESSION_HOURS * 3600_000,
    history: { retentionMs: e.CTSCOPE_HISTORY_DAYS * 86_400_000, stepMs: e.CTSCOPE_HISTORY_STEP_SECONDS * 1000 },
    publicUrl: e.CTSCOPE_PUBLIC_URL?.replace(/\/+$/, ''),
    redisUrl: e.REDIS_URL,
    clusterSecret: e.CTSCOPE_CLUSTER_SECRET,
    logLevel: e.CTSCOPE_LOG_LEVEL,
    dev: e.NODE_ENV === 'development',
    appDir,
  };
}

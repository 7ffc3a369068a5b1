import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SHELL_SAFE_URL } from '@ctscope/protocol';
import { z } from 'zod';
import { parseRoleMap, type RoleMap } from './auth/oidc-roles';

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
  /** Set when served over HTTPS by a TLS proxy in front: Secure __Host- session cookies and HSTS (implied by CTSCOPE_TLS_CERT). */
  CTSCOPE_SECURE_COOKIES: z.enum(['true', 'false']).default('false'),
  /** PEM certificate (chain) and private key: the dashboard serves HTTPS itself. Both or neither. */
  CTSCOPE_TLS_CERT: z.string().min(1).optional(),
  CTSCOPE_TLS_KEY: z.string().min(1).optional(),
  CTSCOPE_SESSION_HOURS: z.coerce.number().min(1).max(24 * 30).default(12),
  /** Days of reduced-resolution stats history kept per host. */
  CTSCOPE_HISTORY_DAYS: z.coerce.number().min(1).max(400).default(7),
  /** Seconds between history points stored per host. */
  CTSCOPE_HISTORY_STEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /** Largest incident snapshot upload (the gzip file), and how many are kept. */
  CTSCOPE_SNAPSHOT_MAX_MB: z.coerce.number().int().min(1).max(4096).default(256),
  CTSCOPE_SNAPSHOTS_KEPT: z.coerce.number().int().min(1).max(100).default(5),
  /** The dashboard's address as agents on other hosts reach it (in enrollment commands; never taken from a request). */
  CTSCOPE_PUBLIC_URL: z
    .string()
    .transform((url) => url.replace(/\/+$/, ''))
    .pipe(z.string().regex(SHELL_SAFE_URL, 'CTSCOPE_PUBLIC_URL must look like https://ctscope.example.internal[:port][/path] (letters, digits, . - _ ~ / only)'))
    .optional(),
  /** The agent packages served under /downloads/ (npm run package writes them to dist/release). */
  CTSCOPE_RELEASE_DIR: z.string().default('../../dist/release'),
  /** Several dashboard servers behind one address share Socket.IO through this Redis (redis://host:port). */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'REDIS_URL must look like redis://127.0.0.1:6379' }).optional(),
  /** Shared by every dashboard server of a cluster: the messages they exchange over Redis are signed with it. */
  CTSCOPE_CLUSTER_SECRET: z.string().min(32, 'CTSCOPE_CLUSTER_SECRET must be at least 32 characters (openssl rand -base64 32)').optional(),
  /** Minutes before a webhook or Slack destination hears again of an alert that is still active. */
  CTSCOPE_NOTIFY_REPEAT_MINUTES: z.coerce.number().min(1).max(7 * 24 * 60).default(240),
  /** Single sign-on: the OpenID provider's issuer URL (its /.well-known/openid-configuration is read at start). */
  CTSCOPE_OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'CTSCOPE_OIDC_ISSUER must be the provider\'s issuer URL, like https://sso.example.internal/realms/ops' }).optional(),
  CTSCOPE_OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** The client secret, or a file holding it (CTSCOPE_OIDC_CLIENT_SECRET_FILE, readable by the dashboard's user only). */
  CTSCOPE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  CTSCOPE_OIDC_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  /** The ID token claim holding the user's groups (a dotted path such as realm_access.roles reaches into objects). */
  CTSCOPE_OIDC_ROLE_CLAIM: z.string().regex(/^[A-Za-z0-9_:/.-]+$/, 'CTSCOPE_OIDC_ROLE_CLAIM must be a claim name such as groups or realm_access.roles').default('groups'),
  /** group=role pairs, comma separated: netops=operator,admins=admin,readers=viewer. */
  CTSCOPE_OIDC_ROLE_MAP: z.string().optional(),
  CTSCOPE_OIDC_SCOPES: z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'CTSCOPE_OIDC_SCOPES must be scopes separated by single spaces, like "openid profile email groups"').default('openid profile email'),
  /** off: the password form is only for the bootstrap admin (break-glass); everyone else signs in with SSO. */
  CTSCOPE_LOCAL_LOGIN: z.enum(['on', 'off']).default('on'),
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
  /** Files of the certificate and key when the dashboard serves HTTPS itself. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** Served over HTTPS (by us or a proxy): Secure __Host- cookies, HSTS. */
  secureCookies: boolean;
  sessionTtlMs: number;
  history: { retentionMs: number; stepMs: number };
  /** Uploaded incident snapshots: `<data>/snapshots`, size cap, count kept. */
  snapshots: { dir: string; maxBytes: number; keep: number };
  publicUrl: string | undefined;
  /** Directory of the agent packages and their SHA256SUMS. */
  releaseDir: string;
  redisUrl: string | undefined;
  /** Signs messages between dashboard servers; set whenever redisUrl is. */
  clusterSecret: string | undefined;
  /** Alert notifications: how long before an alert still active is sent again (webhook, Slack). */
  notify: { repeatMs: number };
  /** Single sign-on with OpenID Connect; unset without CTSCOPE_OIDC_ISSUER. */
  oidc: OidcConfig | undefined;
  /** Whether every local user may use the password form (false: only the bootstrap admin may). */
  localLogin: boolean;
  logLevel: z.infer<typeof envSchema>['CTSCOPE_LOG_LEVEL'];
  dev: boolean;
  /** Directory of the Next.js app (this package). */
  appDir: string;
}

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the browser back: CTSCOPE_PUBLIC_URL + /auth/oidc/callback. */
  redirectUri: string;
  roleClaim: string;
  roleMap: RoleMap;
  scopes: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function oidcConfig(e: z.infer<typeof envSchema>, appDir: string): OidcConfig | undefined {
  const fail = (message: string): never => {
    throw new Error(`invalid configuration: ${message}`);
  };
  if (!e.CTSCOPE_OIDC_ISSUER) {
    const stray = (['CTSCOPE_OIDC_CLIENT_ID', 'CTSCOPE_OIDC_CLIENT_SECRET', 'CTSCOPE_OIDC_CLIENT_SECRET_FILE', 'CTSCOPE_OIDC_ROLE_MAP'] as const).find((k) => e[k] !== undefined);
    if (stray) fail(`${stray} is set but CTSCOPE_OIDC_ISSUER is not: set the issuer to turn single sign-on on, or unset ${stray}`);
    return undefined;
  }
  const issuer = new URL(e.CTSCOPE_OIDC_ISSUER);
  if (issuer.protocol === 'http:' && !LOOPBACK_HOSTS.has(issuer.hostname)) fail('CTSCOPE_OIDC_ISSUER must be https:// (plain http:// only on loopback)');
  if (!e.CTSCOPE_OIDC_CLIENT_ID) fail('CTSCOPE_OIDC_CLIENT_ID is required with CTSCOPE_OIDC_ISSUER: the client id the provider gave ctscope');
  if (e.CTSCOPE_OIDC_CLIENT_SECRET && e.CTSCOPE_OIDC_CLIENT_SECRET_FILE) fail('set CTSCOPE_OIDC_CLIENT_SECRET or CTSCOPE_OIDC_CLIENT_SECRET_FILE, not both');
  let secret = e.CTSCOPE_OIDC_CLIENT_SECRET;
  if (e.CTSCOPE_OIDC_CLIENT_SECRET_FILE) {
    try {
      secret = readFileSync(resolve(appDir, e.CTSCOPE_OIDC_CLIENT_SECRET_FILE), 'utf8').trim();
    } catch (err) {
      fail(`CTSCOPE_OIDC_CLIENT_SECRET_FILE ${e.CTSCOPE_OIDC_CLIENT_SECRET_FILE} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): it must be readable by the dashboard's user`);
    }
  }
  if (!secret) fail('CTSCOPE_OIDC_CLIENT_SECRET (or CTSCOPE_OIDC_CLIENT_SECRET_FILE) is required with CTSCOPE_OIDC_ISSUER: ctscope is a confidential client');
  if (!e.CTSCOPE_OIDC_ROLE_MAP) fail('CTSCOPE_OIDC_ROLE_MAP is required with CTSCOPE_OIDC_ISSUER: which groups get which role, like netops=operator,admins=admin,readers=viewer');
  if (!e.CTSCOPE_PUBLIC_URL) fail('CTSCOPE_PUBLIC_URL is required with CTSCOPE_OIDC_ISSUER: the provider sends browsers back to CTSCOPE_PUBLIC_URL/auth/oidc/callback (register that redirect URI with it)');
  if (!e.CTSCOPE_OIDC_SCOPES.split(' ').includes('openid')) fail('CTSCOPE_OIDC_SCOPES must include openid');
  let roleMap: RoleMap = new Map();
  try {
    roleMap = parseRoleMap(e.CTSCOPE_OIDC_ROLE_MAP ?? '');
  } catch (err) {
    fail(`CTSCOPE_OIDC_ROLE_MAP: ${(err as Error).message}`);
  }
  return {
    issuer,
    clientId: e.CTSCOPE_OIDC_CLIENT_ID ?? '',
    clientSecret: secret ?? '',
    redirectUri: `${e.CTSCOPE_PUBLIC_URL ?? ''}/auth/oidc/callback`,
    roleClaim: e.CTSCOPE_OIDC_ROLE_CLAIM,
    roleMap,
    scopes: e.CTSCOPE_OIDC_SCOPES,
  };
}

/** The only place the dashboard reads its environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, appDir = process.cwd()): DashboardConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unknown problem'}`);
  }
  const e = parsed.data;
  if ((e.CTSCOPE_TLS_CERT === undefined) !== (e.CTSCOPE_TLS_KEY === undefined)) {
    throw new Error('invalid configuration: set both CTSCOPE_TLS_CERT (the PEM certificate) and CTSCOPE_TLS_KEY (its private key) to serve HTTPS, or neither');
  }
  const tls = e.CTSCOPE_TLS_CERT && e.CTSCOPE_TLS_KEY ? { certFile: resolve(appDir, e.CTSCOPE_TLS_CERT), keyFile: resolve(appDir, e.CTSCOPE_TLS_KEY) } : undefined;
  if (e.REDIS_URL && !e.CTSCOPE_CLUSTER_SECRET) {
    throw new Error('invalid configuration: CTSCOPE_CLUSTER_SECRET is required with REDIS_URL: the dashboard servers sign their messages over Redis with it; give every server the same value, e.g. from openssl rand -base64 32');
  }
  const oidc = oidcConfig(e, appDir);
  if (e.CTSCOPE_LOCAL_LOGIN === 'off' && !oidc) {
    throw new Error('invalid configuration: CTSCOPE_LOCAL_LOGIN=off needs single sign-on (CTSCOPE_OIDC_ISSUER and its settings): otherwise only the admin could log in');
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
    tls,
    secureCookies: tls !== undefined || e.CTSCOPE_SECURE_COOKIES === 'true',
    sessionTtlMs: e.CTSCOPE_SESSION_HOURS * 3600_000,
    history: { retentionMs: e.CTSCOPE_HISTORY_DAYS * 86_400_000, stepMs: e.CTSCOPE_HISTORY_STEP_SECONDS * 1000 },
    snapshots: { dir: resolve(dataDir, 'snapshots'), maxBytes: e.CTSCOPE_SNAPSHOT_MAX_MB * 2 ** 20, keep: e.CTSCOPE_SNAPSHOTS_KEPT },
    publicUrl: e.CTSCOPE_PUBLIC_URL,
    releaseDir: resolve(appDir, e.CTSCOPE_RELEASE_DIR),
    redisUrl: e.REDIS_URL,
    clusterSecret: e.CTSCOPE_CLUSTER_SECRET,
    notify: { repeatMs: e.CTSCOPE_NOTIFY_REPEAT_MINUTES * 60_000 },
    oidc,
    localLogin: e.CTSCOPE_LOCAL_LOGIN === 'on',
    logLevel: e.CTSCOPE_LOG_LEVEL,
    dev: e.NODE_ENV === 'development',
    appDir,
  };
}

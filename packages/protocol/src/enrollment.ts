import { z } from 'zod';
import { hostIdSchema, hostSummarySchema } from './host';

/** Where the enrollment commands put the agent's token on the new host. */
export const AGENT_TOKEN_FILE = '/etc/ctscope/agent.token';

export const addHostRequestSchema = z.object({
  id: hostIdSchema,
  hostname: z.string().trim().min(1, 'hostname: required').max(253, 'hostname: at most 253 characters'),
});
export type AddHostRequest = z.infer<typeof addHostRequestSchema>;

/** A host as the hosts page lists it: its live summary plus whether its token is still valid. */
export const managedHostSchema = z.object({
  host: hostSummarySchema,
  createdAt: z.number().int(),
  /** When its token was last issued, null if unknown (hosts enrolled before this was kept). */
  tokenIssuedAt: z.number().int().nullable(),
  /** When its token was revoked; null while the agent may connect. */
  revokedAt: z.number().int().nullable(),
});
export type ManagedHost = z.infer<typeof managedHostSchema>;

export const managedHostListResponseSchema = z.object({ hosts: z.array(managedHostSchema) });

/** One agent package the dashboard serves under /downloads/, with its sha256 from SHA256SUMS. */
export const agentPackageSchema = z.object({
  kind: z.enum(['deb', 'tarball']),
  file: z.string().regex(/^ctscope-agent[-_][A-Za-z0-9.+~_-]+\.(deb|tar\.gz)$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AgentPackage = z.infer<typeof agentPackageSchema>;

/** What the hosts page shows before any token: where hosts download from, and each package with its install command. */
export const agentDownloadsSchema = z.object({
  dashboardUrl: z.string().nullable(),
  install: z.array(agentPackageSchema.extend({ command: z.string() })),
});
export type AgentDownloads = z.infer<typeof agentDownloadsSchema>;

/** A freshly issued token, shown once, and the commands that install the agent and start it with it. */
export const enrollmentSchema = z.object({
  hostId: hostIdSchema,
  token: z.string(),
  /** CTSCOPE_PUBLIC_URL; null when it is unset (the commands then carry a placeholder to replace). */
  dashboardUrl: z.string().nullable(),
  tokenFile: z.string(),
  /** Downloads a package from this dashboard, checks its sha256 and installs it; none when no package is built. */
  install: z.array(agentPackageSchema.extend({ command: z.string() })),
  /** Points the agent at this dashboard (/etc/ctscope/agent.env). */
  configureCommand: z.string(),
  /** Asks for the token without echoing it and writes the token file (mode 0600, root only). */
  writeTokenCommand: z.string(),
  /** Starts the agent's service (and at every boot). */
  startCommand: z.string(),
});
export type Enrollment = z.infer<typeof enrollmentSchema>;

export const enrollmentResponseSchema = z.object({ host: managedHostSchema, enrollment: enrollmentSchema });

/** Stands in for CTSCOPE_PUBLIC_URL in commands while it is unset: .invalid never resolves, so nothing is fetched. */
export const PUBLIC_URL_PLACEHOLDER = 'https://set-ctscope-public-url.invalid';
/** A URL that is safe in a shell command unquoted: scheme, host[:port], and a plain path. */
export const SHELL_SAFE_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~/-]*)?$/;
/**
 * True when agents refuse this dashboard URL unless CTSCOPE_INSECURE_HTTP=1 (--insecure-http): plain
 * http:// to a host that is not loopback (the agent's own rule; IPv6 never passes SHELL_SAFE_URL).
 */
export function agentsRefusePlainHttp(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && hostname !== 'localhost' && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Where the tarball's commands unpack the agent (the .deb uses /usr/lib/ctscope). */
export const TARBALL_PREFIX = '/opt/ctscope';

/** Downloads into a fresh private directory and installs only when the sha256 shown to the admin matches. */
function installCommand(url: string, pkg: AgentPackage): string {
  const fetchAndCheck = `d=$(mktemp -d) && curl -fsSL -o "$d/${pkg.file}" ${url}/downloads/${pkg.file} && echo "${pkg.sha256}  $d/${pkg.file}" | sha256sum -c -`;
  if (pkg.kind === 'deb') return `${fetchAndCheck} && sudo dpkg -i "$d/${pkg.file}" && rm -r "$d"`;
  return [
    fetchAndCheck,
    `sudo mkdir -p ${TARBALL_PREFIX}`,
    `sudo tar -xzf "$d/${pkg.file}" -C ${TARBALL_PREFIX} --strip-components=1`,
    `sudo ln -sf ${TARBALL_PREFIX}/bin/ctscope /usr/bin/ctscope`,
    `sudo install -m 0644 ${TARBALL_PREFIX}/lib/systemd/system/ctscope-agent.service /etc/systemd/system/`,
    'sudo systemctl daemon-reload',
    'rm -r "$d"',
  ].join(' && ');
}

/**
 * Shell commands for a host: install a package from this dashboard, point it here, write the token and
 * start it. The token never appears in a command (nor in shell history or a process list): the admin
 * pastes it at a prompt that does not echo. Works in bash, dash and zsh.
 */
export function enrollmentCommands(dashboardUrl: string | null, packages: readonly AgentPackage[], tokenFile = AGENT_TOKEN_FILE): Pick<Enrollment, 'install' | 'configureCommand' | 'writeTokenCommand' | 'startCommand'> {
  const url = dashboardUrl ?? PUBLIC_URL_PLACEHOLDER;
  // Pasted into a root shell: only characters that need no quoting.
  if (!SHELL_SAFE_URL.test(url)) throw new Error(`refusing to put ${JSON.stringify(url)} in a shell command`);
  return {
    install: packages.map((pkg) => ({ ...pkg, command: installCommand(url, pkg) })),
    configureCommand: `echo 'CTSCOPE_DASHBOARD=${url}' | sudo install -D -m 0644 /dev/stdin /etc/ctscope/agent.env`,
    writeTokenCommand: `printf 'Agent token: '; stty -echo; read -r t; stty echo; echo; [ -n "$t" ] && printf '%s\\n' "$t" | sudo install -D -m 0600 -o root -g root /dev/stdin ${tokenFile}; unset t`,
    startCommand: 'sudo systemctl enable --now ctscope-agent && ctscope --version',
  };
}

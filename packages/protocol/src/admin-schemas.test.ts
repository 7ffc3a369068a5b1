import { describe, expect, it } from 'vitest';
import { auditCsvLine, auditQuerySchema, describeAuditDetail } from './audit';
import { PUBLIC_URL_PLACEHOLDER, agentsRefusePlainHttp, enrollmentCommands } from './enrollment';
import { createUserRequestSchema } from './users';
import { viewHref, viewStateSchema } from './views';

const base = { hostId: 'gw1', query: '', columns: null, sort: null, range: null, eventTypes: null };

describe('view URLs', () => {
  it('puts each page’s state in its query string', () => {
    expect(viewHref({ ...base, page: 'connections', query: 'tcp dport:443', sort: { column: 'bytes', desc: false }, columns: ['proto', 'src'] })).toBe(
      '/connections?host=gw1&q=tcp+dport%3A443&sort=bytes&cols=proto%2Csrc',
    );
    expect(viewHref({ ...base, page: 'events', eventTypes: ['NEW', 'DESTROY'] })).toBe('/events?host=gw1&types=NEW%2CDESTROY');
    expect(viewHref({ ...base, page: 'events', eventTypes: ['NEW', 'UPDATE', 'DESTROY'] })).toBe('/events?host=gw1');
    expect(viewHref({ ...base, page: 'host', range: '24h' })).toBe('/hosts/gw1?range=24h');
    expect(viewHref({ ...base, page: 'host', hostId: null })).toBe('/');
  });

  it('refuses states that are not pages or hosts', () => {
    expect(viewStateSchema.safeParse({ ...base, page: 'admin' }).success).toBe(false);
    expect(viewStateSchema.safeParse({ ...base, page: 'connections', hostId: '../etc' }).success).toBe(false);
    expect(viewStateSchema.safeParse({ ...base, page: 'connections', columns: ['<script>'] }).success).toBe(false);
  });
});

describe('audit text', () => {
  it('reads before/after, host requests and refusals', () => {
    expect(describeAuditDetail({ before: { role: 'viewer' }, after: { role: 'admin' } })).toEqual({ what: '', before: '{"role":"viewer"}', after: '{"role":"admin"}' });
    expect(describeAuditDetail({ request: { keys: 1 }, error: 'host offline' })).toEqual({ what: '{"keys":1}', before: '', after: 'error: host offline' });
    expect(describeAuditDetail({ refused: 'no' })).toEqual({ what: 'refused: no', before: '', after: '' });
  });

  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    const line = auditCsvLine({ id: 1, at: 0, actor: '=cmd|x', action: 'a,b', target: 't"q', detail: null, result: 'ok' });
    expect(line).toBe(`1970-01-01T00:00:00.000Z,'=cmd|x,"t""q","a,b",ok,,,`);
  });

  it('parses query-string filters, dropping empty ones', () => {
    expect(auditQuerySchema.parse({ actor: '', result: 'ok', from: '5', page: '2' })).toEqual({ actor: undefined, target: undefined, action: undefined, result: 'ok', from: 5, page: 2, pageSize: 50 });
    expect(auditQuerySchema.safeParse({ pageSize: '1000' }).success).toBe(false);
  });
});

describe('accounts and enrollment', () => {
  it('asks for a real password and a plain username', () => {
    expect(createUserRequestSchema.safeParse({ username: 'ann', password: 'short', role: 'viewer' }).success).toBe(false);
    expect(createUserRequestSchema.safeParse({ username: 'a b', password: 'long enough pass', role: 'viewer' }).success).toBe(false);
    expect(createUserRequestSchema.safeParse({ username: 'ann', password: 'long enough pass', role: 'root' }).success).toBe(false);
  });

  const deb = { kind: 'deb' as const, file: 'ctscope-agent_1.2.3_amd64.deb', sha256: 'a'.repeat(64) };
  const tarball = { kind: 'tarball' as const, file: 'ctscope-agent-1.2.3-linux-x64.tar.gz', sha256: 'b'.repeat(64) };

  it('installs from the dashboard only after checking the sha256, and never puts the token in a command', () => {
    const commands = enrollmentCommands('https://ct.example:8443', [deb, tarball]);
    const [debInstall, tarInstall] = commands.install;
    expect(debInstall?.command).toBe(
      `d=$(mktemp -d) && curl -fsSL -o "$d/${deb.file}" https://ct.example:8443/downloads/${deb.file} && echo "${deb.sha256}  $d/${deb.file}" | sha256sum -c - && sudo dpkg -i "$d/${deb.file}" && rm -r "$d"`,
    );
    expect(tarInstall?.command).toContain(`echo "${tarball.sha256}  $d/${tarball.file}" | sha256sum -c - && sudo mkdir -p /opt/ctscope && sudo tar -xzf`);
    expect(tarInstall?.command).toContain('sudo ln -sf /opt/ctscope/bin/ctscope /usr/bin/ctscope');
    expect(commands.configureCommand).toBe("echo 'CTSCOPE_DASHBOARD=https://ct.example:8443' | sudo install -D -m 0644 /dev/stdin /etc/ctscope/agent.env");
    expect(commands.writeTokenCommand).toContain('stty -echo; read -r t; stty echo');
    // One line each: pasted into a terminal, a line break inside quotes leaves the shell waiting.
    for (const command of [...commands.install.map((i) => i.command), commands.configureCommand, commands.writeTokenCommand, commands.startCommand]) expect(command).not.toContain('\n');
    expect(commands.writeTokenCommand).toContain(`printf '%s\\n' "$t"`);
    expect(commands.writeTokenCommand).toContain('sudo install -D -m 0600 -o root -g root /dev/stdin /etc/ctscope/agent.token');
    expect(commands.startCommand).toBe('sudo systemctl enable --now ctscope-agent && ctscope --version');
    expect(JSON.stringify(commands)).not.toMatch(/npx/);
  });

  it('knows which dashboard URLs agents refuse as plain http off loopback', () => {
    for (const url of ['http://10.0.0.5:3000', 'http://ct.example', 'http://127.example']) expect(agentsRefusePlainHttp(url), url).toBe(true);
    for (const url of ['https://ct.example', 'http://127.0.0.1:3000', 'http://127.1.2.3', 'http://localhost:3000']) expect(agentsRefusePlainHttp(url), url).toBe(false);
  });

  it('uses a placeholder that resolves nowhere while CTSCOPE_PUBLIC_URL is unset, and refuses URLs that need shell quoting', () => {
    expect(enrollmentCommands(null, [deb]).install[0]?.command).toContain(`${PUBLIC_URL_PLACEHOLDER}/downloads/`);
    expect(PUBLIC_URL_PLACEHOLDER).toMatch(/\.invalid$/);
    for (const bad of ["https://ct.example/'; rm -rf / #", 'https://ct.example/$(id)', 'https://ct example', 'ftp://ct.example']) expect(() => enrollmentCommands(bad, [deb])).toThrow(/shell command/);
  });
});

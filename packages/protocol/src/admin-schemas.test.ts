import { describe, expect, it } from 'vitest';
import { auditCsvLine, auditQuerySchema, describeAuditDetail } from './audit';
import { enrollmentCommands } from './enrollment';
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

  it('writes the token file root-only and starts the agent with it', () => {
    expect(enrollmentCommands('https://ct.example', 'tok_en-1')).toEqual({
      writeTokenCommand: "echo 'tok_en-1' | sudo install -D -m 0600 -o root -g root /dev/stdin /etc/ctscope/agent.token",
      startCommand: 'sudo npx ctscope agent --dashboard https://ct.example --token-file /etc/ctscope/agent.token',
    });
  });
});

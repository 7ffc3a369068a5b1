import { spawn } from 'node:child_process';
import { httpsRequest, makeTestPki, skipKernelTests, type TestPki } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups, agentInNetns, agentTestArgs, collectOutput, stop, tempDir } from './agent-harness';
import { startTestDashboard, TEST_ADMIN_PASSWORD, type TestDashboard } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function httpsDashboard(): Promise<{ dash: TestDashboard; pki: TestPki }> {
  const pki = await makeTestPki(await tempDir(cleanups));
  const dash = await startTestDashboard({ env: { CTSCOPE_TLS_CERT: pki.certFile, CTSCOPE_TLS_KEY: pki.keyFile } });
  cleanups.add(() => dash.close());
  return { dash, pki };
}

async function login(dash: TestDashboard, pki: TestPki): Promise<{ cookie: string; setCookie: string; hsts: string | undefined }> {
  const res = await httpsRequest(`${dash.url}/api/auth/login`, pki.caFile, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const setCookie = String(res.headers['set-cookie'] ?? '');
  return { cookie: setCookie.split(';')[0] ?? '', setCookie, hsts: res.headers['strict-transport-security'] as string | undefined };
}

async function onlineHosts(dash: TestDashboard, pki: TestPki, cookie: string): Promise<string[]> {
  const res = await httpsRequest(`${dash.url}/api/hosts`, pki.caFile, { headers: { cookie } });
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { hosts: { id: string; online: boolean }[] }).hosts.filter((h) => h.online).map((h) => h.id);
}

const waitFor = async (check: () => Promise<boolean>, ms: number) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
};

describe.skipIf(skipKernelTests())('agent and dashboard over TLS', () => {
  it('serves HTTPS with a Secure __Host- session cookie and HSTS, and an agent in a namespace pinning the test CA comes online', async () => {
    const { dash, pki } = await httpsDashboard();
    expect(dash.url).toMatch(/^https:\/\//);
    const { cookie, setCookie, hsts } = await login(dash, pki);
    expect(setCookie).toMatch(/^__Host-ctscope_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('Path=/');
    expect(hsts).toMatch(/max-age=\d+/);
    expect(await onlineHosts(dash, pki, cookie)).toEqual([]);

    const { agent } = await agentInNetns(dash, cleanups, ['--ca-file', pki.caFile]);
    const output = collectOutput(agent);
    const online = await waitFor(async () => (await onlineHosts(dash, pki, cookie)).length === 1, 20_000);
    expect(online, output.text()).toBe(true);
    // The dashboard lists it online before the agent has logged the acknowledgement.
    expect(await waitFor(async () => output.text().includes('dashboard accepted this agent'), 5_000), output.text()).toBe(true);
  });

  it('refuses a certificate signed by another CA, saying to pass --ca-file with the right one', async () => {
    const { dash, pki } = await httpsDashboard();
    const { cookie } = await login(dash, pki);
    const { agent } = await agentInNetns(dash, cleanups, ['--ca-file', pki.otherCaFile]);
    const output = collectOutput(agent);
    expect(await waitFor(async () => output.text().includes('cannot trust the dashboard'), 15_000), output.text()).toBe(true);
    expect(output.text()).toContain(`not signed by the CA in --ca-file ${pki.otherCaFile}`);
    expect(output.text()).toContain("pass --ca-file with the CA that signed the dashboard's certificate");
    expect(agent.exitCode).toBeNull();
    expect(await onlineHosts(dash, pki, cookie)).toEqual([]);
  });

  it('refuses a private CA when only the system CAs are trusted (no --ca-file)', async () => {
    const { dash, pki } = await httpsDashboard();
    const { cookie } = await login(dash, pki);
    const { agent } = await agentInNetns(dash, cleanups);
    const output = collectOutput(agent);
    expect(await waitFor(async () => output.text().includes('cannot trust the dashboard'), 15_000), output.text()).toBe(true);
    expect(output.text()).toContain('not signed by a CA this host trusts');
    expect(await onlineHosts(dash, pki, cookie)).toEqual([]);
  });

  it('refuses a plain-http dashboard that is not loopback unless --insecure-http is given, then warns', async () => {
    const { args } = await agentTestArgs(cleanups, 'http://192.0.2.10:3000', 'x'.repeat(43));
    const refused = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const refusedOutput = collectOutput(refused);
    expect(await new Promise((resolve) => refused.once('exit', resolve))).toBe(2);
    expect(refusedOutput.text()).toContain('--dashboard http://192.0.2.10:3000 is plain HTTP to an address that is not loopback');
    expect(refusedOutput.text()).toMatch(/Serve the dashboard over HTTPS.*or add --insecure-http/);

    // 192.0.2.0/24 is TEST-NET-1: nothing answers, and the agent keeps trying instead of refusing.
    const allowed = spawn(process.execPath, [...args, '--insecure-http'], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.add(() => stop(allowed));
    const allowedOutput = collectOutput(allowed);
    expect(await waitFor(async () => allowedOutput.text().includes('--insecure-http: this agent talks to the dashboard over plain HTTP'), 15_000), allowedOutput.text()).toBe(true);
    expect(allowed.exitCode).toBeNull();
  });
});

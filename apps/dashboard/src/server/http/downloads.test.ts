import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentDownloadsSchema, enrollmentResponseSchema } from '@ctscope/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';

const PUBLIC_URL = 'https://ctscope.example.internal:8443';
const DEB = 'ctscope-agent_9.8.7_amd64.deb';
const TARBALL = 'ctscope-agent-9.8.7-linux-x64.tar.gz';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dash: TestDashboard;
let releaseDir = '';
const bytes = { [DEB]: randomBytes(70_000), [TARBALL]: randomBytes(50_000) };
let sums = '';

beforeAll(async () => {
  releaseDir = await mkdtemp(join(tmpdir(), 'ctscope-release-'));
  for (const [name, data] of Object.entries(bytes)) await writeFile(join(releaseDir, name), data);
  await writeFile(join(releaseDir, 'secret.txt'), 'not listed');
  // Lines that must never turn into a download: another name, a path, a malformed hash.
  sums = `${sha256(bytes[DEB])}  ${DEB}\n${sha256(bytes[TARBALL])}  ${TARBALL}\n${'c'.repeat(64)}  ../secret.txt\n${'d'.repeat(64)}  secret.txt\nxyz  ${DEB}\n`;
  await writeFile(join(releaseDir, 'SHA256SUMS'), sums);
  dash = await startTestDashboard({ env: { CTSCOPE_PUBLIC_URL: `${PUBLIC_URL}/`, CTSCOPE_RELEASE_DIR: releaseDir } });
});
afterAll(async () => {
  await dash.close();
  await rm(releaseDir, { recursive: true, force: true });
});

describe('agent packages served by the dashboard', () => {
  it('serves SHA256SUMS and the packages it lists without a session', async () => {
    const list = await fetch(`${dash.url}/downloads/SHA256SUMS`);
    expect(list.status).toBe(200);
    expect(await list.text()).toBe(sums);
    const deb = await fetch(`${dash.url}/downloads/${DEB}`);
    expect(deb.status).toBe(200);
    expect(deb.headers.get('content-type')).toBe('application/vnd.debian.binary-package');
    expect(sha256(Buffer.from(await deb.arrayBuffer()))).toBe(sha256(bytes[DEB]));
    const tarball = await fetch(`${dash.url}/downloads/${TARBALL}`);
    expect(sha256(Buffer.from(await tarball.arrayBuffer()))).toBe(sha256(bytes[TARBALL]));
  });

  it('serves nothing that SHA256SUMS does not list as a package', async () => {
    for (const path of ['secret.txt', '..%2Fsecret.txt', '%2e%2e%2fsecret.txt', `${DEB}.bak`, '']) {
      const res = await fetch(`${dash.url}/downloads/${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('not listed');
    }
    const missing = await fetch(`${dash.url}/downloads/nope.deb`);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(DEB);
  });

  it('gives enrollment commands for CTSCOPE_PUBLIC_URL with the served sha256, whatever Host the request claims', async () => {
    const cookie = await dash.login();
    const res = await fetch(`${dash.url}/api/hosts`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', host: 'attacker.example', 'x-forwarded-host': 'attacker.example', 'x-forwarded-proto': 'http' },
      body: JSON.stringify({ id: 'edge-2', hostname: 'edge-2.example' }),
    });
    expect(res.status).toBe(201);
    const { enrollment } = enrollmentResponseSchema.parse(await res.json());
    expect(enrollment.dashboardUrl).toBe(PUBLIC_URL);
    expect(enrollment.install.map((p) => [p.kind, p.file, p.sha256])).toEqual([
      ['deb', DEB, sha256(bytes[DEB])],
      ['tarball', TARBALL, sha256(bytes[TARBALL])],
    ]);
    expect(enrollment.install[0]?.command).toContain(`${PUBLIC_URL}/downloads/${DEB}`);
    expect(enrollment.install[0]?.command).toContain(`echo "${sha256(bytes[DEB])}  $d/${DEB}" | sha256sum -c -`);
    expect(enrollment.configureCommand).toContain(`CTSCOPE_DASHBOARD=${PUBLIC_URL}'`);
    expect(JSON.stringify(enrollment)).not.toContain('attacker.example');
  });

  it('lists the packages and their install commands (no token) for signed-in users only', async () => {
    expect((await fetch(`${dash.url}/api/hosts/downloads`)).status).toBe(401);
    const res = await fetch(`${dash.url}/api/hosts/downloads`, { headers: { cookie: await dash.login() } });
    const downloads = agentDownloadsSchema.parse(await res.json());
    expect(downloads.dashboardUrl).toBe(PUBLIC_URL);
    expect(downloads.install.map((p) => p.file)).toEqual([DEB, TARBALL]);
    expect(downloads.install[1]?.command).toContain(`echo "${sha256(bytes[TARBALL])}  $d/${TARBALL}" | sha256sum -c -`);
  });

  it('refuses a CTSCOPE_PUBLIC_URL that would need quoting in a shell', async () => {
    await expect(startTestDashboard({ env: { CTSCOPE_PUBLIC_URL: 'https://ct.example/$(id)' } })).rejects.toThrow(/CTSCOPE_PUBLIC_URL must look like/);
  });
});

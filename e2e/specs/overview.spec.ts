import { ADMIN_PASSWORD, expect, test } from '../fixtures/stack';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bridgeIntoNetns, createNetns, generateTraffic } from '@ctscope/testkit';
import { loginAsAdmin, numberIn, screenshotPath } from './support';

const AGENT_BIN = fileURLToPath(new URL('../../apps/agent/bin/ctscope.mjs', import.meta.url));

test('pages need a login, and a wrong password says so', async ({ page, stack }) => {
  await page.goto(stack.url);
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#login-error')).toHaveText('wrong username or password');
});

test('after login the host count rises live when traffic flows', async ({ page, stack }) => {
  await page.goto(`${stack.url}/login`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${stack.url}/`);

  const card = page.locator('article.host-card');
  await expect(card.getByText('online', { exact: true })).toBeVisible();
  const count = card.getByTestId('conntrack-count');
  await expect(count).toBeVisible();
  const before = Number((await count.innerText()).replace(/,/g, ''));

  await stack.traffic({ tcp: 20, udp: 30, icmp: 3 });
  const kernelCount = await stack.conntrackCount();
  expect(kernelCount).toBeGreaterThanOrEqual(before + 50);
  // The page follows the agent's 1 Hz samples without a reload.
  await expect.poll(async () => Number((await count.innerText()).replace(/,/g, '')), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 50);
  await expect(card.locator('td[data-counter="insert_failed"]')).toHaveText('0');
  await page.screenshot({ path: test.info().outputPath('overview.png'), fullPage: true });
});

test.describe('the fleet', () => {
  test.use({ historyStepSeconds: 1 });

  test('fleet charts sum the real agent\'s history over 5 min, 1 h and 24 h; the table ranks hosts by usage', async ({ page, stack }) => {
    test.setTimeout(180_000);
    await loginAsAdmin(page, stack, '/');
    const fleet = page.getByRole('region', { name: 'Fleet' });
    const row = fleet.getByRole('table', { name: 'hosts by table usage' }).locator('tbody tr');
    await expect(row).toHaveCount(1);
    await expect(row.first().getByText('online', { exact: true })).toBeVisible();
    await expect(row.first().locator('[data-column="alerts"]')).toHaveText('0');

    await stack.traffic({ tcp: 20, udp: 30, icmp: 3 });
    const kernelCount = await stack.conntrackCount();
    expect(kernelCount).toBeGreaterThanOrEqual(50);
    // The host row, the fleet total and the summed chart all follow the agent's samples.
    await expect.poll(async () => numberIn(await row.first().locator('[data-column="count"]').innerText()), { timeout: 15_000 }).toBeGreaterThanOrEqual(50);
    await expect.poll(async () => numberIn(await page.getByTestId('fleet-count').innerText())).toBeGreaterThanOrEqual(50);
    const entries = page.getByTestId('fleet-entries');
    await expect.poll(async () => Number(await entries.getAttribute('data-last')), { timeout: 20_000 }).toBeGreaterThanOrEqual(50);
    expect(Number(await entries.getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
    await expect(entries.locator('canvas')).toHaveCount(1);
    // Events per second were summed from the same samples: the traffic made NEW events.
    await expect(page.getByTestId('fleet-events')).toHaveAttribute('data-last', /^[\d.]+$/);
    await expect(page.getByTestId('fleet-trouble').locator('canvas')).toHaveCount(1);
    await expect(page.getByTestId('fleet-step')).toContainText('summed over 1 host ·');
    await page.screenshot({ path: screenshotPath('overview-fleet'), fullPage: true });

    // The other ranges come from the same stored history, at coarser steps.
    for (const range of ['1 hour', '24 hours']) {
      await fleet.getByRole('button', { name: range }).click();
      await expect(fleet.getByRole('button', { name: range })).toHaveAttribute('aria-pressed', 'true');
      await expect.poll(async () => Number(await entries.getAttribute('data-last'))).toBeGreaterThanOrEqual(50);
      await expect(page.getByTestId('fleet-step')).toContainText(range === '1 hour' ? 'one point per 15 s' : 'one point per 5 min');
    }
    await fleet.getByRole('button', { name: '5 min' }).click();

    // A second real agent, enrolled from the hosts page, in its own namespace with more traffic.
    await page.goto(`${stack.url}/hosts`);
    const form = page.getByRole('form', { name: 'Add a host' });
    await form.getByLabel('Host id').fill('edge-2');
    await form.getByLabel('Hostname').fill('edge-2.example.net');
    await form.getByRole('button', { name: 'Add host' }).click();
    const tokenButton = page.getByRole('region', { name: 'Enrollment for edge-2' }).getByRole('button', { name: /^Copy token: / });
    const token = /^Copy token: ([A-Za-z0-9_-]{43})$/.exec((await tokenButton.getAttribute('aria-label')) ?? '')?.[1] ?? '';
    expect(token).not.toBe('');
    const dir = await mkdtemp(join(tmpdir(), 'ctscope-e2e-edge-'));
    await writeFile(join(dir, 'agent.token'), `${token}\n`, { mode: 0o600 });
    const ns = await createNetns({ hooks: true });
    const bridge = await bridgeIntoNetns(ns, Number(new URL(stack.url).port));
    const agent = ns.spawn(process.execPath, [AGENT_BIN, 'agent', '--dashboard', `http://127.0.0.1:${bridge.nsPort}`, '--token-file', join(dir, 'agent.token'), '--audit-file', join(dir, 'audit.jsonl'), '--path.rootfs', dir]);
    try {
      // TCP only: its TIME_WAIT entries outlast the test (UDP ones expire after 30 s).
      await generateTraffic(ns, { tcp: 80 });
      const edgeCount = Number((await ns.conntrack(['-C'])).stdout.trim());
      expect(edgeCount).toBeGreaterThanOrEqual(80);
      await page.goto(stack.url);
      const rows = fleet.getByRole('table', { name: 'hosts by table usage' }).locator('tbody tr');
      await expect(rows).toHaveCount(2);
      // Fullest first: the new host has more entries under the same (global) maximum.
      await expect(rows.first()).toHaveAttribute('data-host-id', 'edge-2', { timeout: 20_000 });
      await expect(rows.first().getByText('online', { exact: true })).toBeVisible();
      // The fleet total is the two hosts' counts added up, and the summed chart reaches it.
      const rowSum = async () => numberIn(await rows.nth(0).locator('[data-column="count"]').innerText()) + numberIn(await rows.nth(1).locator('[data-column="count"]').innerText());
      await expect.poll(async () => (await rowSum()) === numberIn(await page.getByTestId('fleet-count').innerText()) && (await rowSum()) > edgeCount, { timeout: 20_000 }).toBe(true);
      await expect(page.getByTestId('fleet-step')).toContainText('summed over 2 hosts', { timeout: 20_000 });
      await expect.poll(async () => Number(await entries.getAttribute('data-last')), { timeout: 20_000 }).toBeGreaterThan(edgeCount);
      await page.screenshot({ path: screenshotPath('overview-fleet-two-hosts'), fullPage: true });
    } finally {
      agent.kill('SIGTERM');
      await bridge.close();
      await ns.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { expect, test } from '../fixtures/stack';
import { kernelEntries, loginAsAdmin, numberIn, screenshotPath } from './support';

test('host page: live count, charts, breakdowns that match the kernel, and pivots to connections', async ({ page, stack }) => {
  await loginAsAdmin(page, stack);
  await stack.traffic({ tcp: 15, udp: 25, icmp: 2 });
  await page.getByRole('link', { name: 'Charts & top talkers' }).click();
  await expect(page).toHaveURL(/\/hosts\//);

  const count = page.getByTestId('host-count');
  await expect.poll(async () => numberIn(await count.innerText()), { timeout: 15_000 }).toBeGreaterThanOrEqual(40);
  await expect(page.locator('.chart canvas')).toHaveCount(3);
  await expect(page.getByText('No active alerts.')).toBeVisible();

  // Breakdowns refresh every 5 s; the udp row must equal what conntrack -L lists.
  const udpRow = page.getByRole('region', { name: 'By protocol' }).locator('li', { hasText: /^udp/ });
  const udpKernel = (await kernelEntries(stack, ['-p', 'udp'])).length;
  await expect.poll(async () => numberIn((await udpRow.locator('.ranked-count').innerText().catch(() => '0')) || '0'), { timeout: 15_000 }).toBe(udpKernel);

  await page.getByRole('button', { name: '1 hour' }).click();
  await expect(page.getByRole('button', { name: '1 hour' })).toHaveAttribute('aria-pressed', 'true');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: screenshotPath('host'), fullPage: true });

  // A top talker is one click away from a per-source connection limit on the rules page.
  await expect(page.getByRole('region', { name: 'Top sources' }).getByRole('link', { name: 'limit…' }).first()).toHaveAttribute('href', /\/rules\?host=.+&src=127\.0\.0\.1$/);

  await udpRow.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/connections\?host=.*&q=udp/);
});

test.describe('a host whose table was full before its agent started', () => {
  test.use({ entries: 30 });

  test('the host page says how many entries the kernel reports no events for', async ({ page, stack }) => {
    await loginAsAdmin(page, stack);
    await page.getByRole('link', { name: 'Charts & top talkers' }).click();
    await expect(page).toHaveURL(/\/hosts\//);
    // The 30 filled entries predate the agent's subscription (its own connection may too).
    await expect(page.getByText(/^(30|31) older than the agent, followed by re-reading$/)).toBeVisible({ timeout: 15_000 });
    await page.screenshot({ path: screenshotPath('host-eventless'), fullPage: false });
  });
});

test('a second agent started with the host\'s token is refused while the first is connected, and the host page says so', async ({ page, stack }) => {
  await loginAsAdmin(page, stack);
  await page.getByRole('link', { name: 'Charts & top talkers' }).click();
  await expect(page).toHaveURL(/\/hosts\//);
  await expect(page.getByTestId('host-count')).toBeVisible();
  stack.startSecondAgent();
  const banner = page.getByTestId('duplicate-agent');
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toContainText('Second agent refused');
  await expect(banner).toContainText('revoke this host');
  // The first agent keeps the host: its count still follows the kernel.
  await stack.traffic({ udp: 5 });
  const kernel = await stack.conntrackCount();
  await expect.poll(async () => numberIn(await page.getByTestId('host-count').innerText()), { timeout: 15_000 }).toBeGreaterThanOrEqual(kernel);
  await page.screenshot({ path: screenshotPath('host-second-agent'), fullPage: false });
});

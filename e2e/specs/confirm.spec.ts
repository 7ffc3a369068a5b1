import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, screenshotPath } from './support';

const UDP_FILE = '/proc/sys/net/netfilter/nf_conntrack_udp_timeout';

test('commit confirmed: a tuning change applied with a deadline counts down; confirmed, it stays; unconfirmed, it comes back and the page says so', async ({ page, stack }) => {
  test.setTimeout(150_000);
  const kernelValue = async () => Number((await stack.ns.exec('cat', [UDP_FILE])).stdout.trim());
  await loginAsAdmin(page, stack, '/tuning');
  const row = page.locator('tr[data-param="net.netfilter.nf_conntrack_udp_timeout"]');
  const input = page.getByLabel('New value for udp_timeout', { exact: true });
  const pending = page.getByRole('region', { name: 'Changes waiting for a confirmation' });

  const apply = async (value: string, first: boolean) => {
    await input.fill(value);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    // On by default, 2 min; this test takes the shortest choice, which the page keeps for the next change.
    await expect(preview.getByRole('checkbox', { name: /Undo unless confirmed within/ })).toBeChecked();
    await expect(preview.getByLabel('Confirmation deadline')).toHaveValue(first ? '120000' : '30000');
    await preview.getByLabel('Confirmation deadline').selectOption('30000');
    await preview.getByRole('button', { name: 'Apply 1 change' }).click();
    await expect.poll(kernelValue).toBe(Number(value.replace('s', '')));
  };

  await apply('45s', true);
  const first = pending.locator('.pending-change[data-state="pending"]');
  await expect(first).toContainText('nf_conntrack_udp_timeout 30 → 45');
  const countdown = first.getByTestId('countdown');
  await expect(countdown).toHaveText(/^0:[0-3]\d$/);
  const shown = await countdown.textContent();
  await expect(countdown).not.toHaveText(shown ?? '');
  await page.screenshot({ path: screenshotPath('confirm-countdown'), fullPage: false });
  await first.getByRole('button', { name: 'Confirm' }).click();
  await expect(pending.locator('[data-outcome="confirmed"]')).toContainText('confirmed by admin');
  await expect(first).toHaveCount(0);

  await apply('50s', false);
  await expect(row.getByTestId('value-udp_timeout')).toContainText('50');
  // The host page shows the same change as a banner, wherever it was made.
  const other = await page.context().newPage();
  await other.goto(`${stack.url}/`);
  await other.getByRole('link', { name: 'Charts & top talkers' }).click();
  const banner = other.getByRole('region', { name: 'Changes waiting for a confirmation' });
  await expect(banner.locator('.pending-change[data-state="pending"]')).toContainText('nf_conntrack_udp_timeout 45 → 50');
  await expect(banner.getByTestId('countdown')).toBeVisible();
  await other.screenshot({ path: screenshotPath('confirm-host-banner'), fullPage: false });
  await other.close();

  // Not confirmed: 30 s later the agent puts 45 back, and the page says so and shows the old value.
  const reverted = pending.locator('[data-outcome="reverted"]');
  await expect(reverted).toContainText('reverted: not confirmed within 30 s', { timeout: 60_000 });
  await expect(reverted).toContainText('nf_conntrack_udp_timeout 45 → 50');
  expect(await kernelValue()).toBe(45);
  await expect(row.getByTestId('value-udp_timeout')).toContainText('45');
  await expect(row.getByTestId('value-udp_timeout')).not.toContainText('50');
  // The result of that apply no longer claims it is applied.
  await expect(page.getByRole('region', { name: 'Rolled back' })).toContainText('50 seconds → 45 seconds');
  await pending.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: screenshotPath('confirm-reverted'), fullPage: false });
});

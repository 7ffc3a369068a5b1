import { ADMIN_PASSWORD, expect, test } from '../fixtures/stack';

test.use({ hooks: false });

test('a host where nothing uses conntrack explains its empty table', async ({ page, stack }) => {
  await page.goto(`${stack.url}/login`);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const card = page.locator('article.host-card');
  await expect(card.getByText('online', { exact: true })).toBeVisible();
  await expect(card.getByTestId('conntrack-count')).toHaveText('0');
  const notice = card.getByRole('status');
  await expect(notice).toContainText('Nothing is being tracked on this host');
  await expect(notice).toContainText('no firewall rule uses conntrack');
  await expect(notice.getByRole('button', { name: /^Copy/ })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('hooks-inactive.png'), fullPage: true });
});

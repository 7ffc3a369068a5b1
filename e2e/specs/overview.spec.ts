import { ADMIN_PASSWORD, expect, test } from '../fixtures/stack';

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

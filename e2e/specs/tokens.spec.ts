import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, screenshotPath } from './support';

test('an API token is created with a role and expiry, shown once, works with curl-style Bearer calls and is revoked at once', async ({ page, stack }) => {
  await loginAsAdmin(page, stack, '/account');
  await page.screenshot({ path: screenshotPath('account-api-tokens-link'), fullPage: true });
  await page.getByRole('link', { name: 'manage your API tokens' }).click();
  await expect(page).toHaveURL(`${stack.url}/account/tokens`);
  await expect(page.getByText('No API tokens yet.')).toBeVisible();

  const form = page.getByRole('form', { name: 'Create an API token' });
  await form.getByLabel('Name').fill('grafana export');
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByLabel('Expires in').selectOption('30');
  await form.getByRole('button', { name: 'Create token' }).click();

  const panel = page.getByRole('region', { name: 'New token grafana export' });
  await expect(panel.getByText('This token is shown once.')).toBeVisible();
  const secret = /^Copy token: (ctscope_[A-Za-z0-9_-]{43})$/.exec((await panel.getByRole('button', { name: /^Copy token: / }).getAttribute('aria-label')) ?? '')?.[1] ?? '';
  expect(secret).not.toBe('');
  // The curl example reads the token from the environment: the secret is in no command.
  await expect(panel.getByText(`curl -fsS -H "Authorization: Bearer $CTSCOPE_TOKEN" ${stack.url}/api/hosts`)).toBeVisible();
  const table = page.getByRole('table', { name: 'API tokens' });
  const row = table.locator('tbody tr', { hasText: 'grafana export' });
  await expect(row).toContainText('viewer');
  await expect(row).toContainText('never');
  await page.screenshot({ path: screenshotPath('api-tokens'), fullPage: true });

  // The token works on the JSON API (what curl does), as a viewer.
  const me = () => fetch(`${stack.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
  const used = await me();
  expect(used.status).toBe(200);
  expect(await used.json()).toEqual({ user: { username: 'admin', role: 'viewer' } });
  await page.reload();
  await expect(row).not.toContainText('never');
  // Shown once: after a reload the secret is nowhere on the page.
  await expect(panel).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);

  await row.getByRole('button', { name: 'Revoke grafana export of admin' }).click();
  await page.screenshot({ path: screenshotPath('api-tokens-revoke'), fullPage: true });
  await row.getByRole('button', { name: 'Revoke now' }).click();
  await expect(page.getByText('“grafana export” of admin is revoked; it no longer works.')).toBeVisible();
  await expect(table).toHaveCount(0);
  expect((await me()).status).toBe(401);
});

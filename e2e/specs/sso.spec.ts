import type { Browser, Page } from '@playwright/test';
import { OIDC_CLIENT_ID, startOidcProvider, type TestOidcProvider } from '../fixtures/oidc-provider';
import { ADMIN_PASSWORD, expect, test as stackTest, type Stack } from '../fixtures/stack';
import { kernelEntries, screenshotPath } from './support';

// Single sign-on against a real OpenID provider (oidc-provider) on loopback: the dashboard discovers it
// at start, sends Chromium through its login and consent pages (authorization code + PKCE), and maps
// the `groups` claim to roles: netops → operator, readers → viewer, sales → nothing (refused).
const ACCOUNTS = { olga: ['netops', 'staff'], sam: ['sales', 'staff'], lena: ['readers'] };
const TIME_WAIT_FILTER = 'tcp state:time_wait';

/** The provider starts with the first dashboard start, once the dashboard's URL (its redirect URI) is known. */
interface OidcFixture {
  started: Promise<TestOidcProvider> | undefined;
  setGroups(account: string, groups: string[]): Promise<void>;
}

const test = stackTest.extend<{ localLogin: 'on' | 'off'; oidc: OidcFixture }>({
  localLogin: ['on', { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  oidc: async ({}, use) => {
    const oidc: OidcFixture = {
      started: undefined,
      setGroups: async (account, groups) => {
        if (!oidc.started) throw new Error('the provider starts with the dashboard');
        (await oidc.started).setGroups(account, groups);
      },
    };
    await use(oidc);
    if (oidc.started) await (await oidc.started).close();
  },
  dashboardEnv: async ({ oidc, localLogin }, use) => {
    await use(async (url) => {
      oidc.started ??= startOidcProvider(`${url}/auth/oidc/callback`, ACCOUNTS);
      const provider = await oidc.started;
      return {
        CTSCOPE_OIDC_ISSUER: provider.issuer,
        CTSCOPE_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
        CTSCOPE_OIDC_CLIENT_SECRET: provider.clientSecret,
        CTSCOPE_OIDC_ROLE_MAP: 'netops=operator,admins=admin,readers=viewer',
        CTSCOPE_OIDC_SCOPES: 'openid profile groups',
        CTSCOPE_LOCAL_LOGIN: localLogin,
      };
    });
  },
});

/** Through the provider's own pages: its login form (any password for a known account), then consent. */
async function ssoLogin(page: Page, stack: Stack, account: string, next: string, providerPages = true): Promise<void> {
  await page.goto(`${stack.url}/login?next=${encodeURIComponent(next)}`);
  await page.getByRole('link', { name: 'Sign in with SSO' }).click();
  if (providerPages) {
    await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/interaction\//);
    await page.locator('input[name="login"]').fill(account);
    await page.locator('input[name="password"]').fill('any password at the provider');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }
}

/** The admin in a context of its own, signed in through the API (the form may be folded away as break-glass). */
async function adminPage(browser: Browser, stack: Stack): Promise<Page> {
  const context = await browser.newContext();
  expect((await context.request.post(`${stack.url}/api/auth/login`, { data: { username: 'admin', password: ADMIN_PASSWORD } })).status()).toBe(200);
  return context.newPage();
}

async function auditRows(admin: Page, stack: Stack, action: string): Promise<{ actor: string; target: string; result: string; detail: unknown }[]> {
  const res = await admin.request.get(`${stack.url}/api/audit?action=${encodeURIComponent(action)}`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { rows: { actor: string; target: string; result: string; detail: unknown }[] }).rows;
}

test('an operator-group user signs in through the provider, can delete a connection, and group changes at the provider apply at the next login', async ({ page, browser, stack, oidc }) => {
  // A local user named like the SSO account exists already: it must not be taken over.
  const admin = await adminPage(browser, stack);
  const created = await admin.request.post(`${stack.url}/api/users`, { data: { username: 'olga', password: 'local olga password', role: 'viewer' } });
  expect(created.status()).toBe(201);

  await page.goto(`${stack.url}/login`);
  await expect(page.getByRole('link', { name: 'Sign in with SSO' })).toBeVisible();
  await expect(page.getByLabel('Password')).toBeVisible();
  await page.screenshot({ path: screenshotPath('login-sso'), fullPage: true });

  const next = `/connections?q=${encodeURIComponent(TIME_WAIT_FILTER)}`;
  await ssoLogin(page, stack, 'olga', next);
  await expect(page).toHaveURL(`${stack.url}${next}`);
  await expect(page.locator('.header-user')).toHaveText('olga-sso operator');

  // Operators may delete: one real TIME_WAIT entry goes from the kernel's table.
  await stack.traffic({ tcp: 3 });
  await expect(page.getByTestId('match-total')).toHaveText('3');
  const row = page.locator('.flow-row[data-key]').first();
  const sport = await row.locator('[data-column="sport"]').innerText();
  await row.getByRole('checkbox').click();
  await page.getByRole('button', { name: 'Delete selected (1)' }).click();
  await page.getByRole('dialog', { name: 'Delete 1 entry' }).getByRole('button', { name: 'Delete 1 entry' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 1 of 1 selected entry' })).toBeVisible();
  expect(await kernelEntries(stack, ['-p', 'tcp', '--sport', sport])).toEqual([]);

  // The users page tells SSO users from local ones; the local olga kept her role and password.
  await admin.goto(`${stack.url}/admin/users`);
  const ssoRow = admin.locator('tr[data-username="olga-sso"]');
  await expect(ssoRow).toContainText('SSO: localhost:');
  await expect(ssoRow.getByRole('combobox')).toHaveValue('operator');
  await expect(ssoRow.getByRole('button', { name: 'Reset password' })).toHaveCount(0);
  await expect(admin.locator('tr[data-username="olga"]')).toContainText('password');
  await expect(admin.locator('tr[data-username="olga"]').getByRole('combobox')).toHaveValue('viewer');
  await admin.screenshot({ path: screenshotPath('users-sso'), fullPage: true });
  // An SSO user has no password here: the form refuses theirs, whatever it is.
  const ssoPassword = await admin.request.post(`${stack.url}/api/auth/login`, { data: { username: 'olga-sso', password: '!sso' } });
  expect(ssoPassword.status()).toBe(401);

  const logins = await auditRows(admin, stack, 'auth.sso-login');
  expect(logins).toHaveLength(1);
  expect(logins[0]).toMatchObject({ actor: 'olga-sso', target: 'user:olga-sso', result: 'ok', detail: { subject: 'olga', created: true, after: { role: 'operator' } } });

  // The provider moves olga to readers: her next login makes her a viewer (the provider remembers her
  // session and consent, so no pages this time), and deletes are gone.
  await oidc.setGroups('olga', ['readers']);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await ssoLogin(page, stack, 'olga', next, false);
  await expect(page).toHaveURL(`${stack.url}${next}`);
  await expect(page.locator('.header-user')).toHaveText('olga-sso viewer');
  await stack.traffic({ tcp: 1 });
  await expect(page.locator('.flow-row[data-key]').first()).toBeVisible();
  await expect(page.getByRole('button', { name: /Delete/ })).toHaveCount(0);
  const relogin = (await auditRows(admin, stack, 'auth.sso-login'))[0];
  expect(relogin).toMatchObject({ actor: 'olga-sso', detail: { created: false, before: { role: 'operator' }, after: { role: 'viewer' } } });

  // Out of every mapped group: her next login (from another browser) is refused and ends the session above too.
  await oidc.setGroups('olga', ['sales']);
  expect((await page.request.get(`${stack.url}/api/auth/me`)).status()).toBe(200);
  const elsewhere = await (await browser.newContext()).newPage();
  await ssoLogin(elsewhere, stack, 'olga', '/');
  await expect(elsewhere.locator('.sso-error')).toContainText('map one of your groups (sales)');
  expect((await page.request.get(`${stack.url}/api/auth/me`)).status()).toBe(401);
  expect((await auditRows(admin, stack, 'auth.sso-refused'))[0]).toMatchObject({ actor: 'olga-sso', detail: { sessionsEnded: 1 } });
  await elsewhere.context().close();
  await admin.context().close();
});

test('a user whose groups map to no role is refused with a message naming them, and it is audited', async ({ page, browser, stack }) => {
  await ssoLogin(page, stack, 'sam', '/');
  await expect(page).toHaveURL(/\/login\?sso_error=no_role/);
  await expect(page.locator('.sso-error')).toHaveText('Your account is not in a group allowed to use ctscope: ask an admin to map one of your groups (sales, staff) to a role.');
  await page.screenshot({ path: screenshotPath('login-sso-refused'), fullPage: true });
  expect((await page.request.get(`${stack.url}/api/auth/me`)).status()).toBe(401);
  await page.goto(`${stack.url}/`);
  await expect(page).toHaveURL(/\/login\?next=/);

  const admin = await adminPage(browser, stack);
  const refused = await auditRows(admin, stack, 'auth.sso-refused');
  expect(refused).toHaveLength(1);
  expect(refused[0]).toMatchObject({ actor: 'sso:sam', result: 'error', detail: { subject: 'sam', claim: 'groups', groups: ['sales', 'staff'] } });
  expect((await admin.request.get(`${stack.url}/api/users`)).ok()).toBe(true);
  expect(JSON.stringify(await (await admin.request.get(`${stack.url}/api/users`)).json())).not.toContain('"sam');
  await admin.context().close();
});

test.describe('with local login turned off', () => {
  test.use({ localLogin: 'off' });

  test('the login page offers SSO; only the bootstrap admin may use the password form (break-glass)', async ({ page, browser, stack }) => {
    // A local account made while it was allowed still exists, but may not sign in with its password.
    const admin = await adminPage(browser, stack);
    expect((await admin.request.post(`${stack.url}/api/users`, { data: { username: 'ned', password: 'local ned password', role: 'operator' } })).status()).toBe(201);
    await admin.context().close();

    await page.goto(`${stack.url}/login`);
    await expect(page.getByRole('link', { name: 'Sign in with SSO' })).toBeVisible();
    await expect(page.getByLabel('Password')).toBeHidden();
    await page.screenshot({ path: screenshotPath('login-sso-only'), fullPage: true });

    const refused = await page.request.post(`${stack.url}/api/auth/login`, { data: { username: 'ned', password: 'local ned password' } });
    expect(refused.status()).toBe(403);
    expect(JSON.stringify(await refused.json())).toContain('password login is turned off here: use \\"Sign in with SSO\\"');

    await page.getByText('Break-glass admin sign-in').click();
    await page.getByLabel('Username').fill('ned');
    await page.getByLabel('Password').fill('local ned password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#login-error')).toContainText('password login is turned off here');
    await page.screenshot({ path: screenshotPath('login-break-glass-refused'), fullPage: true });

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${stack.url}/`);
    await expect(page.locator('.header-user')).toHaveText('admin admin');

    // SSO still works for everyone else.
    const lena = await (await browser.newContext()).newPage();
    await ssoLogin(lena, stack, 'lena', '/');
    await expect(lena).toHaveURL(`${stack.url}/`);
    await expect(lena.locator('.header-user')).toHaveText('lena viewer');
    await lena.context().close();
  });
});

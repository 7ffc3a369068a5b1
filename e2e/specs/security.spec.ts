import type { BrowserContext, Page } from '@playwright/test';
import { ADMIN_PASSWORD, expect, test } from '../fixtures/stack';
import { loginAsAdmin } from './support';

/** Nothing but the stack's own origin may be reached: a redirect that escapes fails here, offline. */
async function sealedContext(context: BrowserContext, origin: string): Promise<void> {
  await context.route((url) => url.origin !== origin, (route) => route.abort('blockedbyclient'));
}

async function signIn(page: Page): Promise<void> {
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// Values of ?next= as the login page reads them (the query is encoded for each).
const HOSTILE_NEXT = [
  '//evil.example/',
  '/\\evil.example/',
  '/\\/evil.example/',
  '\\\\evil.example/',
  '/\t/evil.example/',
  '/\n/evil.example/',
  '/\r\n/evil.example/',
  'javascript:document.title="owned"',
  'https://evil.example/',
  'HTTPS://evil.example/',
  ' //evil.example/',
  'data:text/html,owned',
];
// Queries as typed into the address bar, encoded (or not) in ways browsers accept.
const HOSTILE_QUERIES = ['next=/\\evil.example/', 'next=%2F%5Cevil.example%2F', 'next=%2F%2Fevil.example%2F', 'next=/%09/evil.example/', 'next=%2F%0A%2Fevil.example%2F', 'next=javascript:alert(1)', 'next=%252F%252Fevil.example'];

test('login follows ?next= only to paths on its own origin', async ({ browser, stack }) => {
  test.setTimeout(180_000);
  const queries = [...HOSTILE_NEXT.map((next) => `next=${encodeURIComponent(next)}`), ...HOSTILE_QUERIES];
  for (const query of queries) {
    const context = await browser.newContext();
    await sealedContext(context, stack.url);
    const page = await context.newPage();
    await page.goto(`${stack.url}/login?${query}`);
    await signIn(page);
    // Every refused value lands on the overview, on this origin.
    await expect(page, query).toHaveURL(`${stack.url}/`);
    await expect(page.getByRole('navigation', { name: 'main' }), query).toBeVisible();
    expect(await page.title(), query).not.toBe('owned');
    await context.close();
  }
  // A real path on this origin is still followed, query included.
  const context = await browser.newContext();
  await sealedContext(context, stack.url);
  const page = await context.newPage();
  await page.goto(`${stack.url}/login?next=${encodeURIComponent('/connections?q=tcp')}`);
  await signIn(page);
  await expect(page).toHaveURL(`${stack.url}/connections?q=tcp`);
  await context.close();
});

test('scripts run only with the response nonce: an inline script injected into a page does not run', async ({ page, stack }) => {
  const cspErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
  });
  await loginAsAdmin(page, stack, '/');
  await expect(page.getByRole('status').filter({ hasText: 'live' }).first()).toBeVisible();
  expect(cspErrors).toEqual([]);

  // The policy: a fresh nonce per response, no 'unsafe-inline' for scripts; every script of the page carries the nonce.
  const response = await page.request.get(`${stack.url}/connections`);
  const csp = response.headers()['content-security-policy'] ?? '';
  const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
  expect(scriptSrc).not.toContain('unsafe-inline');
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(scriptSrc)?.[1];
  expect(nonce).toBeDefined();
  const html = await response.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(3);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  const again = (await page.request.get(`${stack.url}/connections`)).headers()['content-security-policy'];
  expect(again).not.toBe(csp);

  // A page whose HTML carries an injected inline script and inline handler (as a stored XSS would).
  await page.route(`${stack.url}/connections`, async (route) => {
    const original = await route.fetch();
    const body = (await original.text()).replace(
      '</body>',
      '<script>window.__injected = "inline";</script><img src="/missing.png" onerror="window.__injected = \'handler\'"></body>',
    );
    await route.fulfill({ response: original, body });
  });
  await page.goto(`${stack.url}/connections`);
  // The page's own scripts still run: the theme script in <head>, and React, which answers the theme
  // toggle. (Live data is not checked here: Chromium refuses loopback sockets to a document served by route.)
  await expect(page.locator('html')).toHaveAttribute('data-theme', /light|dark/);
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme-choice', 'dark');
  // A script element added at run time without the nonce is refused too.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = "dom";';
    document.body.append(script);
  });
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as { __injected?: string }).__injected)).toBeUndefined();
  expect(cspErrors.length).toBeGreaterThanOrEqual(3);
  for (const error of cspErrors) expect(error).toMatch(/inline/i);
});

test('no image optimizer endpoint, and malformed addresses get an error without stacks or paths', async ({ page, stack }) => {
  await loginAsAdmin(page, stack, '/');
  const image = await page.request.get(`${stack.url}/_next/image?url=${encodeURIComponent('/favicon.ico')}&w=64&q=75`);
  expect(image.status()).toBe(404);
  for (const path of ['/views/%E0', '/hosts/%E0', '/hosts/%C0%AF', '/connections/%', '/_next/static/%E0', '/api/views/%E0']) {
    const res = await page.request.get(`${stack.url}${path}`, { headers: { accept: 'text/html' }, maxRedirects: 0 });
    expect(res.status(), path).toBeGreaterThanOrEqual(400);
    expect(res.status(), path).toBeLessThan(500);
    const text = await res.text();
    for (const leak of [/\bat [\w.<>]+ \(/, /\.[jt]sx?:\d+/, /node_modules/, /apps\/dashboard/, /URIError/]) expect(text, `${path} leaks ${leak}`).not.toMatch(leak);
  }
});

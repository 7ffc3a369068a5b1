import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, screenshotPath } from './support';

const LIGHT_BG = 'rgb(246, 247, 249)';
const DARK_BG = 'rgb(13, 17, 23)';

/** Every page with the header, for screenshots in both themes. */
const PAGES: [string, string][] = [
  ['overview', '/'],
  ['connections', '/connections'],
  ['events', '/events'],
  ['tuning', '/tuning'],
  ['rules', '/rules'],
  ['views', '/views'],
  ['hosts', '/hosts'],
  ['audit', '/audit'],
  ['users', '/admin/users'],
  ['account', '/account'],
];

test('the theme follows the system, the header toggle overrides it before first paint, and charts redraw in it', async ({ page, browser, stack }) => {
  test.setTimeout(300_000);
  const cspErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
  });
  // Records the theme at the moment <body> is parsed, before anything can paint or hydrate.
  await page.addInitScript(() => {
    const seen = new MutationObserver(() => {
      if (!document.body) return;
      (window as unknown as { themeAtBody?: string }).themeAtBody = document.documentElement.dataset.theme ?? 'unset';
      seen.disconnect();
    });
    seen.observe(document, { childList: true, subtree: true });
  });
  const themeAtBody = () => page.evaluate(() => (window as unknown as { themeAtBody?: string }).themeAtBody);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const toggle = page.getByRole('combobox', { name: 'Theme' });

  await page.emulateMedia({ colorScheme: 'dark' });
  await loginAsAdmin(page, stack, '/');
  await stack.traffic({ tcp: 6, udp: 6, icmp: 1 });
  await expect(toggle).toHaveValue('system');
  expect(await themeAtBody()).toBe('dark');
  expect(await background()).toBe(DARK_BG);

  // "System" follows a change of the system's preference without a reload.
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await background()).toBe(LIGHT_BG);

  // An explicit choice wins over the system, survives a reload and is in place before the body paints.
  await toggle.selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await page.evaluate(() => localStorage.getItem('ctscope.theme'))).toBe('dark');
  await page.reload();
  expect(await themeAtBody()).toBe('dark');
  await expect(toggle).toHaveValue('dark');

  // Canvas charts take the theme's colors when drawn and are drawn again when it changes.
  const hostHref = await page.getByRole('link', { name: 'Charts & top talkers' }).first().getAttribute('href');
  await page.goto(`${stack.url}${hostHref}`);
  const chart = page.locator('.chart').first();
  await expect(chart.locator('canvas')).toHaveCount(1);
  await expect(chart).toHaveAttribute('data-theme-drawn', 'dark');
  const pixelsDark = await chart.locator('canvas').screenshot();
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('light');
  await expect(chart).toHaveAttribute('data-theme-drawn', 'light');
  await expect(chart.locator('canvas')).toHaveCount(1);
  expect(Buffer.compare(pixelsDark, await chart.locator('canvas').screenshot())).not.toBe(0);

  // Every page, both themes: the page background is the theme's, and screenshots to look at.
  for (const theme of ['light', 'dark'] as const) {
    await page.getByRole('combobox', { name: 'Theme' }).selectOption(theme);
    for (const [name, path] of [...PAGES, ['host', hostHref ?? '/']] as [string, string][]) {
      await page.goto(`${stack.url}${path}`);
      await expect(page.locator('main')).toBeVisible();
      // Pages with live content show it (colored events, drawn charts) before the screenshot.
      if (name === 'events') {
        // Events made before the page listens are not shown: traffic once it is live, again until a row shows.
        await expect(page.locator('.badge', { hasText: 'live' })).toBeVisible();
        await expect(async () => {
          await stack.traffic({ tcp: 2, udp: 2 });
          await expect(page.locator('.event-row[data-type]').first()).toBeVisible({ timeout: 3_000 });
        }).toPass({ timeout: 20_000 });
      }
      if (name === 'host') await expect(page.getByText('Loading history…')).toBeHidden();
      expect(await themeAtBody(), name).toBe(theme);
      expect(await background(), name).toBe(theme === 'dark' ? DARK_BG : LIGHT_BG);
      await page.waitForTimeout(1_200);
      await page.screenshot({ path: screenshotPath(`theme-${name}-${theme}`), fullPage: true });
    }
  }
  expect(cspErrors).toEqual([]);

  // The login page has no header: it follows the system.
  for (const colorScheme of ['light', 'dark'] as const) {
    const login = await browser.newPage({ colorScheme });
    await login.goto(`${stack.url}/login`);
    await expect(login.locator('html')).toHaveAttribute('data-theme', colorScheme);
    await login.screenshot({ path: screenshotPath(`theme-login-${colorScheme}`) });
    await login.close();
  }
});

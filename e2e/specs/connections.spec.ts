import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures/stack';
import { kernelEntries, loginAsAdmin, numberIn, screenshotPath } from './support';

const TIME_WAIT_FILTER = 'tcp state:time_wait';

test('the explorer shows live rows; sort, filter, copy as command, detail, pivots and keys work', async ({ page, stack }) => {
  await loginAsAdmin(page, stack, '/connections');
  const total = page.getByTestId('match-total');
  await expect(page.getByRole('status').filter({ hasText: 'live' }).first()).toBeVisible();

  await stack.traffic({ tcp: 8, udp: 6, icmp: 2 });
  const rows = page.locator('.flow-row[data-key]');
  await expect.poll(async () => numberIn(await total.innerText()), { timeout: 15_000 }).toBeGreaterThanOrEqual(16);
  await expect(rows.first()).toBeVisible();

  // A filter narrows the total to exactly what the traffic left in TIME_WAIT (the kernel agrees).
  const query = page.getByRole('combobox', { name: 'Filter' });
  await query.fill(TIME_WAIT_FILTER);
  await query.press('Enter');
  const kernelTimeWait = await kernelEntries(stack, ['-p', 'tcp', '--state', 'TIME_WAIT']);
  expect(kernelTimeWait.length).toBe(8);
  await expect(total).toHaveText('8');
  await expect(rows).toHaveCount(8);
  await expect(page).toHaveURL(/q=tcp\+state%3Atime_wait/);

  // Copy as conntrack command.
  await expect(page.getByTestId('conntrack-command').locator('code')).toHaveText('conntrack -L -p tcp --state TIME_WAIT');

  // Sorting by source port asks the agent for a new order, both ways.
  const sports = async () => (await page.locator('.flow-row[data-key] [data-column="sport"]').allInnerTexts()).map(Number);
  await page.locator('[role="columnheader"][data-column="sport"] button').click();
  await expect(page.locator('[role="columnheader"][data-column="sport"]')).toHaveAttribute('aria-sort', /ascending|descending/);
  const firstDirection = await page.locator('[role="columnheader"][data-column="sport"]').getAttribute('aria-sort');
  await expect.poll(async () => {
    const values = await sports();
    const sorted = [...values].sort((a, b) => (firstDirection === 'ascending' ? a - b : b - a));
    return values.length === 8 && values.every((v, i) => v === sorted[i]);
  }).toBe(true);
  await page.locator('[role="columnheader"][data-column="sport"] button').click();
  await expect(page.locator('[role="columnheader"][data-column="sport"]')).toHaveAttribute('aria-sort', firstDirection === 'ascending' ? 'descending' : 'ascending');
  await expect.poll(async () => {
    const values = await sports();
    const sorted = [...values].sort((a, b) => (firstDirection === 'ascending' ? b - a : a - b));
    return values.length === 8 && values.every((v, i) => v === sorted[i]);
  }).toBe(true);

  // Keyboard: the grid moves its cursor with the arrows and opens the detail with Enter.
  await page.getByRole('grid', { name: 'connections' }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('.flow-row.cursor')).toHaveCount(1);
  await page.keyboard.press('Enter');
  const detail = page.getByRole('complementary', { name: 'connection detail' });
  await expect(detail).toBeVisible();
  const firstSport = (await sports())[0];
  await expect(detail.getByRole('heading', { level: 3, name: 'Original direction' })).toBeVisible();
  await expect(detail.getByRole('heading', { level: 3, name: 'Reply direction' })).toBeVisible();
  await expect(detail.locator('section[aria-labelledby="detail-orig"] dd').nth(2)).toHaveText(String(firstSport));
  await expect(detail.locator('section[aria-labelledby="detail-reply"] dd').nth(3)).toHaveText(String(firstSport));
  await expect(detail).toContainText('TIME_WAIT');
  await expect(detail).toContainText('127.0.0.1');
  await page.screenshot({ path: screenshotPath('connections-detail'), fullPage: false });
  await page.keyboard.press('Escape');
  await expect(detail).toBeHidden();

  // Quick pivot: clicking a destination port adds it to the filter.
  const dport = await page.locator('.flow-row[data-key] [data-column="dport"]').first().innerText();
  await page.locator('.flow-row[data-key] [data-column="dport"] button').first().click();
  await expect(query).toHaveValue(`tcp dport:${dport} state:time_wait`);
  await expect(total).toHaveText('8');

  // Pasted conntrack arguments filter the same way.
  await query.fill('-p udp');
  await query.press('Enter');
  await expect.poll(async () => numberIn(await total.innerText())).toBe((await kernelEntries(stack, ['-p', 'udp'])).length);

  // A mistake is shown under the input, pointing at the token.
  await page.keyboard.press('Escape');
  await page.locator('body').press('/');
  await expect(query).toBeFocused();
  await query.fill('tcp dport:99999');
  const error = page.locator('.query-error');
  await expect(error).toContainText('port must be 0-65535');
  await expect(error.locator('mark')).toHaveText('99999');
  await expect(page.getByTestId('conntrack-command').locator('code')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('connections-error'), fullPage: false });

  // Free text cannot become a conntrack command, and the page says why.
  await query.fill('tcp "127.0.0"');
  await expect(page.getByTestId('conntrack-command')).toContainText('conntrack has no free-text filter');

  // Autocomplete offers keys and values, also right after the box lost and regained focus (Escape, then /).
  await query.fill('');
  await query.blur();
  await query.focus();
  await query.pressSequentially('dp');
  await expect(page.getByRole('option', { name: /dport:/ })).toBeVisible();
  await page.waitForTimeout(300);
  await expect(page.getByRole('option', { name: /dport:/ })).toBeVisible();
  await query.press('Tab');
  await expect(query).toHaveValue('dport:');
  await query.fill('state:est');
  await query.press('End');
  await query.pressSequentially('a');
  await expect(page.getByRole('option', { name: /established/ })).toBeVisible();

  // Pause holds live pushes.
  await query.fill('');
  await query.press('Enter');
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Resume' })).toHaveAttribute('aria-pressed', 'true');
  const paused = numberIn(await total.innerText());
  await stack.traffic({ tcp: 4 });
  await expect(page.locator('.badge-paused')).toContainText('held', { timeout: 10_000 });
  expect(numberIn(await total.innerText())).toBe(paused);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(async () => numberIn(await total.innerText())).toBeGreaterThanOrEqual(paused + 4);

  await page.screenshot({ path: screenshotPath('connections'), fullPage: false });
});

test('delete one row, then everything matching after a dry run and a typed confirmation', async ({ page, stack }) => {
  await loginAsAdmin(page, stack, `/connections?q=${encodeURIComponent(TIME_WAIT_FILTER)}`);
  const total = page.getByTestId('match-total');
  await stack.traffic({ tcp: 6 });
  await expect(total).toHaveText('6');

  // Select one row and delete it; the kernel no longer lists it.
  const row = page.locator('.flow-row[data-key]').first();
  const sport = await row.locator('[data-column="sport"]').innerText();
  await row.getByRole('checkbox').click();
  await expect(row).toHaveClass(/selected/);
  await page.getByRole('button', { name: 'Delete selected (1)' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete 1 entry' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Delete 1 entry' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 1 of 1 selected entry' })).toBeVisible();
  await expect(total).toHaveText('5');
  expect(await kernelEntries(stack, ['-p', 'tcp', '--sport', sport])).toEqual([]);
  expect(await kernelEntries(stack, ['-p', 'tcp', '--state', 'TIME_WAIT'])).toHaveLength(5);

  // Delete everything matching: the dry run counts, the real run needs the count typed.
  await page.getByRole('button', { name: 'Delete all matching…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete all matching entries' });
  await expect(dialog.getByTestId('dry-run-count')).toHaveText('5');
  await expect(dialog.getByRole('table', { name: 'sample of matching entries' }).locator('tr')).toHaveCount(5);
  const run = dialog.getByRole('button', { name: 'Delete 5 entries' });
  await expect(run).toBeDisabled();
  await dialog.getByLabel('type the count to confirm').fill('4');
  await expect(run).toBeDisabled();
  await dialog.getByLabel('type the count to confirm').fill('5');
  await page.screenshot({ path: screenshotPath('connections-delete-matching'), fullPage: false });
  await run.click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 5 of 5 matching entries' })).toBeVisible();
  expect(await kernelEntries(stack, ['-p', 'tcp', '--state', 'TIME_WAIT'])).toEqual([]);
  await expect(page.getByRole('heading', { name: 'No connection matches this filter' })).toBeVisible();
  await page.screenshot({ path: screenshotPath('connections-empty'), fullPage: false });
});

test('the overview links each host to its connections and events', async ({ page, stack }) => {
  await loginAsAdmin(page, stack);
  const card = page.locator('article.host-card');
  await expect(card.getByText('online', { exact: true })).toBeVisible();
  const hostId = await card.getAttribute('data-host-id');
  let subscribes = 0;
  page.on('websocket', (ws) => ws.on('framesent', (frame) => void (typeof frame.payload === 'string' && frame.payload.includes('"window:subscribe"') && subscribes++)));
  await card.getByRole('link', { name: 'Connections' }).click();
  await expect(page).toHaveURL(`${stack.url}/connections?host=${hostId}`);
  // The host named in the address is subscribed once (each subscribe is a query over the agent's whole
  // table), not again when the host list arrives and says it is online.
  await expect(page.locator('.flow-row[data-key]').first()).toBeVisible();
  await page.waitForTimeout(1_000);
  expect(subscribes).toBe(1);
  await expect(page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Connections' })).toHaveAttribute('aria-current', 'page');
  await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Live events' }).click();
  await expect(page).toHaveURL(`${stack.url}/events`);
  await expect(page.getByRole('heading', { level: 1, name: 'Live events' })).toBeVisible();
});

test('the first rows come with the page: shown before any script runs, the same entries as conntrack -L, then live', async ({ page, browser, stack }) => {
  await loginAsAdmin(page, stack, '/connections');
  await stack.traffic({ udp: 6 });
  await expect.poll(async () => numberIn(await page.getByTestId('match-total').innerText()), { timeout: 15_000 }).toBeGreaterThanOrEqual(6);
  const kernelPorts = (await kernelEntries(stack, ['-p', 'udp'])).map((line) => `${/sport=(\d+)/.exec(line)?.[1]}>${/dport=(\d+)/.exec(line)?.[1]}`).sort();
  expect(kernelPorts.length).toBeGreaterThanOrEqual(6);

  // Without JavaScript: what the server sent is all there is.
  const noScript = await browser.newContext({ storageState: await page.context().storageState(), javaScriptEnabled: false });
  try {
    const html = await noScript.newPage();
    await html.goto(`${stack.url}/connections?q=udp`);
    const rows = html.locator('.flow-row[data-key]');
    await expect(rows).toHaveCount(kernelPorts.length);
    const cells = async (column: string) => html.locator(`.flow-row[data-key] [data-column="${column}"]`).allInnerTexts();
    const [sports, dports] = [await cells('sport'), await cells('dport')];
    expect(sports.map((sport, i) => `${sport}>${dports[i]}`).sort()).toEqual(kernelPorts);
    await expect(html.getByTestId('match-total')).toHaveText(String(kernelPorts.length));
  } finally {
    await noScript.close();
  }

  // With it: the same rows at once, no hydration complaint, and the page goes live on them.
  const live = await page.context().newPage();
  const problems: string[] = [];
  live.on('console', (message) => void (['error', 'warning'].includes(message.type()) && problems.push(message.text())));
  live.on('pageerror', (error) => problems.push(error.message));
  await live.goto(`${stack.url}/connections?q=udp`);
  await expect(live.locator('.flow-row[data-key]')).toHaveCount(kernelPorts.length);
  await expect(live.getByRole('status').filter({ hasText: 'Live' }).first()).toBeVisible();
  await stack.traffic({ udp: 2 });
  await expect.poll(async () => numberIn(await live.getByTestId('match-total').innerText()), { timeout: 15_000 }).toBeGreaterThanOrEqual(kernelPorts.length + 2);
  expect(problems).toEqual([]);
  await live.close();
});

test('viewers see no delete controls (the server refuses their deletes too)', async ({ page, stack }) => {
  // No user management API yet: the page is told the session belongs to a viewer.
  await page.route('**/api/auth/me', (route) => route.fulfill({ json: { user: { username: 'viewer', role: 'viewer' } } }));
  await loginAsAdmin(page, stack, '/connections');
  await stack.traffic({ tcp: 2 });
  await expect(page.locator('.flow-row[data-key]').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Delete/ })).toHaveCount(0);
  await expect(page.locator('.flow-row[data-key]').first().getByRole('checkbox')).toHaveCount(0);
  await page.locator('.flow-row[data-key]').first().click();
  await expect(page.getByRole('complementary', { name: 'connection detail' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete this entry' })).toHaveCount(0);
});

test('export writes the loaded window: the visible columns as CSV, every decoded field as JSON', async ({ page, stack }) => {
  await loginAsAdmin(page, stack, `/connections?q=${encodeURIComponent(TIME_WAIT_FILTER)}`);
  const total = page.getByTestId('match-total');
  await stack.traffic({ tcp: 6, udp: 3 });
  await expect(total).toHaveText('6');
  const rows = page.locator('.flow-row[data-key]');
  await expect(rows).toHaveCount(6);
  await expect(page.getByTestId('export-scope')).toHaveText('Export window: 6 rows');
  await page.getByRole('button', { name: 'Pause' }).click();

  // What the page shows, row by row, in its order.
  const columns = (await page.locator('[role="columnheader"][data-column]').evaluateAll((heads) => heads.map((h) => h.getAttribute('data-column') ?? ''))).filter((c) => c !== 'select');
  const shown = await rows.evaluateAll((elements) =>
    elements
      .map((row) => ({
        top: row.getBoundingClientRect().top,
        key: row.getAttribute('data-key') ?? '',
        cells: Object.fromEntries([...row.querySelectorAll('[data-column]')].map((cell) => [cell.getAttribute('data-column') ?? '', (cell.textContent ?? '').trim()])),
      }))
      .sort((a, b) => a.top - b.top),
  );

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export window as CSV' }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^ctscope-connections-[\w.-]+-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.csv$/);
  const [header, ...lines] = (await readFile((await csv.path()) ?? '', 'utf8')).trim().split('\n').map((line) => line.split(','));
  expect(header).toEqual(columns);
  expect(lines).toHaveLength(shown.length);
  const same = ['proto', 'src', 'sport', 'dst', 'dport', 'state', 'status'].filter((c) => columns.includes(c));
  expect(same).toEqual(expect.arrayContaining(['proto', 'src', 'sport', 'dst', 'dport', 'state']));
  lines.forEach((line, i) => {
    for (const column of same) expect(line[columns.indexOf(column)], `row ${i} ${column}`).toBe(shown[i]?.cells[column]);
  });

  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export window as JSON' }).click()]);
  expect(json.suggestedFilename()).toMatch(/\.json$/);
  const document = JSON.parse(await readFile((await json.path()) ?? '', 'utf8')) as {
    query: string;
    matching: number;
    rows: { key: string; proto: string; state?: string; orig: { src: string; sport?: number }; reply: { src: string; dport?: number }; status: string[]; timeout?: number }[];
  };
  expect(document.query).toBe(TIME_WAIT_FILTER);
  expect(document.matching).toBe(6);
  expect(document.rows.map((r) => r.key)).toEqual(shown.map((r) => r.key));
  // Every decoded field is there, reply direction and status flags included; the kernel lists the same ports.
  const kernel = (await kernelEntries(stack, ['-p', 'tcp', '--state', 'TIME_WAIT'])).join('\n');
  for (const row of document.rows) {
    expect(row.state).toBe('TIME_WAIT');
    expect(row.reply.dport).toBe(row.orig.sport);
    expect(row.status).toContain('ASSURED');
    expect(typeof row.timeout).toBe('number');
    expect(kernel).toContain(`sport=${row.orig.sport} `);
  }
});

/** Holds every script of the page back 1.5 s: its server HTML is on screen well before React takes it over. */
const slowScripts = (page: Page) =>
  page.route('**/_next/static/chunks/**', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });

test('the filter and the login form wait for the page to come alive instead of losing what was typed', async ({ page, browser, stack }) => {
  await loginAsAdmin(page, stack, '/connections');
  await expect(page.getByRole('status').filter({ hasText: 'live' }).first()).toBeVisible();
  await slowScripts(page);
  await page.goto(`${stack.url}/connections`, { waitUntil: 'commit' });
  const query = page.getByRole('combobox', { name: 'Filter' });
  await expect(query).toHaveAttribute('readonly', '');
  await expect(query).toHaveAttribute('placeholder', 'Loading…');
  await query.fill(TIME_WAIT_FILTER);
  await query.press('Enter');
  await expect(query).toHaveValue(TIME_WAIT_FILTER);
  await expect(page.getByTestId('conntrack-command').locator('code')).toHaveText('conntrack -L -p tcp --state TIME_WAIT');

  // The login form likewise (signed out): no native submission, which would put the password in the URL.
  // Until the page runs and has asked which sign-in methods this dashboard offers, there is no form at all.
  const signedOut = await browser.newContext();
  const login = await signedOut.newPage();
  await slowScripts(login);
  await login.goto(`${stack.url}/login`, { waitUntil: 'commit' });
  const signIn = login.getByRole('button', { name: 'Sign in' });
  await expect(login.getByText('Loading sign-in options…')).toBeVisible();
  await expect(signIn).toHaveCount(0);
  await expect(login.locator('form.login-form')).toHaveAttribute('method', 'post');
  await expect(signIn).toBeEnabled();
  await signedOut.close();
});

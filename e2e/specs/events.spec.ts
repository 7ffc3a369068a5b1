import { readFile } from 'node:fs/promises';
import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, numberIn, screenshotPath } from './support';

const GREEN = 'rgb(26, 127, 55)';
const BLUE = 'rgb(47, 111, 235)';
const RED = 'rgb(207, 34, 46)';

test('live events show NEW, UPDATE and DESTROY in their colors, filter, pause and export', async ({ page, stack }) => {
  await loginAsAdmin(page, stack, '/events');
  await expect(page.locator('.badge', { hasText: 'live' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Waiting for events' })).toBeVisible();

  await stack.traffic({ tcp: 4, udp: 5, icmp: 1 });
  // The list is virtualized (only rows in view are in the page), so totals come from the counters.
  const onScreen = async () => numberIn(await page.getByTestId('on-screen').innerText());
  const countOf = async (type: string) => numberIn(await page.getByTestId(`count-${type}`).innerText());
  const newEvents = page.locator('.event-row[data-type="NEW"]');
  await expect.poll(() => countOf('NEW')).toBeGreaterThanOrEqual(10);
  await expect(newEvents.first().locator('.event-type')).toHaveCSS('background-color', GREEN);
  const update = page.locator('.event-row[data-type="UPDATE"]').first();
  await expect(update.locator('.event-type')).toHaveCSS('background-color', BLUE);
  await expect(newEvents.filter({ hasText: 'udp' }).first()).toContainText('127.0.0.1');
  await expect.poll(async () => Number(await page.getByTestId('event-rate').innerText())).toBeGreaterThan(0);

  // Deleting an entry makes the kernel send DESTROY.
  await stack.ns.conntrack(['-D', '-p', 'udp']);
  await expect(page.locator('.event-row[data-type="DESTROY"] .event-type').first()).toHaveCSS('background-color', RED);
  await page.screenshot({ path: screenshotPath('events'), fullPage: false });

  // Export what is on screen as CSV and JSON lines: paused, the files hold exactly the events shown.
  await page.getByRole('button', { name: 'Pause' }).click();
  const shown = await onScreen();
  const shownTypes = { NEW: await countOf('NEW'), UPDATE: await countOf('UPDATE'), DESTROY: await countOf('DESTROY') };
  await expect(page.getByText(`Export the ${shown} on screen:`)).toBeVisible();
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^ctscope-events-[\w.-]+-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.csv$/);
  const csvText = await readFile((await csv.path()) ?? '', 'utf8');
  const csvLines = csvText.trim().split('\n');
  expect(csvLines[0]).toBe('at,type,proto,src,sport,dst,dport,reply_src,reply_sport,reply_dst,reply_dport,state,status,timeout,mark,zone,id,dropped,key');
  const csvTypes = csvLines.slice(1).map((line) => line.split(',')[1]);
  expect(csvTypes.filter((t) => t !== 'DROPPED')).toHaveLength(shown);
  for (const type of ['NEW', 'UPDATE', 'DESTROY'] as const) expect(csvTypes.filter((t) => t === type)).toHaveLength(shownTypes[type]);
  expect(csvText).toContain(',NEW,udp,127.0.0.1,');
  const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON lines' }).click()]);
  const records = (await readFile((await jsonl.path()) ?? '', 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type?: string; flow?: { orig: { src: string } } });
  expect(records.filter((r) => r.type)).toHaveLength(shown);
  expect(records.filter((r) => r.type === 'NEW')).toHaveLength(shownTypes.NEW);
  expect(records.find((r) => r.type === 'NEW')?.flow?.orig.src).toBe('127.0.0.1');
  await page.getByRole('button', { name: 'Resume' }).click();

  // A filter narrows the stream to what it names.
  const query = page.getByRole('combobox', { name: 'Filter' });
  await query.fill('udp');
  await query.press('Enter');
  await expect(page.getByRole('heading', { name: 'Waiting for events' })).toBeVisible();
  await stack.traffic({ tcp: 2, udp: 3 });
  await expect.poll(() => countOf('NEW')).toBe(3);
  expect(await page.locator('.event-row[data-type] .event-proto').allInnerTexts()).toEqual(expect.arrayContaining(['udp']));
  expect(new Set(await page.locator('.event-row[data-type] .event-proto').allInnerTexts())).toEqual(new Set(['udp']));

  // Types: only DESTROY.
  await page.getByRole('checkbox', { name: 'NEW' }).uncheck();
  await page.getByRole('checkbox', { name: 'UPDATE' }).uncheck();
  await expect(page).toHaveURL(/types=DESTROY/);
  await stack.traffic({ udp: 2 });
  await stack.ns.conntrack(['-D', '-p', 'udp']);
  await expect.poll(() => countOf('DESTROY')).toBeGreaterThanOrEqual(2);
  expect(await countOf('NEW')).toBe(0);
  expect(await countOf('UPDATE')).toBe(0);
  await page.getByRole('checkbox', { name: 'NEW' }).check();

  // Pause freezes the list; the events wait and appear on resume.
  await page.getByRole('button', { name: 'Pause' }).click();
  const frozen = await onScreen();
  await stack.traffic({ udp: 4 });
  await expect(page.locator('.badge-paused')).toContainText('waiting');
  expect(await onScreen()).toBe(frozen);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => countOf('NEW')).toBeGreaterThanOrEqual(4);
  expect(await onScreen()).toBeGreaterThanOrEqual(frozen + 4);
  expect(numberIn(await page.getByTestId('event-rate').innerText())).toBeGreaterThanOrEqual(0);
});

test('a burst beyond the stream cap shows a "dropped N" marker instead of queueing', async ({ page, stack }) => {
  await loginAsAdmin(page, stack, '/events?types=DESTROY');
  await expect(page.locator('.badge', { hasText: 'live' })).toBeVisible();
  await stack.traffic({ udp: 2_000 });
  // A flush makes the kernel send every DESTROY event in one burst (deleting entry by entry can be slow
  // enough on a busy machine to stay under the cap); a view gets 500 per 100 ms.
  await stack.ns.conntrack(['-F']);
  await expect(page.getByTestId('dropped-total')).toContainText('dropped');
  // The badge takes the list to where the stream was capped (the list is virtualized, so it may be out of view).
  await page.getByTestId('dropped-total').click();
  const marker = page.locator('.event-row[data-kind="dropped"]').first();
  await expect(marker).toContainText(/dropped [\d,]+ events/);
  const dropped = numberIn(await page.getByTestId('dropped-total').innerText());
  expect(dropped).toBeGreaterThan(0);
  // What was shown plus what was dropped is more than one capped batch could carry.
  expect(numberIn(await page.getByTestId('count-DESTROY').innerText()) + dropped).toBeGreaterThan(500);
  await page.screenshot({ path: screenshotPath('events-dropped'), fullPage: false });
});

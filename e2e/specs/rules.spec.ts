import { expect, test, type Stack } from '../fixtures/stack';
import { kernelEntries, loginAsAdmin, numberIn, screenshotPath } from './support';

const PORT = 40404;

/** UDP datagrams to PORT on the namespace's loopback, each from a new source port (one conntrack entry each). */
const sendUdp = (stack: Stack, count: number) =>
  stack.ns.exec(process.execPath, [
    '-e',
    `const d = require('node:dgram'); let n = ${count};
     (function next() { if (n-- <= 0) return; const s = d.createSocket('udp4'); s.send('x', ${PORT}, '127.0.0.1', () => { s.close(); next(); }); })();`,
  ]);

const ourTable = async (stack: Stack) => (await stack.ns.exec('nft', ['list', 'table', 'inet', 'ctscope']).catch(() => ({ stdout: '' }))).stdout;

test('rules: build a NOTRACK for one UDP port, preview commands and impact, apply, watch counters, remove', async ({ page, stack }) => {
  await sendUdp(stack, 5);
  await expect.poll(async () => (await kernelEntries(stack, ['-p', 'udp', '--dport', String(PORT)])).length).toBeGreaterThanOrEqual(5);

  await loginAsAdmin(page, stack, '/rules');
  await expect(page.getByTestId('backend')).toContainText('because');

  // A bad port is refused by the agent with the field named, and nothing is previewed.
  await page.getByLabel('Ports', { exact: true }).fill('80;reboot');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.locator('p.error')).toContainText('ports');
  await expect(page.locator('.field-invalid')).toContainText('ports:');

  await page.getByLabel('Protocol').selectOption('udp');
  await page.getByLabel('Ports', { exact: true }).fill(String(PORT));
  await page.getByLabel('This host is the').selectOption('both');
  await page.getByRole('button', { name: 'Preview' }).click();

  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview).toContainText(`udp dport ${PORT}`);
  await expect(preview.getByText(/notrack/).first()).toBeVisible();
  await expect(preview.getByText(/iptables .*-j (CT|NOTRACK)/).first()).toBeVisible();
  await expect.poll(async () => numberIn(await preview.getByTestId('impact-count').innerText())).toBeGreaterThanOrEqual(5);
  await expect(preview.getByRole('table', { name: 'entries the rule matches' })).toContainText(String(PORT));
  await preview.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('rules-preview'), fullPage: true });

  await preview.getByRole('checkbox', { name: /Also apply the companion rule/ }).uncheck();
  // Undone unless confirmed within 2 min, by default: confirmed here, so it stays.
  await expect(preview.getByRole('checkbox', { name: /Undo unless confirmed within/ })).toBeChecked();
  await preview.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Applied rule' })).toContainText('removed again unless you confirm it');
  const pending = page.getByRole('region', { name: 'Changes waiting for a confirmation' }).locator('.pending-change');
  await expect(pending).toContainText(`(rule `);
  await expect(pending.getByTestId('countdown')).toHaveText(/^[12]:\d\d$/);
  await pending.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.locator('[data-outcome="confirmed"]')).toContainText('confirmed by admin');
  await expect.poll(() => ourTable(stack)).toContain(`dport ${PORT}`);
  expect(await ourTable(stack)).toContain('notrack');

  // Traffic the rule matches makes its counters rise (the list refreshes every 5 s).
  const list = page.getByRole('region', { name: 'Our rules' });
  const row = list.locator('tr[data-rule]').filter({ hasText: String(PORT) });
  await expect(row).toHaveCount(1);
  await sendUdp(stack, 4);
  await expect.poll(async () => numberIn(await row.getByTestId('rule-packets').innerText()), { timeout: 15_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: screenshotPath('rules'), fullPage: true });

  await row.getByRole('button', { name: /^Remove rule/ }).click();
  await expect(row).toHaveCount(0);
  await expect.poll(() => ourTable(stack)).not.toContain(`dport ${PORT}`);
  await expect(list).toContainText('No ctscope rules on this host.');
});

test('rules: a state template and Remove all with confirmation', async ({ page, stack }) => {
  await loginAsAdmin(page, stack, '/rules');
  await expect(page.getByTestId('backend')).toContainText('because');
  await page.getByRole('radio', { name: 'State match' }).check();
  await page.getByLabel('Template').selectOption('log-new');
  await page.getByLabel('Log prefix (optional)').fill('ct-new: ');
  await page.getByLabel('Rate limit (optional)').fill('0');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.locator('.field-invalid')).toContainText('rate');
  await page.getByLabel('Rate limit (optional)').fill('10');
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview).toContainText('ct state new');
  await preview.getByRole('button', { name: 'Apply' }).click();
  const list = page.getByRole('region', { name: 'Our rules' });
  await expect(list.locator('tr[data-rule]')).toHaveCount(1);
  await expect.poll(() => ourTable(stack)).toContain('log prefix "ct-new:');

  await list.getByRole('button', { name: 'Remove all' }).click();
  await page.getByRole('alertdialog', { name: 'Remove all rules' }).getByRole('button', { name: 'Yes, remove all' }).click();
  await expect(list).toContainText('No ctscope rules on this host.');
  await expect.poll(() => ourTable(stack)).not.toContain('log prefix "ct-new:');
});

import type { ChildProcess } from 'node:child_process';
import { expect, test } from '../fixtures/stack';
import { kernelEntries, loginAsAdmin, numberIn, screenshotPath } from './support';

test.use({ agentArgs: ['--composition-interval', '2'] });

/** 10 sockets per port, each sending every 300 ms: the same entries kept alive, a steady count. */
const STEADY = `const d = require('node:dgram');
for (const port of process.argv.slice(1).map(Number)) for (let i = 0; i < 10; i++) { const s = d.createSocket('udp4'); s.bind(0, '127.0.0.1', () => setInterval(() => s.send('x', port, '127.0.0.1'), 300)); }`;
/** N datagrams from 127.0.0.9 to PORT, each from a socket of its own. */
const FLOOD = `const d = require('node:dgram'); const [n, port] = process.argv.slice(1).map(Number); let left = n; let done = 0;
const one = () => { if (left <= 0) return; left--; const s = d.createSocket('udp4');
  s.bind(0, '127.0.0.9', () => s.send('x', port, '127.0.0.1', () => { s.close(); if (++done === n) process.exit(0); else setImmediate(one); })); };
for (let i = 0; i < 16; i++) one();`;

test('growth view: a flood to one port tops it, with ≥-honest numbers and sparklines; its key opens the matching connections; a chart click picks a moment', async ({ page, stack }) => {
  let steady: ChildProcess | undefined;
  try {
    steady = stack.ns.spawn(process.execPath, ['-e', STEADY, '7001', '7002']);
    await loginAsAdmin(page, stack);
    await page.getByRole('link', { name: 'Charts & top talkers' }).click();
    await expect(page).toHaveURL(/\/hosts\//);
    const growth = page.getByRole('region', { name: 'Growth' });
    await expect(growth.getByRole('button', { name: 'Last 5 min' })).toHaveAttribute('aria-pressed', 'true');
    // Summaries of the steady table first (every 2 s here), so the flood's growth is measured from them.
    await expect(growth.getByTestId('growth-span')).toBeVisible({ timeout: 20_000 });
    await page.waitForTimeout(3_000);

    await stack.ns.exec(process.execPath, ['-e', FLOOD, '1500', '5353']);
    const flooded = (await kernelEntries(stack, ['-p', 'udp', '--dport', '5353'])).length;
    expect(flooded).toBeGreaterThan(700);

    const first = growth.getByTestId('growth-row').first();
    await expect(first).toHaveAttribute('data-key', 'udp/5353', { timeout: 30_000 });
    await expect(first.locator('td').nth(1)).toHaveText(`+${flooded.toLocaleString('en-US')}`);
    await expect(growth.getByTestId('growth-row').nth(1)).toHaveAttribute('data-key', '127.0.0.9');
    await expect(first.getByRole('img')).toHaveAttribute('aria-label', new RegExp(`from 0 to ${flooded.toLocaleString('en-US')}`));
    await expect(growth.locator('[data-key="udp/7001"], [data-key="udp/7002"]')).toHaveCount(0);
    await expect(growth.getByTestId('growth-span')).toContainText('top 50 keys');
    await growth.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('host-growth'), fullPage: true });

    // Other presets answer too (the flood is within every one of them).
    await growth.getByRole('button', { name: 'Last 15 min' }).click();
    await expect(growth.getByRole('button', { name: 'Last 15 min' })).toHaveAttribute('aria-pressed', 'true');
    await expect(growth.getByTestId('growth-row').first()).toHaveAttribute('data-key', 'udp/5353');

    // A click on the entries chart shows the composition at that moment (no links: it is not now).
    const composition = page.getByRole('region', { name: 'Composition' });
    await expect(composition.getByTestId('composition-at')).toContainText('Newest summary');
    const canvas = page.locator('.chart-pickable .u-over').first();
    const box = await canvas.boundingBox();
    if (!box) throw new Error('the entries chart is not drawn');
    await canvas.click({ position: { x: box.width - 4, y: box.height / 2 } });
    await expect(composition.getByTestId('composition-at')).toContainText('Summary nearest the moment');
    await expect(composition.getByLabel('Composition moment')).not.toHaveValue('');
    await composition.getByRole('button', { name: 'Now' }).click();
    await expect(composition.getByTestId('composition-at')).toContainText('Newest summary');

    // The key is one click (or Enter) away from its connections, and they are the kernel's.
    const link = growth.getByTestId('growth-row').first().getByRole('link');
    await link.focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/connections\?host=.*&q=udp(%20|\+)dport%3A5353/);
    const total = page.getByTestId('match-total');
    await expect.poll(async () => numberIn(await total.innerText()), { timeout: 15_000 }).toBe((await kernelEntries(stack, ['-p', 'udp', '--dport', '5353'])).length);
    await page.screenshot({ path: screenshotPath('host-growth-connections'), fullPage: false });
  } finally {
    steady?.kill();
  }
});

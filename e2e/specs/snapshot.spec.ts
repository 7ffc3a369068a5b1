import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Stack } from '../fixtures/stack';
import { loginAsAdmin, screenshotPath } from './support';

const CTSCOPE = fileURLToPath(new URL('../../apps/agent/bin/ctscope.mjs', import.meta.url));

/** The kernel ids `conntrack -L` lists in the stack's namespace, sorted as numbers. */
async function kernelIds(stack: Stack): Promise<number[]> {
  const { stdout } = await stack.ns.conntrack(['-L', '-o', 'id']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(/ id=(\d+)\s*$/.exec(line)?.[1]))
    .sort((a, b) => a - b);
}

test('a snapshot made on the host is uploaded, opened as a read-only host, and its explorer shows exactly conntrack -L', async ({ page, stack }) => {
  await stack.traffic({ tcp: 8, udp: 10, icmp: 3 });
  await stack.ns.conntrack(['-I', '-s', '10.77.0.1', '-d', '10.77.0.2', '-p', 'tcp', '--sport', '4242', '--dport', '443', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY', '-t', '900']);
  const dir = await mkdtemp(join(tmpdir(), 'ctscope-e2e-snapshot-'));
  try {
    const file = join(dir, 'incident.ctsnap.gz');
    // The agent's own connection lives in this table too: take the snapshot when -L is the same before and after.
    let ids: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await kernelIds(stack);
      await stack.ns.exec(process.execPath, [CTSCOPE, 'snapshot', '-o', file]);
      ids = await kernelIds(stack);
      if (ids.join() === before.join()) break;
      ids = [];
    }
    expect(ids.length).toBeGreaterThanOrEqual(15);
    expect(ids.length).toBeLessThanOrEqual(50); // one page of the snapshot's table

    await loginAsAdmin(page, stack, '/snapshots');
    await page.getByLabel('Snapshot file').setInputFiles(file);
    await page.getByLabel('Name').fill('e2e incident');
    await page.getByRole('button', { name: 'Open snapshot' }).click();
    await expect(page).toHaveURL(/\/snapshots\/[0-9a-f]{12}$/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('snapshot');
    await expect(page.getByText('read-only', { exact: false }).first()).toBeVisible();
    await expect(page.getByText('Not in this snapshot: stats history', { exact: false })).toBeVisible();

    const table = page.getByRole('table', { name: 'snapshot entries' });
    await page.getByLabel('Sort').selectOption('id');
    await page.getByRole('checkbox', { name: 'descending' }).uncheck();
    await expect(page.getByText(`${ids.length} of ${ids.length} entries match`)).toBeVisible();
    await expect(table.locator('tbody tr')).toHaveCount(ids.length);
    const shown = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));
    expect(shown).toEqual(ids);
    await page.screenshot({ path: screenshotPath('snapshot-host'), fullPage: true });

    // The same query language as the live explorer.
    await page.getByLabel('Query').fill('tcp dport:443 src:10.77.0.1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByText(`1 of ${ids.length} entries match`)).toBeVisible();
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await expect(table.locator('tbody tr')).toContainText('10.77.0.1:4242');

    // Listed as a snapshot host; deleting it asks first and removes it.
    await page.goto(`${stack.url}/snapshots`);
    const row = page.getByRole('table', { name: 'snapshots' }).locator('tbody tr');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('e2e incident');
    await expect(row.getByText('snapshot', { exact: true })).toBeVisible();
    await page.screenshot({ path: screenshotPath('snapshots-list'), fullPage: true });
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByText('No snapshots yet.')).toBeVisible();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

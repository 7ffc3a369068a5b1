import { createReadStream } from 'node:fs';
import { readSnapshot } from '@ctscope/protocol/snapshot-file';
import { expect, test, type Stack } from '../fixtures/stack';
import { loginAsAdmin, screenshotPath } from './support';

/** The kernel ids `conntrack -L` lists in the stack's namespace for these arguments, sorted as numbers. */
async function kernelIds(stack: Stack, args: readonly string[]): Promise<number[]> {
  const { stdout } = await stack.ns.conntrack(['-L', ...args, '-o', 'id']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(/ id=(\d+)\s*$/.exec(line)?.[1]))
    .sort((a, b) => a - b);
}

test.use({ agentArgs: ['--composition-interval', '2'] });

test('the host page\'s Snapshot button downloads the live host\'s (filtered) table with its history; the file opens on /snapshots', async ({ page, stack }) => {
  await stack.traffic({ tcp: 6, udp: 10, icmp: 2 });
  for (const port of [4241, 4242, 4243]) {
    await stack.ns.conntrack(['-I', '-s', '10.77.0.1', '-d', '10.77.0.2', '-p', 'tcp', '--sport', String(port), '--dport', '443', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY', '-t', '900']);
  }
  const expected = await kernelIds(stack, ['-p', 'tcp', '--dport', '443']);
  expect(expected).toHaveLength(3);

  await loginAsAdmin(page, stack);
  await page.getByRole('link', { name: 'Charts & top talkers' }).click();
  await expect(page).toHaveURL(/\/hosts\//);
  // A composition summary (every 2 s here) that has the entries above.
  await page.waitForTimeout(2_500);
  await page.getByRole('button', { name: 'Snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'Incident snapshot' });
  await dialog.getByLabel('Filter (optional)').fill('tcp dport:443');
  await page.screenshot({ path: screenshotPath('snapshot-button-dialog') });
  const downloading = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Download snapshot' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^ctscope-.+-\d{8}T\d{6}Z\.ctsnap\.gz$/);
  await expect(dialog.getByTestId('snapshot-done')).toContainText(download.suggestedFilename());
  await page.screenshot({ path: screenshotPath('snapshot-button-done') });
  const file = await download.path();

  const ids: number[] = [];
  const contents = await readSnapshot(createReadStream(file), (f) => ids.push(f.id ?? -1));
  expect(ids.sort((a, b) => a - b)).toEqual(expected);
  expect(contents.sections.meta).toMatchObject({ via: 'agent', filter: 'tcp dport:443' });
  expect(contents.sections.stats.history.length).toBeGreaterThan(0);
  expect(contents.sections.composition.length).toBeGreaterThanOrEqual(1);

  // The downloaded file opens as a read-only host marked "snapshot", with exactly the filtered entries.
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await page.goto(`${stack.url}/snapshots`);
  await page.getByLabel('Snapshot file').setInputFiles(file);
  await page.getByLabel('Name').fill('from the button');
  await page.getByRole('button', { name: 'Open snapshot' }).click();
  await expect(page).toHaveURL(/\/snapshots\/[0-9a-f]{12}$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('snapshot');
  await expect(page.getByText(/Not in this snapshot: (stats history|composition history|active alerts)/)).toHaveCount(0);
  await expect(page.getByText(`${expected.length} of ${expected.length} entries match`)).toBeVisible();
  await expect(page.getByRole('table', { name: 'snapshot entries' }).locator('tbody tr')).toHaveCount(expected.length);
});

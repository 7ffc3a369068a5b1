import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, screenshotPath } from './support';

const ESTABLISHED = 'net.netfilter.nf_conntrack_tcp_timeout_established';
const VIEWER_PASSWORD = 'viewer password 12345';
const ESTABLISHED_FILE = '/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established';

test('tuning: preview, apply, roll back and history of a per-namespace timeout; global max read-only; persist into the agent rootfs', async ({ page, stack }) => {
  const kernelValue = async () => Number((await stack.ns.exec('cat', [ESTABLISHED_FILE])).stdout.trim());
  const original = await kernelValue();
  expect(original).not.toBe(3600);
  await stack.traffic({ tcp: 5, udp: 5 });

  await loginAsAdmin(page, stack, '/tuning');
  const row = page.locator(`tr[data-param="${ESTABLISHED}"]`);
  await expect(row).toBeVisible();
  await expect(row.locator('.scope')).toHaveText('per-namespace');

  // nf_conntrack_max is global: read-only inside the agent's namespace, with the reason.
  const maxRow = page.locator('tr[data-param="net.netfilter.nf_conntrack_max"]');
  await expect(maxRow.getByText('read-only', { exact: true })).toBeVisible();
  await expect(maxRow).toContainText('network namespace');
  await expect(maxRow.getByRole('textbox')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Table size for this host' })).toContainText('kube-proxy');
  await page.screenshot({ path: screenshotPath('tuning-top') });

  // Inline validation, then a valid duration.
  const input = page.getByLabel('New value for tcp_timeout_established');
  await input.fill('forever');
  await expect(row.getByRole('alert')).toContainText('not a valid value');
  await expect(page.getByRole('button', { name: 'Preview' })).toBeDisabled();
  await input.fill('1h');
  await expect(row.getByText('= 1 hour')).toBeVisible();
  await page.getByRole('button', { name: 'Preview' }).click();

  const preview = page.getByRole('region', { name: 'Preview' });
  const item = preview.locator(`tr[data-preview="${ESTABLISHED}"]`);
  await expect(item).toContainText('5 days');
  await expect(item).toContainText('1 hour');
  await expect(preview.locator(`[data-timeout="${ESTABLISHED}"]`)).toContainText('3600');
  await expect(preview.getByText(`sysctl -w ${ESTABLISHED}=3600`)).toBeVisible();
  await preview.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('tuning-preview'), fullPage: false });

  await preview.getByRole('button', { name: 'Apply 1 change' }).click();
  const result = page.getByRole('region', { name: 'Applied' });
  await expect(result).toContainText('1 hour');
  await expect.poll(kernelValue).toBe(3600);
  await expect(row.getByTestId('value-tcp_timeout_established')).toContainText('1 hour');

  // The parameter's chart: a step line with one marked point per recorded change.
  const history = page.getByRole('region', { name: 'History' });
  await history.getByLabel('History of parameter').selectOption(ESTABLISHED);
  const chart = history.getByTestId('param-history-chart');
  await expect(chart).toHaveAttribute('data-changes', '1');
  await expect(chart.locator('.chart-canvas')).toHaveAttribute('data-markers', '1');

  // Someone changes the value behind the page's back: the rollback is refused with the reason, then forced.
  await stack.ns.sysctl('net.netfilter.nf_conntrack_tcp_timeout_established', 7200);
  await result.getByRole('button', { name: 'Roll back' }).click();
  await expect(result.getByRole('alert')).toContainText(`${ESTABLISHED} is 7200, not 3600`);
  await expect.poll(kernelValue).toBe(7200);
  await page.screenshot({ path: screenshotPath('tuning-rollback-conflict'), fullPage: false });
  await result.getByRole('button', { name: 'Roll back anyway' }).click();
  await expect(page.getByRole('region', { name: 'Rolled back' })).toBeVisible();
  await expect.poll(kernelValue).toBe(original);
  await expect(row.getByTestId('value-tcp_timeout_established')).toContainText('5 days');

  // History (from the agent's audit log) lists both changes, newest first; the chart has both points.
  await expect(chart).toHaveAttribute('data-changes', '2');
  await expect(chart.locator('.chart-canvas')).toHaveAttribute('data-markers', '2');
  await expect(chart.locator('canvas').first()).toBeVisible();
  await expect(chart).toContainText('tcp_timeout_established over time (2 changes)');
  // Hovering a change shows its value, who made it and when.
  const overlay = chart.locator('.u-over');
  await overlay.scrollIntoViewIfNeeded();
  const box = await overlay.boundingBox();
  expect(box).not.toBeNull();
  let hovered = '';
  for (let step = 40; step >= 0 && !hovered.includes('set by admin via dashboard'); step--) {
    await overlay.hover({ position: { x: Math.min((box?.width ?? 0) - 1, ((box?.width ?? 0) * step) / 40), y: (box?.height ?? 0) / 2 } });
    hovered = (await chart.locator('.u-legend').textContent()) ?? '';
  }
  expect(hovered).toMatch(/(5 days|1 hour) · set by admin via dashboard/);
  const entries = history.locator('.history-entry');
  await expect(entries).toHaveCount(2);
  // The rollback went from the value it found (2 hours, set behind the page's back), not from 1 hour.
  await expect(entries.nth(0)).toContainText('2 hours → 5 days');
  await expect(entries.nth(0)).toContainText('rollback of the change at');
  await expect(entries.nth(1)).not.toContainText('rollback');
  await expect(entries.nth(1)).toContainText('5 days → 1 hour');
  await history.screenshot({ path: screenshotPath('tuning-history') });

  // Persist: the diff first, then the file, written under the agent's --path.rootfs.
  await input.fill('1h');
  const persist = page.getByRole('region', { name: 'Persist across reboots' });
  await persist.getByRole('button', { name: /Save to \/etc\/sysctl.d\/90-ctscope.conf/ }).click();
  await expect(persist.getByLabel(/diff of .*90-ctscope.conf/)).toContainText(`+${ESTABLISHED} = 3600`);
  await persist.getByRole('button', { name: /^Write/ }).click();
  await expect(persist.getByRole('status')).toContainText('90-ctscope.conf');
  await persist.screenshot({ path: screenshotPath('tuning-persist') });
  await page.locator('section.param-group').nth(1).screenshot({ path: screenshotPath('tuning-tcp') });
  const written = await readFile(join(stack.rootfs, 'etc', 'sysctl.d', '90-ctscope.conf'), 'utf8');
  expect(written).toMatch(new RegExp(`^${ESTABLISHED.replace(/\./g, '\\.')}\\s*=\\s*3600$`, 'm'));
  // Saving does not change the running value.
  expect(await kernelValue()).toBe(original);

  // A recommendation fills the form without applying anything.
  await page.getByRole('button', { name: 'Clear the form' }).click();
  await page.locator('[data-recommendation="established"]').getByRole('button', { name: 'Fill the form' }).click();
  await expect(input).toHaveValue('3600');
  await expect(page.getByText(/Filled from/)).toBeVisible();
  expect(await kernelValue()).toBe(original);

  await page.getByRole('button', { name: 'Clear the form' }).click();
  await page.screenshot({ path: screenshotPath('tuning'), fullPage: true });
});

test('a viewer reads tuning and rules but gets no controls to change them', async ({ page, browser, stack }) => {
  await loginAsAdmin(page, stack);
  const created = await page.request.post(`${stack.url}/api/users`, { data: { username: 'vera', password: VIEWER_PASSWORD, role: 'viewer' } });
  expect(created.status()).toBe(201);

  const viewer = await (await browser.newContext()).newPage();
  await viewer.goto(`${stack.url}/login?next=${encodeURIComponent('/tuning')}`);
  await viewer.getByLabel('Username').fill('vera');
  await viewer.getByLabel('Password').fill(VIEWER_PASSWORD);
  await viewer.getByRole('button', { name: 'Sign in' }).click();
  await expect(viewer.locator(`tr[data-param="${ESTABLISHED}"]`)).toContainText('5 days');
  await expect(viewer.getByText('You are signed in as a viewer')).toBeVisible();
  await expect(viewer.getByLabel('New value for tcp_timeout_established')).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Preview' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: /Fill the form/ })).toHaveCount(0);
  await expect(viewer.getByRole('region', { name: 'Persist across reboots' })).toHaveCount(0);

  await viewer.goto(`${stack.url}/rules`);
  await expect(viewer.getByTestId('backend')).toContainText('because');
  await viewer.getByLabel('Ports', { exact: true }).fill('53');
  await viewer.getByLabel('Protocol').selectOption('udp');
  await viewer.getByRole('button', { name: 'Preview' }).click();
  const preview = viewer.getByRole('region', { name: 'Preview' });
  await expect(preview).toContainText('udp dport 53');
  await expect(preview.getByRole('button', { name: 'Apply' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Remove all' })).toHaveCount(0);
});

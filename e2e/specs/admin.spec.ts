import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, screenshotPath } from './support';

const VIEWER_PASSWORD = 'viewer password 12345';

async function login(page: Page, url: string, username: string, password: string, next = '/'): Promise<void> {
  await page.goto(`${url}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${url}${next}`);
}

test('adding a host shows its token once and commands that install the agent from this dashboard', async ({ page, stack }) => {
  // Two packages as `npm run package` lays them out (their bytes do not matter to the page).
  const packages = { 'ctscope-agent_0.1.0_amd64.deb': 'deb bytes', 'ctscope-agent-0.1.0-linux-x64.tar.gz': 'tarball bytes' };
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  for (const [file, bytes] of Object.entries(packages)) await writeFile(join(stack.releaseDir, file), bytes);
  await writeFile(join(stack.releaseDir, 'SHA256SUMS'), Object.entries(packages).map(([file, bytes]) => `${sha(bytes)}  ${file}\n`).join(''));

  await loginAsAdmin(page, stack, '/hosts');
  const table = page.getByRole('table', { name: 'Hosts' });
  // Before any token: what the dashboard serves, and no warning (CTSCOPE_PUBLIC_URL is set).
  const served = page.getByRole('region', { name: 'Agent packages' });
  await expect(served.getByText(`Agent packages served here: ${Object.keys(packages).join(', ')}`)).toBeVisible();
  await expect(served.getByRole('alert')).toHaveCount(0);
  // The stack's own agent is listed with its version and kernel.
  await expect(table.locator('tbody tr').first().getByText('online', { exact: true })).toBeVisible();

  const form = page.getByRole('form', { name: 'Add a host' });
  await form.getByLabel('Host id').fill('edge-7');
  await form.getByLabel('Hostname').fill('edge-7.example.net');
  await form.getByRole('button', { name: 'Add host' }).click();

  const panel = page.getByRole('region', { name: 'Enrollment for edge-7' });
  await expect(panel.getByText('This token is shown once.')).toBeVisible();
  const deb = 'ctscope-agent_0.1.0_amd64.deb';
  await expect(panel.locator('.copy-command code').first()).toHaveText(
    `d=$(mktemp -d) && curl -fsSL -o "$d/${deb}" ${stack.url}/downloads/${deb} && echo "${sha(packages[deb])}  $d/${deb}" | sha256sum -c - && sudo dpkg -i "$d/${deb}" && rm -r "$d"`,
  );
  await panel.getByText('On any other x86-64 Linux').click();
  await expect(panel.getByText(`${stack.url}/downloads/ctscope-agent-0.1.0-linux-x64.tar.gz`)).toBeVisible();
  await expect(panel.getByText(`echo 'CTSCOPE_DASHBOARD=${stack.url}' | sudo install -D -m 0644 /dev/stdin /etc/ctscope/agent.env`)).toBeVisible();
  const tokenCommand = panel.getByRole('button', { name: /^Copy token: / });
  const token = /^Copy token: ([A-Za-z0-9_-]{43})$/.exec((await tokenCommand.getAttribute('aria-label')) ?? '')?.[1];
  expect(token).toBeDefined();
  // The token is pasted at a prompt: no command carries it.
  for (const command of await panel.locator('.copy-command code').allInnerTexts()) if (command !== token) expect(command).not.toContain(token);
  await expect(panel.getByText('sudo systemctl enable --now ctscope-agent && ctscope --version')).toBeVisible();
  // http:// on loopback: agents accept it, so neither the plain-http warning nor the CA hint shows.
  await expect(panel.getByText('Agents refuse this plain http:// address')).toHaveCount(0);
  await expect(panel.getByText('CTSCOPE_CA_FILE=/etc/ctscope/ca.pem')).toHaveCount(0);
  expect(await panel.textContent()).not.toContain('npx');
  await page.screenshot({ path: screenshotPath('hosts-enrollment'), fullPage: true });

  await panel.getByRole('button', { name: 'I have copied it' }).click();
  const row = table.locator('tr[data-host-id="edge-7"]');
  await expect(row.getByText('offline', { exact: true })).toBeVisible();
  await page.reload();
  await expect(row).toBeVisible();
  // Shown once: the token is nowhere on the page or in the API once the panel is closed.
  expect(await page.content()).not.toContain(token ?? 'no token');
  expect(await (await page.request.get(`${stack.url}/api/hosts/managed`)).text()).not.toContain(token ?? 'no token');
  await page.screenshot({ path: screenshotPath('hosts'), fullPage: true });
});

test('a viewer sees no controls, and the server refuses their delete; the audit page shows and exports it', async ({ page, browser, stack }) => {
  await loginAsAdmin(page, stack, '/admin/users');
  const form = page.getByRole('form', { name: 'Create a user' });
  await form.getByLabel('Username').fill('vic');
  await form.getByLabel('Password').fill(VIEWER_PASSWORD);
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText('vic can sign in now.')).toBeVisible();
  await expect(page.locator('tr[data-username="vic"]').getByRole('combobox')).toHaveValue('viewer');
  await page.screenshot({ path: screenshotPath('users'), fullPage: true });

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await login(viewer, stack.url, 'vic', VIEWER_PASSWORD, '/connections');
  await stack.traffic({ tcp: 2 });
  await expect(viewer.locator('.flow-row[data-key]').first()).toBeVisible();
  await expect(viewer.getByRole('button', { name: /Delete/ })).toHaveCount(0);
  await expect(viewer.locator('.flow-row[data-key]').first().getByRole('checkbox')).toHaveCount(0);
  await expect(viewer.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
  await viewer.goto(`${stack.url}/hosts`);
  await expect(viewer.getByRole('table', { name: 'Hosts' })).toBeVisible();
  await expect(viewer.getByRole('form', { name: 'Add a host' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
  const refused = await viewer.request.delete(`${stack.url}/api/users/1`);
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'only admins can do this' } });
  // Every user changes their own password.
  await viewer.goto(`${stack.url}/account`);
  const account = viewer.getByRole('form', { name: 'Change your password' });
  await account.getByLabel('Current password').fill(VIEWER_PASSWORD);
  await account.getByLabel('New password', { exact: true }).fill('a brand new viewer password');
  await account.getByLabel('New password, again').fill('a brand new viewer password');
  await account.getByRole('button', { name: 'Change password' }).click();
  await expect(viewer.getByText('Password changed.')).toBeVisible();
  await viewer.screenshot({ path: screenshotPath('account'), fullPage: true });
  await viewerContext.close();

  await page.goto(`${stack.url}/audit`);
  const table = page.getByRole('table', { name: 'Audit records' });
  const created = table.locator('tr', { hasText: 'user.create' });
  await expect(created).toContainText('user:vic');
  await expect(created).toContainText('"role":"viewer"');
  const refusedRow = table.locator('tr', { hasText: 'user.delete' });
  await expect(refusedRow).toContainText('vic');
  await expect(refusedRow).toContainText('refused');
  await expect(refusedRow.getByText('error', { exact: true })).toBeVisible();

  await page.screenshot({ path: screenshotPath('audit-all'), fullPage: true });
  // Filter by user, server-side.
  const filters = page.getByRole('form', { name: 'Audit filters' });
  await filters.getByRole('combobox', { name: 'User', exact: true }).selectOption('vic');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tr', { hasText: 'user.password-change' })).toContainText('user:vic');
  await filters.getByRole('combobox', { name: 'Result', exact: true }).selectOption('error');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(page).toHaveURL(/actor=vic.*result=error/);
  await page.screenshot({ path: screenshotPath('audit'), fullPage: true });

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const lines = (await readFile((await csv.path()) ?? '', 'utf8')).trim().split('\n');
  expect(lines[0]).toBe('time,actor,target,action,result,what,before,after');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(',vic,user:admin,user.delete,error,refused: the viewer role may not do this,,');
  const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export JSON lines' }).click()]);
  const record = JSON.parse((await readFile((await jsonl.path()) ?? '', 'utf8')).trim()) as { actor: string; action: string; result: string };
  expect(record).toMatchObject({ actor: 'vic', action: 'user.delete', result: 'error' });
});

test('save a view on the connections page, share it, and open its URL', async ({ page, stack }) => {
  await stack.traffic({ tcp: 3 });
  await loginAsAdmin(page, stack, '/connections?q=tcp&sort=dport&desc=1');
  await expect(page.locator('.flow-row[data-key]').first()).toBeVisible();
  await page.getByRole('button', { name: 'Save view' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save this view' });
  await expect(dialog.locator('dd', { hasText: /^tcp$/ })).toBeVisible();
  await dialog.getByLabel('Name').fill('TCP by port');
  await dialog.getByLabel('Share with everyone on this dashboard').check();
  await page.screenshot({ path: screenshotPath('save-view'), fullPage: false });
  await dialog.getByRole('button', { name: 'Save view' }).click();
  const done = page.getByRole('dialog', { name: 'View saved' });
  const link = await done.locator('.copy-command code').innerText();
  expect(link).toMatch(new RegExp(`^${stack.url}/views/[A-Za-z0-9_-]{16}$`));
  await done.getByRole('button', { name: 'Done' }).click();

  await page.goto(`${stack.url}/views`);
  const row = page.getByRole('table', { name: 'Saved views' }).locator('tr', { hasText: 'TCP by port' });
  await expect(row).toContainText('Connections');
  await expect(row.locator('td.mono-cell')).toHaveText('tcp');
  await expect(row.getByLabel('Shared')).toBeChecked();

  // Rename it, then open the link as a teammate would.
  await row.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('New name').fill('TCP, highest port first');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('link', { name: 'TCP, highest port first' })).toBeVisible();

  await page.goto(link);
  await expect(page).toHaveURL(/\/connections\?.*q=tcp&sort=dport&desc=1/);
  await expect(page.getByRole('combobox', { name: 'Filter' })).toHaveValue('tcp');
  await expect(page.locator('.flow-row[data-key]').first()).toBeVisible();

  // A host page view keeps its chart range.
  const hostId = new URL(page.url()).searchParams.get('host') ?? '';
  await page.goto(`${stack.url}/hosts/${hostId}`);
  await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: '1 hour' }).click();
  await expect(page).toHaveURL(/range=1h/);
  await page.getByRole('button', { name: 'Save view' }).click();
  await page.getByRole('dialog', { name: 'Save this view' }).getByLabel('Name').fill('Last hour');
  await page.getByRole('dialog', { name: 'Save this view' }).getByRole('button', { name: 'Save view' }).click();
  const hourLink = await page.getByRole('dialog', { name: 'View saved' }).locator('.copy-command code').innerText();
  await page.goto(hourLink);
  await expect(page).toHaveURL(`${stack.url}/hosts/${hostId}?range=1h`);
  await expect(page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: '1 hour' })).toHaveAttribute('aria-pressed', 'true');

  await page.goto(`${stack.url}/views`);
  await expect(page.getByRole('table', { name: 'Saved views' }).locator('tbody tr')).toHaveCount(2);
  await page.screenshot({ path: screenshotPath('views'), fullPage: true });
  await page.locator('tr', { hasText: 'Last hour' }).getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Delete Last hour' }).click();
  await expect(page.locator('tr', { hasText: 'Last hour' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('button', { name: 'Delete TCP, highest port first' }).click();
  await expect(page.getByText('No saved views yet')).toBeVisible();
  await page.goto(link);
  await expect(page).toHaveURL(`${stack.url}/views?missing=1`);
  await expect(page.getByText('That view does not exist any more')).toBeVisible();
});

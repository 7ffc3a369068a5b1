import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, screenshotPath } from './support';

interface Hit {
  path: string;
  signature: string | undefined;
  authorization: string | undefined;
  body: string;
}

/** A webhook receiver on loopback: 200 on /ok/..., 502 with a reason elsewhere. */
async function receiver(): Promise<{ url: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', signature: req.headers['x-ctscope-signature'] as string | undefined, authorization: req.headers.authorization, body });
      if (req.url?.startsWith('/ok/')) res.end('ok');
      else res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream chat service is down');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

test('admins add a webhook, send a test and see it delivered; a failing destination shows why', async ({ page, stack }) => {
  const hook = await receiver();
  try {
    await loginAsAdmin(page, stack, '/admin/notifications');
    await expect(page.getByRole('heading', { name: 'Notifications' })).toBeVisible();
    await expect(page.getByText('No destinations yet')).toBeVisible();

    await page.getByRole('button', { name: 'Add a destination' }).click();
    const form = page.getByRole('form', { name: 'Add a destination' });
    await form.getByLabel('Name').fill('Ops webhook');
    await form.getByLabel('Webhook URL').fill(`${hook.url}/ok/secret-path-123`);
    await form.getByLabel('Signing secret (optional)').fill('a signing secret of length');
    await page.screenshot({ path: screenshotPath('notifications-add'), fullPage: true });
    await form.getByRole('button', { name: 'Save' }).click();

    const table = page.getByRole('table', { name: 'Notification destinations' });
    const ops = table.locator('tr[data-destination="Ops webhook"]');
    await expect(ops.getByText(`${hook.url}/ok/…`)).toBeVisible();
    await expect(ops.getByText('signed (HMAC-SHA256)')).toBeVisible();
    await expect(ops.getByText('nothing sent yet')).toBeVisible();
    // The secret path never reaches the page.
    expect(await page.content()).not.toContain('secret-path-123');

    await ops.getByRole('button', { name: 'Send test' }).click();
    await expect(ops.getByRole('status')).toHaveText('test notification delivered');
    await expect(ops.getByTestId('delivery')).toContainText('delivered');
    expect(hook.hits).toHaveLength(1);
    expect(hook.hits[0]?.path).toBe('/ok/secret-path-123');
    expect(hook.hits[0]?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(hook.hits[0]?.body ?? '{}')).toMatchObject({ version: 1, test: true });

    // A Slack destination whose receiver fails: the error, with the status and the receiver's reason.
    await page.getByRole('button', { name: 'Add a destination' }).click();
    await form.getByLabel('Name').fill('Team chat');
    await form.getByLabel('Kind').selectOption('slack');
    await form.getByLabel('Webhook URL').fill(`${hook.url}/down/T0/B0/XYZ`);
    await form.getByLabel('Send').selectOption('critical');
    await form.getByRole('button', { name: 'Save' }).click();
    const chat = table.locator('tr[data-destination="Team chat"]');
    await expect(chat.getByText('critical only')).toBeVisible();
    await chat.getByRole('button', { name: 'Send test' }).click();
    await expect(chat.getByRole('status')).toHaveText(`${hook.url} answered 502: upstream chat service is down`);
    await expect(chat.getByTestId('delivery')).toContainText(`failed just now: ${hook.url} answered 502: upstream chat service is down`);
    await page.screenshot({ path: screenshotPath('notifications'), fullPage: true });

    // Editing without retyping the address keeps it; the failure stays visible after a reload.
    await chat.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit Team chat' });
    await expect(edit.getByLabel('Webhook URL')).toHaveValue('');
    await edit.getByLabel('Hosts').fill('gw1, gw2');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.reload();
    await expect(chat.getByText('gw1, gw2')).toBeVisible();
    await expect(chat.getByTestId('delivery')).toContainText('answered 502');
    await chat.getByRole('button', { name: 'Send test' }).click();
    await expect(chat.getByRole('status')).toContainText('answered 502');
    expect(hook.hits.at(-1)?.path).toBe('/down/T0/B0/XYZ');
    expect(JSON.parse(hook.hits.at(-1)?.body ?? '{}')).toMatchObject({ text: expect.stringContaining('[test]') as unknown, blocks: expect.any(Array) as unknown });

    // Alertmanager with a bearer token: the test is a v2 alert; the token is never shown again.
    await page.getByRole('button', { name: 'Add a destination' }).click();
    await form.getByLabel('Name').fill('Alertmanager');
    await form.getByLabel('Kind').selectOption('alertmanager');
    await form.getByLabel('Alertmanager address').fill(`${hook.url}/ok/am`);
    await form.getByLabel('Credentials').selectOption('bearer');
    await form.getByLabel('Token', { exact: true }).fill('am-token-456');
    await form.getByRole('button', { name: 'Save' }).click();
    const am = table.locator('tr[data-destination="Alertmanager"]');
    await expect(am.getByText(`${hook.url}/ok/am`)).toBeVisible();
    await expect(am.getByText('with credentials')).toBeVisible();
    await am.getByRole('button', { name: 'Send test' }).click();
    await expect(am.getByRole('status')).toHaveText('test notification delivered');
    const posted = hook.hits.at(-1);
    expect(posted?.path).toBe('/ok/am/api/v2/alerts');
    expect(posted?.authorization).toBe('Bearer am-token-456');
    expect(JSON.parse(posted?.body ?? '[]')).toMatchObject([{ labels: { alertname: 'CtscopeTest', source: 'ctscope' } }]);
    expect(await page.content()).not.toContain('am-token-456');

    await chat.getByRole('button', { name: 'Delete' }).click();
    await chat.getByRole('button', { name: 'Delete Team chat' }).click();
    await expect(chat).toHaveCount(0);
  } finally {
    hook.server.closeAllConnections();
    hook.server.close();
  }
});

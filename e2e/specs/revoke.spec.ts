import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, screenshotPath } from './support';

// Revoking takes the stack's only agent away: this spec has the stack to itself.
test('revoking a host disconnects its agent at once and refuses it after', async ({ page, stack }) => {
  // The fixture pipes the agent's log into this process's stderr: listen there.
  const log: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    log.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    await loginAsAdmin(page, stack, '/');
    const card = page.locator('article.host-card');
    await expect(card.getByText('online', { exact: true })).toBeVisible();

    await page.goto(`${stack.url}/hosts`);
    const row = page.getByRole('table', { name: 'Hosts' }).locator('tbody tr').first();
    await expect(row.getByText('online', { exact: true })).toBeVisible();
    const hostId = (await row.getAttribute('data-host-id')) ?? '';
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: `Revoke ${hostId} now` }).click();
    await expect(page.getByText(`${hostId} is revoked`)).toBeVisible();
    await expect(row.getByText('revoked', { exact: true })).toBeVisible();
    await page.screenshot({ path: screenshotPath('hosts-revoked'), fullPage: true });

    await page.goto(stack.url);
    await expect(page.locator('article.host-card').getByText('offline', { exact: true })).toBeVisible();
    await expect.poll(() => log.join(''), { timeout: 20_000 }).toMatch(/the dashboard refused this agent: unknown agent token/);

    await page.goto(`${stack.url}/audit`);
    await expect(page.getByRole('table', { name: 'Audit records' }).locator('tr', { hasText: 'host.revoke' })).toContainText(hostId);
  } finally {
    process.stderr.write = write;
  }
});

import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bridgeIntoNetns } from '@ctscope/testkit';
import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, screenshotPath } from './support';

const AGENT_BIN = fileURLToPath(new URL('../../apps/agent/bin/ctscope.mjs', import.meta.url));

/** Runs an agent inside the stack's namespace and collects what it logs until it exits. */
function runAgent(child: ChildProcess): { output(): string; exited: Promise<number | null> } {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { output: () => output, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

// Revoking takes the stack's only agent away: this spec has the stack to itself.
test('revoking a host disconnects its agent at once, and the agent is refused after', async ({ page, stack }) => {
  await loginAsAdmin(page, stack, '/');
  await expect(page.locator('article.host-card').getByText('online', { exact: true })).toBeVisible();

  await page.goto(`${stack.url}/hosts`);
  const row = page.getByRole('table', { name: 'Hosts' }).locator('tbody tr').first();
  await expect(row.getByText('online', { exact: true })).toBeVisible();
  const hostId = (await row.getAttribute('data-host-id')) ?? '';
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: `Revoke ${hostId} now` }).click();
  await expect(page.getByText(`${hostId} is revoked`)).toBeVisible();
  await expect(row.getByText('revoked', { exact: true })).toBeVisible();
  await page.screenshot({ path: screenshotPath('hosts-revoked'), fullPage: true });

  // The overview sees the host drop at once (no page reload: the live socket says so).
  await page.goto(stack.url);
  await expect(page.locator('article.host-card').getByText('offline', { exact: true })).toBeVisible();

  // An agent starting again with the revoked token (the stack's own token file) is refused and says so.
  const bridge = await bridgeIntoNetns(stack.ns, Number(new URL(stack.url).port));
  try {
    const dataDir = dirname(stack.rootfs);
    const agent = runAgent(
      stack.ns.spawn(process.execPath, [
        AGENT_BIN,
        'agent',
        '--dashboard',
        `http://127.0.0.1:${bridge.nsPort}`,
        '--token-file',
        join(dataDir, 'agent.token'),
        '--audit-file',
        join(dataDir, 'agent-audit-2.jsonl'),
        '--path.rootfs',
        stack.rootfs,
        '--metrics',
        'off',
      ]),
    );
    expect(await agent.exited).toBe(1);
    expect(agent.output()).toContain('the dashboard refused this agent: unknown agent token');
  } finally {
    await bridge.close();
  }

  await page.goto(`${stack.url}/audit`);
  await expect(page.getByRole('table', { name: 'Audit records' }).locator('tr', { hasText: 'host.revoke' })).toContainText(hostId);
});

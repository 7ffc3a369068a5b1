import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createNetns, fillConntrack, run, type Netns } from '@ctscope/testkit';
import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, numberIn, screenshotPath } from './support';

const inodeOf = (path: string) => String(statSync(path).ino);

test('host page: entries per network namespace against the shared limit, each equal to conntrack -C inside it', async ({ page, stack }) => {
  test.setTimeout(120_000);
  const extra: Netns[] = [];
  let holder: ChildProcess | undefined;
  try {
    for (const entries of [260, 90]) {
      const ns = await createNetns();
      extra.push(ns);
      await fillConntrack(ns, entries);
    }
    holder = spawn('unshare', ['--net', '--', 'sleep', '600'], { stdio: 'ignore' });
    const pid = holder.pid ?? 0;
    await expect.poll(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('sleep');
    for (let i = 0; i < 3; i++) {
      await run('nsenter', [`--target=${pid}`, '--net', '--', 'conntrack', '-I', '-p', 'tcp', '-s', '10.9.0.1', '-d', '10.9.0.2', '--sport', String(40_000 + i), '--dport', '443', '--state', 'ESTABLISHED', '-t', '3600']);
    }
    await stack.traffic({ tcp: 5, udp: 10 });

    await loginAsAdmin(page, stack);
    await page.getByRole('link', { name: 'Charts & top talkers' }).click();
    await expect(page).toHaveURL(/\/hosts\//);
    const panel = page.getByRole('region', { name: 'Namespaces' });
    await expect(panel).toBeVisible();
    // The agent counts again at most every 10 s: wait for a pass that saw the namespaces made above.
    const all = panel.getByRole('button', { name: /^Show all/ });
    const row = (name: string | RegExp) => panel.locator('li', { has: page.locator('.netns-name', { hasText: name }) });
    await expect
      .poll(
        async () => {
          if (await all.isVisible()) await all.click();
          return row(`sleep (pid ${pid})`).count();
        },
        { timeout: 40_000 },
      )
      .toBe(1);

    for (const ns of extra) {
      const kernel = Number((await ns.conntrack(['-C'])).stdout.trim());
      const named = row(ns.name);
      await expect(named.locator('.badge')).toHaveText('named');
      // A pass may have run while the namespace was being filled: the next one (10 s) has it all.
      await expect.poll(async () => numberIn(await named.locator('.netns-count').innerText()), { timeout: 25_000 }).toBe(kernel);
    }
    const held = row(`sleep (pid ${pid})`);
    await expect(held.locator('.badge')).toHaveText('process');
    const heldKernel = Number((await run('nsenter', [`--target=${pid}`, '--net', '--', 'conntrack', '-C'])).stdout.trim());
    expect(heldKernel).toBe(3);
    await expect.poll(async () => numberIn(await held.locator('.netns-count').innerText()), { timeout: 25_000 }).toBe(heldKernel);
    // The agent's own namespace is the host's, whatever else runs on this machine.
    const host = panel.locator('li', { has: page.locator('.badge', { hasText: /^host$/ }) });
    await expect(host).toHaveCount(1);
    await expect(host).toHaveAttribute('title', new RegExp(`^net:\\[${inodeOf(`/run/netns/${stack.ns.name}`)}\\]`));
    await expect(panel.getByTestId('netns-total')).toContainText('nf_conntrack_max');
    await page.getByRole('heading', { name: 'Namespaces' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('host-namespaces'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await panel.screenshot({ path: screenshotPath('host-namespaces-dark') });
    await page.emulateMedia({ colorScheme: 'light' });
    const top = panel.getByRole('button', { name: /^Show the top/ });
    if (await top.isVisible()) {
      await top.click();
      await expect(panel.locator('li')).toHaveCount(10);
    }
  } finally {
    holder?.kill('SIGKILL');
    for (const ns of extra) await ns.destroy();
  }
});

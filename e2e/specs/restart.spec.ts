import { expect, test } from '../fixtures/stack';
import { kernelEntries, loginAsAdmin, numberIn } from './support';

test('a dashboard restart keeps the session, the agent reconnects and the open page goes on updating', async ({ page, stack }) => {
  test.setTimeout(180_000); // two dashboard start-ups
  await loginAsAdmin(page, stack, '/connections');
  const total = page.getByTestId('match-total');
  const query = page.getByRole('combobox', { name: 'Filter' });
  await query.fill('tcp state:time_wait');
  await query.press('Enter');
  await stack.traffic({ tcp: 3 });
  await expect(total).toHaveText('3', { timeout: 15_000 });

  await stack.restartDashboard();

  // Nothing is reloaded: the page reconnects, re-opens its window, and new connections show up in it.
  // (The agent's own reconnects leave TIME_WAIT entries too: the page must agree with the kernel.)
  await stack.traffic({ tcp: 4 });
  await expect
    .poll(async () => {
      const shown = numberIn(await total.innerText());
      const kernel = (await kernelEntries(stack, ['-p', 'tcp', '--state', 'TIME_WAIT'])).length;
      return shown === kernel && kernel >= 7;
    }, { timeout: 30_000 })
    .toBe(true);
  await expect(page.getByRole('status').filter({ hasText: 'live' }).first()).toBeVisible();
  await expect(page).toHaveURL(/\/connections/);
});

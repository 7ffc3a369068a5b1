import { expect, test } from '../fixtures/stack';
import { loginAsAdmin, numberIn, screenshotPath } from './support';

// The dashboard serves HTTPS itself with a certificate of a throwaway CA, which the agent pins with
// --ca-file. Chromium does not know that CA: it is told to go on (the agent's verification is what is
// tested, in tls.kernel.test.ts; here, that the product works over TLS end to end).
test.use({ tls: true, ignoreHTTPSErrors: true });

test('over HTTPS the pages, the login (a Secure __Host- cookie), HSTS and live updates work, and the pinning agent is online', async ({ page, context, stack }) => {
  expect(stack.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const login = await page.goto(`${stack.url}/login`);
  expect(login?.headers()['strict-transport-security']).toMatch(/max-age=\d+/);
  await loginAsAdmin(page, stack);

  const cookies = await context.cookies(stack.url);
  const session = cookies.find((c) => c.name === '__Host-ctscope_session');
  expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict', path: '/' });
  expect(cookies.map((c) => c.name)).not.toContain('ctscope_session');

  // Samples reach the page over a wss:// browser socket, from an agent that reached the dashboard over TLS.
  const card = page.locator('article.host-card');
  await expect(card.getByText('online', { exact: true })).toBeVisible();
  const count = card.getByTestId('conntrack-count');
  const before = numberIn(await count.innerText());
  await stack.traffic({ tcp: 10, udp: 10 });
  await expect.poll(async () => numberIn(await count.innerText()), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 20);
  await page.screenshot({ path: screenshotPath('overview-over-https'), fullPage: true });

  // Enrolling a host against an https:// dashboard says where a private CA goes on the host.
  await page.goto(`${stack.url}/hosts`);
  const form = page.getByRole('form', { name: 'Add a host' });
  await form.getByLabel('Host id').fill('edge-tls');
  await form.getByLabel('Hostname').fill('edge-tls.example.net');
  await form.getByRole('button', { name: 'Add host' }).click();
  const panel = page.getByRole('region', { name: 'Enrollment for edge-tls' });
  await expect(panel.getByText(`echo 'CTSCOPE_DASHBOARD=${stack.url}' | sudo install -D -m 0644 /dev/stdin /etc/ctscope/agent.env`)).toBeVisible();
  await expect(panel.getByText('CTSCOPE_CA_FILE=/etc/ctscope/ca.pem')).toBeVisible();
  await expect(panel.getByText('Agents refuse this plain http:// address')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('hosts-enrollment-over-https'), fullPage: true });
});

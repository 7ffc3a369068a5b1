import type { ChildProcess } from 'node:child_process';
import { expect, test, type Stack } from '../fixtures/stack';
import { kernelEntries, loginAsAdmin, numberIn, screenshotPath } from './support';

// The UDP black hole for real, inside the test namespace (Kubernetes 19029, 48370, 125467): a client keeps
// sending from one socket to a DNATed address after its backend is gone and the DNAT rule moved to another.
const VIP = '10.96.0.10';
const A = '10.1.0.1';
const B = '10.1.0.2';
const CLIENT = '10.0.0.1';
const STUCK_PORT = 40001;
const VIEWER_PASSWORD = 'viewer password 12345';

/** A UDP server on argv[1]:53 answering every datagram. */
const SERVER = "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('pong',r.port,r.address));s.bind(53,process.argv[1]);";
/** One socket on CLIENT:STUCK_PORT sending to VIP:53 every 200 ms; prints a line per answer. */
const STUCK_CLIENT = `const s=require('dgram').createSocket('udp4');s.on('error',()=>{});s.on('message',()=>console.log('answer'));s.bind(${STUCK_PORT},'${CLIENT}',()=>setInterval(()=>s.send('ping',53,'${VIP}'),200));`;
/** Every 300 ms a new socket (a new source port, as resolvers do) asks VIP:53 once. */
const FRESH_CLIENTS = `const d=require('dgram');setInterval(()=>{const s=d.createSocket('udp4');s.on('message',()=>{console.log('answer');s.close()});s.bind(0,'${CLIENT}',()=>s.send('ping',53,'${VIP}'));setTimeout(()=>{try{s.close()}catch{}},1000)},300);`;
const dnatTo = (backend: string) => `table ip e2e_nat {
  chain out { type nat hook output priority -100; policy accept; ip daddr ${VIP} udp dport 53 dnat to ${backend}; }
}
`;

function started(stack: Stack, children: ChildProcess[], script: string, args: string[] = []): { lines: () => number; child: ChildProcess } {
  const child = stack.ns.spawn(process.execPath, ['-e', script, ...args]);
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, lines: () => out.split('\n').filter((l) => l === 'answer').length };
}

/** The kernel's UDP entries to VIP:53 whose reply comes from `backend` (the DNAT target). */
const entriesTo = async (stack: Stack, backend: string) => (await kernelEntries(stack, ['-p', 'udp', '--orig-dst', VIP, '--dport', '53'])).filter((l) => [...l.matchAll(/\bsrc=(\S+)/g)][1]?.[1] === backend);

test.describe('a UDP black hole', () => {
  test.use({ agentArgs: ['--diagnose-udp-silence', '3'] });

  test('diagnoses: a real UDP black hole appears on the host page and the overview; its evidence opens the matching connections; its fix previews (dry run) and deletes exactly those entries, audited', async ({ page, browser, stack }) => {
    test.setTimeout(150_000);
    const children: ChildProcess[] = [];
    try {
      await stack.ns.sysctl('net.netfilter.nf_conntrack_acct', 1);
      for (const args of [
        // A veth pair whose far end has no address: packets routed out of it reach no one.
        ['link', 'add', 'e2e0', 'type', 'veth', 'peer', 'name', 'void0'],
        ['link', 'set', 'void0', 'up'],
        ['link', 'set', 'e2e0', 'up'],
        ['addr', 'add', `${CLIENT}/32`, 'dev', 'e2e0'],
        ['addr', 'add', `${A}/32`, 'dev', 'e2e0'],
        ['addr', 'add', `${B}/32`, 'dev', 'e2e0'],
        ['route', 'add', '10.96.0.0/24', 'dev', 'e2e0'],
      ])
        await stack.ns.exec('ip', args);
      await stack.ns.exec('nft', ['-f', '-'], dnatTo(A));
      const serverA = started(stack, children, SERVER, [A]);
      started(stack, children, SERVER, [B]);

      await loginAsAdmin(page, stack);
      const hostId = (await page.locator('[data-host-id]').first().getAttribute('data-host-id')) ?? '';
      await page.goto(`${stack.url}/hosts/${encodeURIComponent(hostId)}`);
      const panel = page.getByRole('region', { name: 'Diagnoses' });
      // The agent reports on connect: nothing is wrong yet.
      await expect(panel.getByTestId('diagnoses-quiet')).toHaveText('No known problem found.', { timeout: 40_000 });

      const stuck = started(stack, children, STUCK_CLIENT);
      await expect.poll(() => stuck.lines(), { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
      await page.waitForTimeout(2_500); // the agent sees the entry answered by A

      // Backend A goes (its address now leads nowhere) and the DNAT moves to B; new clients come after it.
      serverA.child.kill('SIGKILL');
      await stack.ns.exec('ip', ['addr', 'del', `${A}/32`, 'dev', 'e2e0']);
      await stack.ns.exec('ip', ['route', 'add', '10.1.0.0/24', 'dev', 'e2e0']);
      await stack.ns.exec('nft', ['-f', '-'], `flush chain ip e2e_nat out\nadd rule ip e2e_nat out ip daddr ${VIP} udp dport 53 dnat to ${B}\n`);
      const fresh = started(stack, children, FRESH_CLIENTS);
      await expect.poll(() => fresh.lines(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
      const answeredBefore = stuck.lines();

      // The diagnosis appears by itself (pushed), with the kernel's evidence.
      const card = panel.locator('[data-diagnosis="udp-black-hole"]');
      await expect(card).toBeVisible({ timeout: 40_000 });
      await expect(card.getByRole('heading', { level: 3 })).toContainText(`${VIP}:53`);
      await expect(card.getByRole('table', { name: 'evidence' })).toContainText(A);
      const examples = card.getByRole('table', { name: /^example entries/ });
      await expect(examples.locator('tbody tr')).toHaveCount(1);
      await expect(examples).toContainText(`${CLIENT}:${STUCK_PORT}`);
      await expect(examples).toContainText(`${A}:53`);
      await expect(page.getByTestId('diagnoses-quiet')).toHaveCount(0);
      expect(await entriesTo(stack, A)).toHaveLength(1);
      await panel.screenshot({ path: screenshotPath('diagnoses-panel') });

      // A viewer sees the diagnosis and its evidence, but not the delete's dry run (a change: operators only).
      const created = await page.request.post(`${stack.url}/api/users`, { data: { username: 'vic', password: VIEWER_PASSWORD, role: 'viewer' }, headers: { origin: stack.url } });
      expect(created.ok()).toBe(true);
      const viewerContext = await browser.newContext();
      const viewer = await viewerContext.newPage();
      await viewer.goto(`${stack.url}/login?next=${encodeURIComponent(`/hosts/${hostId}`)}`);
      await viewer.getByLabel('Username').fill('vic');
      await viewer.getByLabel('Password').fill(VIEWER_PASSWORD);
      await viewer.getByRole('button', { name: 'Sign in' }).click();
      const viewerCard = viewer.locator('[data-diagnosis="udp-black-hole"]');
      await expect(viewerCard.getByRole('table', { name: 'evidence' })).toContainText(A);
      await expect(viewerCard.getByRole('link', { name: 'Show entries' })).toBeVisible();
      await expect(viewerCard.locator('[data-fix="delete"]')).toContainText('Operators and admins can preview');
      await expect(viewerCard.getByRole('button', { name: 'Preview' })).toHaveCount(0);
      await viewerContext.close();

      // The overview's badge: worst severity, count, kinds on focus; it leads back to the panel.
      await page.goto(stack.url);
      const row = page.locator(`tr[data-host-id="${hostId}"]`);
      const badge = row.getByTestId('diagnosis-badge');
      await expect(badge).toHaveAttribute('aria-label', /1 diagnosis: UDP black hole/);
      await expect(badge).toHaveClass(/diagnosis-badge-(warning|critical)/);
      await expect(row.locator('td[data-column="diagnoses"]')).toContainText('UDP black hole');
      const cardBadge = page.locator(`article[data-host-id="${hostId}"]`).getByTestId('diagnosis-badge');
      await cardBadge.focus();
      await expect(cardBadge.locator('.diagnosis-badge-kinds')).toBeVisible();
      await expect(cardBadge.locator('.diagnosis-badge-kinds')).toContainText('UDP black hole');
      await page.screenshot({ path: screenshotPath('diagnoses-overview-badge'), fullPage: false });
      await badge.click();
      await expect(page).toHaveURL(new RegExp(`/hosts/${hostId}#diagnoses$`));

      // Show entries: the connections page with the evidence's filter lists exactly the kernel's stuck entries.
      const query = (await card.locator('.diagnosis-query code').innerText()).trim();
      expect(query).toContain(`reply-src:${A}`);
      await card.getByRole('link', { name: 'Show entries' }).click();
      await expect(page).toHaveURL(new RegExp(`/connections\\?host=${hostId}&q=`));
      await expect.poll(async () => numberIn(await page.getByTestId('match-total').innerText()), { timeout: 15_000 }).toBe(1);
      await expect(page.locator('.flow-row[data-key] [data-column="sport"]')).toHaveText([String(STUCK_PORT)]);
      await page.goBack();

      // An overview left open follows the host's diagnoses live (no reload).
      const overview = await page.context().newPage();
      await overview.goto(stack.url);
      const liveBadge = overview.locator(`tr[data-host-id="${hostId}"]`).getByTestId('diagnosis-badge');
      await expect(liveBadge).toBeVisible();

      // The fix: Preview runs the dry run (count + sample), then the delete of exactly that plan.
      const fix = panel.locator('[data-diagnosis="udp-black-hole"] [data-fix="delete"]');
      await fix.getByRole('button', { name: 'Preview' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete all matching entries' });
      await expect(dialog.getByTestId('dry-run-count')).toHaveText('1');
      await expect(dialog.getByRole('table', { name: 'sample of matching entries' })).toContainText(`${CLIENT}:${STUCK_PORT}`);
      await page.screenshot({ path: screenshotPath('diagnoses-fix-preview'), fullPage: false });
      const liveBefore = (await entriesTo(stack, B)).length;
      await dialog.getByLabel('type the count to confirm').fill('1');
      await dialog.getByRole('button', { name: 'Delete 1 entries' }).click();
      await expect(panel.getByRole('status')).toContainText('Deleted 1 of 1 matching entries.');

      // Only the stuck entry went; the same client socket now reaches B, and the diagnosis clears.
      expect(await entriesTo(stack, A)).toHaveLength(0);
      expect((await entriesTo(stack, B)).length).toBeGreaterThanOrEqual(liveBefore);
      await expect.poll(() => stuck.lines(), { timeout: 10_000 }).toBeGreaterThanOrEqual(answeredBefore + 3);
      await expect(panel.getByTestId('diagnoses-quiet')).toHaveText('No known problem found.', { timeout: 40_000 });
      await expect(panel.locator('[data-diagnosis="udp-black-hole"]')).toHaveCount(0);
      await expect(liveBadge).toHaveCount(0);
      await expect(overview.locator(`tr[data-host-id="${hostId}"] td[data-column="diagnoses"]`)).toHaveText('—');
      await overview.close();

      // Audited as every delete-matching is: who, the plan, and the result.
      const audit = await page.request.get(`${stack.url}/api/audit?action=conntrack.delete-matching`);
      expect(audit.ok()).toBe(true);
      const rows = ((await audit.json()) as { rows: { actor: string; target: string; result: string; detail: unknown }[] }).rows;
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: 'admin', target: hostId, result: 'ok' });
      expect(JSON.stringify(rows[0]?.detail)).toContain('"deleted":1');
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
});
});

const TIME_WAIT = 'net.netfilter.nf_conntrack_tcp_timeout_time_wait';
const sysctlIn = async (stack: Stack, key: string) => (await stack.ns.exec('sysctl', ['-n', key])).stdout.trim();

test.describe('a table filled by TIME_WAIT', () => {
  // nf_conntrack_max is the host's (a test cannot lower it): the agent's near-full threshold is made tiny instead.
  test.use({ agentArgs: ['--diagnose-table-full', '0.00001'] });

  test('diagnoses: a real TIME_WAIT flood; Show entries lists the kernel\'s TIME_WAIT entries; the tuning fix previews (before → after) in the card, applies in the namespace, audited, and rolls back', async ({ page, stack }) => {
    await stack.ns.sysctl(TIME_WAIT, 30);
    await stack.traffic({ tcp: 200 });
    await loginAsAdmin(page, stack);
    const hostId = (await page.locator('[data-host-id]').first().getAttribute('data-host-id')) ?? '';
    await page.goto(`${stack.url}/hosts/${encodeURIComponent(hostId)}`);
    const panel = page.getByRole('region', { name: 'Diagnoses' });
    const card = panel.locator('[data-diagnosis="table-filled-by-state"]');
    await expect(card).toBeVisible({ timeout: 40_000 });
    await expect(card.getByRole('table', { name: 'evidence' })).toContainText('30 s');
    const examples = card.getByRole('table', { name: /^example entries/ });
    await expect(examples.locator('tbody tr').first()).toContainText('TIME_WAIT');

    // The evidence's entries are the kernel's TIME_WAIT entries.
    await card.getByRole('link', { name: 'Show entries' }).click();
    await expect(page).toHaveURL(/\/connections\?host=.*&q=tcp(%20|\+)state%3Atime_wait/);
    await expect
      .poll(async () => numberIn(await page.getByTestId('match-total').innerText()) - (await kernelEntries(stack, ['-p', 'tcp', '--state', 'TIME_WAIT'])).length, { timeout: 15_000 })
      .toBe(0);
    await page.goBack();

    // The fix: the tuning page's preview, in the card: 30 s → 15 s.
    const fix = panel.locator('[data-diagnosis="table-filled-by-state"] [data-fix="sysctl"]');
    await fix.getByRole('button', { name: 'Preview' }).click();
    const preview = fix.getByRole('region', { name: 'Preview' });
    const row = preview.locator(`[data-preview="${TIME_WAIT}"]`);
    await expect(row).toContainText('(30)');
    await expect(row).toContainText('(15)');
    await expect(preview.locator(`[data-timeout="${TIME_WAIT}"]`)).toBeVisible();
    await fix.screenshot({ path: screenshotPath('diagnoses-sysctl-preview') });
    expect(await sysctlIn(stack, TIME_WAIT)).toBe('30');

    await preview.getByRole('button', { name: 'Apply 1 change' }).click();
    const applied = fix.getByRole('region', { name: 'Applied' });
    await expect(applied).toContainText('tcp_timeout_time_wait');
    expect(await sysctlIn(stack, TIME_WAIT)).toBe('15');
    await expect(panel.getByRole('status').filter({ hasText: 'Applied on' })).toContainText('30 → 15');
    const audit = await page.request.get(`${stack.url}/api/audit?action=sysctl.set`);
    const rows = ((await audit.json()) as { rows: { actor: string; target: string; result: string; detail: unknown }[] }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'admin', target: hostId, result: 'ok' });
    expect(JSON.stringify(rows[0]?.detail)).toContain(TIME_WAIT);

    await applied.getByRole('button', { name: 'Roll back' }).click();
    await expect(fix.getByRole('region', { name: 'Rolled back' })).toBeVisible();
    expect(await sysctlIn(stack, TIME_WAIT)).toBe('30');
  });
});

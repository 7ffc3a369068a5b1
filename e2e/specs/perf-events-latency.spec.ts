import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, test } from '../fixtures/stack';
import { atMost, expectNoRegression, quantile, recordResults, reported, round1 } from './perf-support';
import { loginAsAdmin } from './support';

// Kernel event -> row visible on the events page (issue 8 item 4). A sender inside the namespace creates
// new UDP entries at known times; the page records when each one's row enters the DOM. Both read the
// same machine's wall clock (Node: performance.timeOrigin + now(); page: the same), so they compare.
const SENDER = fileURLToPath(new URL('../bin/timed-udp.mjs', import.meta.url));
const SAMPLES = 60;
const BASE_PORT = 20_000;
const GAP_MS = 150;

declare global {
  interface Window {
    /** Destination port -> wall-clock ms when its NEW row first appeared. */
    __rowSeenAt?: Record<string, number>;
  }
}

test('a new kernel entry shows on the events page within 500 ms (p95)', async ({ page, stack }) => {
  test.setTimeout(120_000);
  await loginAsAdmin(page, stack, '/events?types=NEW&q=udp');
  await expect(page.locator('.badge', { hasText: 'live' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Waiting for events' })).toBeVisible();
  await page.evaluate(
    ([low, high]) => {
      const seen: Record<string, number> = {};
      window.__rowSeenAt = seen;
      const note = (row: Element) => {
        const match = /→ 127\.0\.0\.1:(\d+)/.exec(row.querySelector('.event-tuple')?.textContent ?? '');
        const port = Number(match?.[1]);
        if (port >= low && port < high && !(port in seen)) seen[port] = performance.timeOrigin + performance.now();
      };
      new MutationObserver((records) => {
        for (const record of records) {
          for (const node of record.addedNodes) {
            if (!(node instanceof Element)) continue;
            if (node.matches('.event-row[data-type="NEW"]')) note(node);
            node.querySelectorAll('.event-row[data-type="NEW"]').forEach(note);
          }
        }
      }).observe(document.body, { childList: true, subtree: true });
    },
    [BASE_PORT, BASE_PORT + SAMPLES] as const,
  );

  const sentAt = new Map<number, number>();
  const sender = stack.ns.spawn(process.execPath, [SENDER, String(SAMPLES), String(BASE_PORT), String(GAP_MS)]);
  const exited = new Promise<number | null>((resolve) => sender.once('exit', resolve));
  for await (const line of createInterface({ input: sender.stdout! })) {
    const { port, at } = JSON.parse(line) as { port: number; at: number };
    sentAt.set(port, at);
  }
  expect(await exited).toBe(0);
  expect(sentAt.size).toBe(SAMPLES);

  // Every entry shows up; then its latency is the row's time minus the time just before its packet.
  await expect.poll(async () => Object.keys((await page.evaluate(() => window.__rowSeenAt)) ?? {}).length, { timeout: 10_000 }).toBe(SAMPLES);
  const seen = (await page.evaluate(() => window.__rowSeenAt)) ?? {};
  const latencies = [...sentAt].map(([port, at]) => (seen[port] ?? Number.NaN) - at);
  expect(latencies.every((ms) => ms > 0)).toBe(true);

  const p95 = quantile(latencies, 0.95);
  const result = atMost(`browser: kernel event -> row on the events page (p95 of ${SAMPLES})`, p95, 'ms', 500);
  await recordResults('perf-events-latency', [result, reported(`browser: kernel event -> row on the events page (median of ${SAMPLES})`, quantile(latencies, 0.5), 'ms')]);
  console.log(`perf-events-latency: p50 ${round1(quantile(latencies, 0.5))} ms, p95 ${round1(p95)} ms, max ${round1(Math.max(...latencies))} ms`);
  expectNoRegression([result]);
});

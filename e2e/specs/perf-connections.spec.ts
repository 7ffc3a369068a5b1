import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { globalConntrackMax, startTraffic } from '@ctscope/testkit';
import { expect, test as base, type Stack } from '../fixtures/stack';
import { atMost, expectNoRegression, longTasksBetween, observeLongTasks, pageNow, perfEntries, quantile, recordResults, reported, round1, trackRequests, type AckedRequest, type PerfResult } from './perf-support';
import { loginAsAdmin, numberIn } from './support';

// Browser performance of the connections explorer on a host with 250,000 real conntrack entries
// (issue 5 "smooth with 250,000 entries", issue 8 item 3; issue 15 item 5 at 1,000,000). Runs 3-5 minutes
// on a busy 2-core machine at 250k (filling the table and the agent's first dump take ~20 s of that).
// CTSCOPE_PERF_ENTRIES sets the size (250,000 in CI; `npm run bench` also runs it at 1,000,000).
const DEFAULT_ENTRIES = 250_000;
const WANTED = perfEntries(process.env.CTSCOPE_PERF_ENTRIES, DEFAULT_ENTRIES);
/** Entries the namespace needs beyond the filler: the agent's own connection, the traffic generator. */
const HEADROOM = 2_000;
const CONNTRACK_MAX = '/proc/sys/net/netfilter/nf_conntrack_max';
const LOADS = 3;
const FILTER_SAMPLES = 20;
/** Typing speed for the filter samples: a fast typist. */
const KEY_DELAY_MS = 40;

const test = base.extend<{ entries: number }>({
  // nf_conntrack_max is global (each namespace's count is checked against it). It is raised only under
  // CI=true, where the test owns the machine, or when a size was asked for (CTSCOPE_PERF_ENTRIES, as the
  // bench does), and put back afterwards.
  // eslint-disable-next-line no-empty-pattern
  entries: async ({}, use, testInfo) => {
    const max = await globalConntrackMax();
    if (max >= WANTED + HEADROOM) return use(WANTED);
    if (process.env.CI !== 'true' && process.env.CTSCOPE_PERF_ENTRIES === undefined) {
      testInfo.annotations.push({ type: 'entries', description: `nf_conntrack_max is ${max}: measuring with ${max - HEADROOM} entries instead of ${WANTED}` });
      return use(max - HEADROOM);
    }
    await writeFile(CONNTRACK_MAX, String(WANTED + HEADROOM));
    try {
      await use(WANTED);
    } finally {
      await writeFile(CONNTRACK_MAX, String(max));
    }
  },
});
// Filling the table and the agent's first dump grow with its size.
test.setTimeout(600_000 * Math.max(1, WANTED / DEFAULT_ENTRIES));

declare global {
  interface Window {
    __firstRowsAt?: number;
    __lastKeyAt?: number;
    __socketFrames?: { at: number; dir: 'open' | 'sent' | 'received'; head: string; tookMs?: number }[];
  }
}

/** Marks (page clock) when the first real table row is in the DOM, and when the last key went down. */
async function instrument(page: Page): Promise<void> {
  await observeLongTasks(page);
  await page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (!document.querySelector('.flow-row[data-key]')) return;
      window.__firstRowsAt = performance.now();
      observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true });
    document.addEventListener('keydown', (e) => (window.__lastKeyAt = e.timeStamp), { capture: true });
    // The page's Socket.IO frames on its own clock, to split the first rows into their phases.
    const frames: NonNullable<Window['__socketFrames']> = [];
    window.__socketFrames = frames;
    const Native = window.WebSocket;
    const head = (data: unknown) => (typeof data === 'string' ? data.slice(0, 48) : '(binary)');
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        frames.push({ at: performance.now(), dir: 'open', head: String(url).slice(0, 48) });
        this.addEventListener('message', (e: MessageEvent) => {
          const took = typeof e.data === 'string' ? /"tookMs":([\d.]+)/.exec(e.data) : null;
          frames.push({ at: performance.now(), dir: 'received', head: head(e.data), ...(took ? { tookMs: Number(took[1]) } : {}) });
        });
      }
      override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
        frames.push({ at: performance.now(), dir: 'sent', head: head(data) });
        super.send(data);
      }
    };
  });
}

/** Where a cold load's time to first rows goes (page clock, ms from navigation start). */
interface LoadPhases {
  /** The HTML's last byte. */
  html: number;
  /** The last script's last byte. */
  scripts: number;
  /** The page's socket is created: React has hydrated and run its effects. */
  socketCreated: number;
  /** Socket.IO's namespace connect is acknowledged (the server checked the session). */
  connected: number;
  hostsAsked: number;
  hostsAnswered: number;
  subscribeSent: number;
  subscribeAnswered: number;
  /** The agent's own time for the first window (its tookMs), within the subscribe round trip. */
  agentQueryMs: number;
  firstRows: number;
}

async function loadPhases(page: Page): Promise<LoadPhases> {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const scripts = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((e) => e.initiatorType === 'script');
    const frames = window.__socketFrames ?? [];
    const at = (dir: string, test: (head: string) => boolean) => frames.find((f) => f.dir === dir && test(f.head))?.at ?? Number.NaN;
    const idOf = (head: string, event: string) => new RegExp(`^42/[a-z]+,(\\d+)\\["${event}"`).exec(head)?.[1];
    const answer = (event: string) => {
      const sent = frames.find((f) => f.dir === 'sent' && idOf(f.head, event) !== undefined);
      const id = sent ? idOf(sent.head, event) : undefined;
      return id === undefined ? undefined : frames.find((f) => f.dir === 'received' && new RegExp(`^43/[a-z]+,${id}\\[`).test(f.head));
    };
    const answered = (event: string) => answer(event)?.at ?? Number.NaN;
    return {
      html: nav?.responseEnd ?? Number.NaN,
      scripts: Math.max(0, ...scripts.map((s) => s.responseEnd)),
      socketCreated: at('open', () => true),
      connected: at('received', (h) => h.startsWith('40/')),
      hostsAsked: at('sent', (h) => idOf(h, 'hosts:list') !== undefined),
      hostsAnswered: answered('hosts:list'),
      subscribeSent: at('sent', (h) => idOf(h, 'window:subscribe') !== undefined),
      subscribeAnswered: answered('window:subscribe'),
      agentQueryMs: answer('window:subscribe')?.tookMs ?? Number.NaN,
      firstRows: window.__firstRowsAt ?? Number.NaN,
    };
  });
}

interface Load {
  firstRowsMs: number;
  /** Every script the route loaded: gzip -6 of its body, and what went over the wire. */
  scripts: { url: string; gzip: number; transfer: number }[];
  phases: LoadPhases;
}

/** A cold load of the page (fresh context, empty cache) with the session of `signedIn`. */
async function coldLoad(browser: Browser, signedIn: BrowserContext, url: string): Promise<Load> {
  const context = await browser.newContext({ storageState: await signedIn.storageState() });
  try {
    const page = await context.newPage();
    await instrument(page);
    const bodies: Promise<{ url: string; gzip: number }>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') bodies.push(response.body().then((b) => ({ url: response.url(), gzip: gzipSync(b).length })));
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__firstRowsAt !== undefined, undefined, { timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    const firstRowsMs = await page.evaluate(() => window.__firstRowsAt ?? Number.NaN);
    const transfer = new Map(await page.evaluate(() => performance.getEntriesByType('resource').map((e) => [e.name, (e as PerformanceResourceTiming).transferSize] as const)));
    const scripts = (await Promise.all(bodies)).map((s) => ({ ...s, transfer: transfer.get(s.url) ?? 0 }));
    const phases = await loadPhases(page);
    console.log(`perf-connections: cold load phases (ms) ${Object.entries(phases).map(([k, v]) => `${k} ${round1(v)}`).join(', ')}`);
    return { firstRowsMs, scripts, phases };
  } finally {
    await context.close();
  }
}

/**
 * Types `text` into the filter (replacing it) and resolves with the time from its last character to
 * the moment every row in the table shows `dport` (page clock). With `enter`, Enter follows the text.
 */
async function filterLatency(page: Page, text: string, dport: number, enter: boolean): Promise<number> {
  const query = page.getByRole('combobox', { name: 'Filter' });
  await query.focus();
  await page.keyboard.press('Control+A');
  await page.evaluate((port) => {
    const wanted = String(port);
    const matches = () => {
      const cells = document.querySelectorAll('.flow-row[data-key] [data-column="dport"]');
      return cells.length > 0 && [...cells].every((c) => c.textContent?.trim() === wanted);
    };
    (window as unknown as { __filtered: Promise<number> }).__filtered = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (!matches()) return;
        observer.disconnect();
        resolve(performance.now());
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  }, dport);
  await query.pressSequentially(text, { delay: KEY_DELAY_MS });
  // From the last character: the filter may apply itself before a slow Enter arrives.
  const lastChar = await page.evaluate(() => window.__lastKeyAt ?? Number.NaN);
  if (enter) await query.press('Enter');
  const done = await page.evaluate(() => (window as unknown as { __filtered: Promise<number> }).__filtered);
  return done - lastChar;
}

/** Each filter's latency, and the round trip of the window change it sent (the dashboard's and agent's part). */
async function filterSamples(page: Page, changes: readonly AckedRequest[], enter: boolean, salt: number): Promise<{ total: number[]; roundTrip: number[] }> {
  const total: number[] = [];
  const roundTrip: number[] = [];
  for (let i = 0; i < FILTER_SAMPLES; i++) {
    // The filler sends to ports 10000-10999: each filter matches a different 1/1000 of the table.
    const port = 10_000 + ((i * 37 + salt) % 1000);
    const before = changes.length;
    total.push(await filterLatency(page, `udp dport:${port}`, port, enter));
    const answered = changes.slice(before).filter((c) => c.answeredAt !== null);
    const took = await page.evaluate(() => (window.__socketFrames ?? []).filter((f) => f.head.startsWith('43/') && f.tookMs !== undefined).slice(-1)[0]?.tookMs ?? Number.NaN);
    console.log(`perf-connections: filter ${i}: ${round1(total[total.length - 1] ?? Number.NaN)} ms, ${changes.length - before} window changes, last round trip ${answered.length ? (answered[answered.length - 1]?.answeredAt ?? 0) - (answered[answered.length - 1]?.sentAt ?? 0) : 'none'} ms, agent ${took} ms`);
    const last = answered[answered.length - 1];
    if (last?.answeredAt) roundTrip.push(last.answeredAt - last.sentAt);
  }
  return { total, roundTrip };
}

/** Wheel scrolling, then scrollbar-like jumps deep into the table, then wheel back up. */
async function scrollThrough(page: Page): Promise<void> {
  const grid = page.getByRole('grid', { name: 'connections' });
  const box = await grid.boundingBox();
  if (!box) throw new Error('the table is not on screen');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 40; i++) {
    await page.mouse.wheel(0, 900);
    await page.waitForTimeout(30);
  }
  for (const fraction of [0.5, 0.9, 0.1, 0.73, 0.31, 0.999, 0.62, 0.05]) {
    await grid.evaluate((el, f) => (el.scrollTop = f * el.scrollHeight), fraction);
    await page.waitForTimeout(300);
  }
  for (let i = 0; i < 20; i++) {
    await page.mouse.wheel(0, -900);
    await page.waitForTimeout(30);
  }
}

const placeholdersInView = (page: Page) =>
  page.getByRole('grid', { name: 'connections' }).evaluate((grid) => {
    const view = grid.getBoundingClientRect();
    return [...grid.querySelectorAll('.flow-row.placeholder')].filter((row) => {
      const r = row.getBoundingClientRect();
      return r.bottom > view.top + 34 && r.top < view.bottom;
    }).length;
  });

async function liveUpdates(page: Page, stack: Stack, seconds: number): Promise<number> {
  const traffic = startTraffic(stack.ns, { udp: 200, tcp: 50 }, 1);
  try {
    // The agent's own ESTABLISHED connection can stay on top (5-day timeout): compare every row in view.
    const views = new Set<string>();
    for (let i = 0; i < seconds * 4; i++) {
      views.add((await page.locator('.flow-row[data-key]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')))).join(' '));
      await page.waitForTimeout(250);
    }
    return views.size;
  } finally {
    traffic.kill();
  }
}

test(`connections explorer over a ${WANTED.toLocaleString('en')}-entry table: first rows, filtering, scrolling, live updates, bundle`, async ({ page, browser, stack, entries }) => {
  const started = Date.now();
  const phase = (name: string) => console.log(`perf-connections: ${name} at ${round1((Date.now() - started) / 1000)} s`);
  await instrument(page);
  const changes = trackRequests(page, 'window:change');
  let windowChanges = 0;
  page.on('websocket', (ws) => ws.on('framesent', (frame) => void (typeof frame.payload === 'string' && frame.payload.includes('"window:change"') && windowChanges++)));
  await loginAsAdmin(page, stack, '/connections');
  await expect(page.locator('.flow-row[data-key]').first()).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => numberIn(await page.getByTestId('table-size').innerText()), { timeout: 30_000 }).toBeGreaterThanOrEqual(entries);

  phase('table loaded');
  const loads: Load[] = [];
  for (let i = 0; i < LOADS; i++) loads.push(await coldLoad(browser, page.context(), `${stack.url}/connections`));
  const firstRows = loads.map((l) => l.firstRowsMs);
  const scripts = loads[0]?.scripts ?? [];
  const scriptGzipKb = scripts.reduce((sum, s) => sum + s.gzip, 0) / 1024;
  const scriptTransferKb = scripts.reduce((sum, s) => sum + s.transfer, 0) / 1024;

  phase(`cold loads done: first rows ${firstRows.map(round1).join(', ')} ms`);
  const { total: typed, roundTrip: typedRoundTrip } = await filterSamples(page, changes, false, 11);
  phase(`typed filters done: ${typed.map(round1).join(', ')} ms`);
  const { total: entered } = await filterSamples(page, changes, true, 503);
  phase(`entered filters done: ${entered.map(round1).join(', ')} ms`);

  // Back to the whole table, then scroll through it.
  const query = page.getByRole('combobox', { name: 'Filter' });
  await query.fill('');
  await query.press('Enter');
  await expect.poll(async () => numberIn(await page.getByTestId('match-total').innerText())).toBeGreaterThanOrEqual(entries);
  const changesBefore = windowChanges;
  const scrollFrom = await pageNow(page);
  await scrollThrough(page);
  const scrollTo = await pageNow(page);
  // Wherever the scroll ends, the agent's window follows and real rows replace the placeholders.
  await expect.poll(() => placeholdersInView(page), { timeout: 60_000 }).toBe(0);
  const settleMs = (await pageNow(page)) - scrollTo;
  const scrollTasks = await longTasksBetween(page, scrollFrom, scrollTo);
  const scrollChanges = windowChanges - changesBefore;
  phase(`scrolling done: ${scrollChanges} window changes sent, rows filled ${round1(settleMs)} ms after the scroll ended`);

  await page.getByRole('grid', { name: 'connections' }).evaluate((grid) => (grid.scrollTop = 0));
  const liveFrom = await pageNow(page);
  const distinctViews = await liveUpdates(page, stack, 8);
  const liveTo = await pageNow(page);
  const liveTasks = await longTasksBetween(page, liveFrom, liveTo);
  // New flows sort near the top (longest timeouts), so live updates change the rows in view.
  expect(distinctViews).toBeGreaterThan(2);

  const n = `${entries} entries`;
  const worst = (tasks: number[]) => Math.max(0, ...tasks);
  const results: PerfResult[] = [
    atMost(`browser: connections time to first rows, ${n} (median of ${LOADS} cold loads)`, quantile(firstRows, 0.5), 'ms', 1000),
    reported(`browser: connections time to first rows, ${n} (slowest of ${LOADS} cold loads)`, Math.max(...firstRows), 'ms'),
    // The split: the first rows come in the page's HTML (the dashboard renders it with the agent's first
    // window); the rest is the browser's. (The page's own subscribe follows the rows, answered from that window.)
    reported(`browser: connections first rows, of which the HTML with the first window (dashboard + agent), ${n} (median of ${LOADS})`, quantile(loads.map((l) => l.phases.html), 0.5), 'ms'),
    reported(`browser: filter typed, of which window change round trip (dashboard + agent), ${n} (p95 of ${typedRoundTrip.length})`, quantile(typedRoundTrip, 0.95), 'ms'),
    atMost(`browser: filter typed -> rows updated, ${n} (p95 of ${typed.length})`, quantile(typed, 0.95), 'ms', 300),
    reported(`browser: filter typed + Enter (from the last character) -> rows updated, ${n} (p95 of ${entered.length})`, quantile(entered, 0.95), 'ms'),
    atMost(`browser: longest task while scrolling, ${n} (${scrollTasks.length} over 50 ms)`, worst(scrollTasks), 'ms', 100),
    atMost(`browser: longest task during live updates, ${n} (${liveTasks.length} over 50 ms)`, worst(liveTasks), 'ms', 100),
    atMost(`browser: connections route JavaScript, gzip -6 of ${scripts.length} scripts`, scriptGzipKb, 'KB', 350),
    reported('browser: connections route JavaScript, bytes over the wire', scriptTransferKb, 'KB'),
    reported(`browser: connections rows filled after scrolling ended (${scrollChanges} window changes sent)`, settleMs, 'ms'),
    reported('browser: perf-connections spec run time', (Date.now() - started) / 1000, 's'),
  ];
  // Each size keeps its own rows (the bench table shows 250k and 1M side by side, with their growth).
  await recordResults(entries === DEFAULT_ENTRIES ? 'perf-connections' : `perf-connections ${entries}`, results.map((r) => ({ ...r, size: entries })));
  console.log(`perf-connections (${round1((Date.now() - started) / 1000)} s): first rows ${firstRows.map(round1).join(', ')} ms; typed ${typed.map(round1).join(', ')}; enter ${entered.map(round1).join(', ')}; scroll tasks ${scrollTasks.map(round1).join(', ')}; live tasks ${liveTasks.map(round1).join(', ')}`);
  expectNoRegression(results);
});

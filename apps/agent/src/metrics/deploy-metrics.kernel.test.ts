import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, generateTraffic, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, type ParsedFamily } from './testing/parse-exposition';
import { metricNames } from './testing/promql-names';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CTSCOPE = join(ROOT, 'apps/agent/bin/ctscope.mjs');

interface GrafanaTarget {
  expr?: string;
}
interface GrafanaPanel {
  type: string;
  title: string;
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
}
interface GrafanaDashboard {
  panels: GrafanaPanel[];
  templating: { list: Array<{ name: string; type: string; query?: string | { query?: string } }> };
}

const allPanels = (panels: GrafanaPanel[]): GrafanaPanel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

/** Metric names a Grafana variable query reads: `label_values(metric, label)` names a metric and a label. */
function variableMetrics(query: string): Set<string> {
  const labelValues = /^\s*label_values\(\s*(.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/.exec(query);
  return metricNames(labelValues ? (labelValues[1] ?? '') : query);
}

describe.skipIf(skipKernelTests())('Grafana dashboard and Prometheus rules against a real agent', () => {
  let ns: Netns;
  let agent: ChildProcess | undefined;
  let dir: string;
  let families: Map<string, ParsedFamily>;

  beforeAll(async () => {
    ns = await createNetns();
    dir = await mkdtemp(join(tmpdir(), 'ctscope-deploy-metrics-'));
    const tokenFile = join(dir, 'agent.token');
    await writeFile(tokenFile, 'w'.repeat(43), { mode: 0o600 });
    // No dashboard listens on port 9: the agent keeps retrying and serves /metrics meanwhile.
    agent = ns.spawn(process.execPath, [CTSCOPE, 'agent', '--dashboard', 'http://127.0.0.1:9', '--token-file', tokenFile, '--audit-file', join(dir, 'audit.jsonl'), '--metrics', '127.0.0.1:9477']);
    await generateTraffic(ns, { tcp: 3, udp: 3 });
    const scrape = async () => (await ns.exec(process.execPath, ['-e', 'fetch("http://127.0.0.1:9477/metrics").then((r) => r.text()).then((t) => process.stdout.write(t)).catch(() => {})'])).stdout;
    for (let waited = 0; ; waited += 500) {
      const text = await scrape();
      // Kernel series come with the first stats sample, the resync series after the first dump.
      if (text.includes('node_nf_conntrack_entries ') && text.includes('ctscope_mirror_last_resync_duration_seconds')) {
        families = parseExposition(text);
        break;
      }
      if (waited > 30_000) throw new Error(`the agent served no complete /metrics within 30 s:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  afterAll(async () => {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((resolve) => agent?.once('exit', resolve));
      agent.kill('SIGTERM');
      await exited;
    }
    await ns?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the Grafana dashboard reads only metrics the agent serves', async () => {
    const dashboard = JSON.parse(await readFile(join(ROOT, 'deploy/grafana/ctscope.json'), 'utf8')) as GrafanaDashboard;
    const panels = allPanels(dashboard.panels).filter((p) => p.type !== 'row');
    const used = new Map<string, string>();
    for (const panel of panels) {
      expect(panel.targets?.length, `panel "${panel.title}" has queries`).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.expr, `panel "${panel.title}"`).toMatch(/instance=~"\$instance"/);
        for (const name of metricNames(target.expr ?? '')) used.set(name, panel.title);
      }
    }
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      for (const name of variableMetrics(query)) used.set(name, `variable $${variable.name}`);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toContain('instance');
    expect(used.size).toBeGreaterThan(15);
    const missing = [...used].filter(([name]) => !families.has(name)).map(([name, where]) => `${name} (${where})`);
    expect(missing).toEqual([]);
  });

  it('the dashboard covers usage, states, counters, events, lost events, resyncs and alerts', async () => {
    const text = await readFile(join(ROOT, 'deploy/grafana/ctscope.json'), 'utf8');
    for (const name of ['node_nf_conntrack_entries_limit', 'ctscope_entries_by_protocol', 'ctscope_entries_by_state', 'node_nf_conntrack_stat_insert_failed', 'node_nf_conntrack_stat_drop', 'node_nf_conntrack_stat_early_drop', 'node_nf_conntrack_stat_invalid', 'ctscope_events_total', 'ctscope_events_lost_total', 'ctscope_mirror_last_resync_duration_seconds', 'ctscope_alerts_active']) {
      expect(text, name).toContain(name);
    }
  });

  it('the Prometheus rules read only metrics the agent serves (besides up and their own records)', async () => {
    const rules = await readFile(join(ROOT, 'deploy/prometheus/ctscope.rules.yml'), 'utf8');
    const records = new Set([...rules.matchAll(/^\s+- record: (\S+)$/gm)].map((m) => m[1]));
    const exprs = [...rules.matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1] ?? '');
    expect(exprs.length).toBe(10);
    const missing = exprs.flatMap((expr) => [...metricNames(expr)].filter((name) => name !== 'up' && !records.has(name) && !families.has(name)).map((name) => `${name} in ${expr}`));
    expect(missing).toEqual([]);
  });

  it('serves the lost-events counter the rules and the dashboard rely on', () => {
    expect(families.get('ctscope_events_lost_total')?.type).toBe('counter');
    expect(families.get('ctscope_events_lost_total')?.samples[0]?.value).toBe(0);
  });
});

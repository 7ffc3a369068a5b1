import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { metricNames } from './testing/promql-names';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ refId: string; expr: string; datasource?: { uid: string } }>;
}

const FILE = new URL('../../../../deploy/grafana/ctscope.json', import.meta.url);

// Which metric names the agent serves is checked against a real agent in deploy-metrics.kernel.test.ts.
describe('deploy/grafana/ctscope.json', () => {
  it('is an importable dashboard: unique panel ids, panels on the 24-column grid without overlap, queries on the chosen data source', async () => {
    const dashboard = JSON.parse(await readFile(FILE, 'utf8')) as { uid: string; title: string; panels: Panel[]; templating: { list: Array<{ name: string; type: string }> } };
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.templating.list.map((v) => [v.name, v.type])).toEqual([
      ['datasource', 'datasource'],
      ['instance', 'query'],
    ]);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let row = y; row < y + h; row++) {
        for (let col = x; col < x + w; col++) {
          expect(cells.has(`${row}:${col}`), `${panel.title} overlaps another panel`).toBe(false);
          cells.add(`${row}:${col}`);
        }
      }
      if (panel.type === 'row') continue;
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      const refIds = (panel.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid).toBe('${datasource}');
        expect(metricNames(target.expr).size, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
      }
    }
  });
});

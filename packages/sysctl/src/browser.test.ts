import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Value imports (not `import type` / `export type`) of a module, as written. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) out.push(m[1] as string);
  return out;
}

describe('browser entry point', () => {
  it('reaches no node:* module through value imports', () => {
    const seen = new Set<string>();
    const nodeImports: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of valueImports(file)) {
        if (spec.startsWith('node:')) nodeImports.push(`${file.slice(SRC.length)} → ${spec}`);
        else if (spec.startsWith('.')) visit(`${resolve(dirname(file), spec)}.ts`);
      }
    };
    visit(join(SRC, 'browser.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect(nodeImports).toEqual([]);
  });

  it('exports what the tuning form needs', async () => {
    const browser = await import('./browser');
    expect(browser.humanizeSeconds(432000)).toBe('5 days');
    expect(browser.checkValue(browser.KNOWN_PARAMS.get('nf_conntrack_tcp_timeout_established')!, '1h')).toEqual({ ok: true, value: 3600 });
    expect(typeof browser.previewTimeoutChange).toBe('function');
  });
});

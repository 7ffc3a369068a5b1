import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEPENDENCY_FLOORS, belowFloors, compareVersions } from './lib/dependency-floors.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fakeTree(packages: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ctscope-floors-'));
  dirs.push(root);
  for (const [path, version] of Object.entries(packages)) {
    mkdirSync(join(root, path), { recursive: true });
    writeFileSync(join(root, path, 'package.json'), JSON.stringify({ name: path.split('node_modules/').pop(), version }));
  }
  return join(root, 'node_modules');
}

describe('dependency floors', () => {
  it('compares versions numerically, a pre-release below its release', () => {
    expect(compareVersions('16.0.7', '16.0.7')).toBe(0);
    expect(compareVersions('16.0.10', '16.0.7')).toBe(1);
    expect(compareVersions('16.0.6', '16.0.7')).toBe(-1);
    expect(compareVersions('16.0.7-canary.3', '16.0.7')).toBe(-1);
    expect(compareVersions('9.0.0', '10.0.0')).toBe(-1);
  });

  it('finds copies below their floor, nested ones too, and names why the floor is there', () => {
    const nodeModules = fakeTree({
      'node_modules/next': '16.0.6',
      'node_modules/express': '5.1.0',
      'node_modules/express/node_modules/cookie': '0.6.0',
      'node_modules/cookie': '1.1.1',
      'node_modules/@scope/x/node_modules/ws': '8.17.0',
    });
    const { checked, failures } = belowFloors([nodeModules]);
    expect(checked.map((c) => `${c.name}@${c.version}`).sort()).toEqual(['cookie@0.6.0', 'cookie@1.1.1', 'express@5.1.0', 'next@16.0.6', 'ws@8.17.0']);
    expect(failures.map((f) => `${f.name}@${f.version}<${f.floor}`).sort()).toEqual(['cookie@0.6.0<0.7.0', 'next@16.0.6<16.0.7', 'ws@8.17.0<8.17.1']);
    expect(failures.every((f) => f.why.length > 20)).toBe(true);
  });

  it('does not follow workspace links back into the repository', () => {
    const nodeModules = fakeTree({ 'node_modules/next': '16.4.0', 'apps/web/node_modules/next': '15.0.0' });
    symlinkSync(join(nodeModules, '..', 'apps', 'web'), join(nodeModules, 'web'));
    expect(belowFloors([nodeModules]).failures).toEqual([]);
  });

  it('holds for what is installed in this repository', () => {
    const { checked, failures } = belowFloors([join(import.meta.dirname, '..', 'node_modules')]);
    expect(failures).toEqual([]);
    expect(new Set(checked.map((c) => c.name))).toEqual(new Set(DEPENDENCY_FLOORS.map((f) => f.name)));
  });
});

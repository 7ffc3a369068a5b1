import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** WCAG 2 contrast of the theme's colors, read from the stylesheet both themes live in. */
const css = readFileSync(new URL('../../../app/globals.css', import.meta.url), 'utf8');

function block(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`no ${selector} block in globals.css`);
  const body = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1] as string, (m[2] as string).toLowerCase()]));
}

const luminance = (hex: string) => {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

/** [foreground, background]: body-size text needs 4.5:1. */
const TEXT: [string, string][] = [
  ['--text', '--bg'],
  ['--text', '--panel'],
  ['--muted', '--panel'],
  ['--muted', '--bg'],
  ['--muted', '--panel-head'],
  ['--accent', '--panel'],
  ['--ok', '--panel'],
  ['--ok', '--ok-soft'],
  ['--critical', '--panel'],
  ['--critical', '--critical-soft'],
  ['--warn-text', '--warn-soft'],
  ['--warn-text', '--panel'],
  ['--new', '--panel'],
  ['--update', '--panel'],
  ['--destroy', '--panel'],
  ['--event-text', '--new'],
  ['--event-text', '--update'],
  ['--event-text', '--destroy'],
  ['--button-text', '--button-bg'],
  ['--pressed-text', '--pressed-bg'],
  ['--purple-text', '--purple-soft'],
  ['--diff-add-text', '--ok-soft'],
  ['--diff-del-text', '--critical-soft'],
  ['--text', '--row-selected'],
  ['--text', '--row-cursor'],
];
/** Large text (usage figures) and chart lines: 3:1 against the panel. */
const GRAPHIC: [string, string][] = [
  ['--warn', '--panel'],
  ['--chart-count', '--panel'],
  ['--chart-max', '--panel'],
  ['--chart-insert-failed', '--panel'],
  ['--chart-drop', '--panel'],
  ['--chart-early-drop', '--panel'],
  ['--chart-invalid', '--panel'],
  ['--chart-search-restart', '--panel'],
];

describe.each([
  ['light', ':root'],
  ['dark', ":root[data-theme='dark']"],
])('%s theme contrast', (_name, selector) => {
  const colors = { ...block(':root'), ...block(selector) };
  const color = (name: string) => {
    const value = colors[name];
    if (!value) throw new Error(`${name} is not a #rrggbb color in ${selector}`);
    return value;
  };

  it.each(TEXT)('%s on %s is readable text (4.5:1)', (fg, bg) => {
    expect(contrast(color(fg), color(bg))).toBeGreaterThanOrEqual(4.5);
  });

  it.each(GRAPHIC)('%s on %s stands out (3:1)', (fg, bg) => {
    expect(contrast(color(fg), color(bg))).toBeGreaterThanOrEqual(3);
  });

  it('white text on the danger color is readable', () => {
    expect(contrast('#ffffff', color('--danger-bg'))).toBeGreaterThanOrEqual(4.5);
  });
});

describe('the dark theme', () => {
  it('defines every color the light theme defines', () => {
    const light = Object.keys(block(':root'));
    const dark = Object.keys(block(":root[data-theme='dark']"));
    expect(light.filter((name) => !dark.includes(name))).toEqual([]);
  });
});

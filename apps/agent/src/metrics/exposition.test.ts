import { describe, expect, it } from 'vitest';
import { Exposition, escapeHelp, escapeLabel, formatValue } from './exposition';
import { parseExposition } from './testing/parse-exposition';

describe('exposition writer and reader', () => {
  it('escapes label values and help text as the format says', () => {
    expect(escapeLabel('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('a\\b"c\nd')).toBe('a\\\\b"c\\nd');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatValue(-0.5)).toBe('-0.5');
    const text = new Exposition().metric('x_total', 'counter', 'help\\with\nnewline', [[{ l: 'v"\n\\' }, Number.NEGATIVE_INFINITY]]).text();
    const parsed = parseExposition(text);
    expect(parsed.get('x_total')).toEqual({ help: 'help\\with\nnewline', type: 'counter', samples: [{ labels: { l: 'v"\n\\' }, value: Number.NEGATIVE_INFINITY }] });
  });

  it('refuses invalid names and duplicate metrics', () => {
    expect(() => new Exposition().metric('9bad', 'gauge', 'h', [])).toThrow(/metric name/);
    expect(() => new Exposition().metric('ok', 'gauge', 'h', [[{ 'bad-label': 'x' }, 1]])).toThrow(/label name/);
    expect(() => new Exposition().metric('ok', 'gauge', 'h', [[{ __reserved: 'x' }, 1]])).toThrow(/label name/);
    expect(() => new Exposition().metric('ok', 'gauge', 'h', []).metric('ok', 'gauge', 'h', [])).toThrow(/twice/);
  });

  it('the test reader rejects what Prometheus would', () => {
    expect(() => parseExposition('a 1')).toThrow(/newline/);
    expect(() => parseExposition('a 1\n')).toThrow(/before its TYPE/);
    expect(() => parseExposition('# HELP a h\n# TYPE a gauge\na 1\na 2\n')).toThrow(/duplicate series/);
    expect(() => parseExposition('# HELP a h\n# TYPE a gauge\na{l="x\\q"} 1\n')).toThrow(/bad escape/);
    expect(() => parseExposition('# HELP a h\n# TYPE a gauge\na{l="x} 1\n')).toThrow(/unterminated/);
    expect(() => parseExposition('# HELP a h\n# TYPE a gauge\na one\n')).toThrow(/bad value/);
  });
});

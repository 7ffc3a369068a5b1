import { describe, expect, it } from 'vitest';
import { groupDigits, humanizeBytes, humanizeSeconds, parseDuration } from './humanize';

describe('humanizeSeconds', () => {
  it.each([
    [432000, '5 days'],
    [120, '2 minutes'],
    [3600, '1 hour'],
    [5400, '1 hour 30 minutes'],
    [86401, '1 day 1 second'],
    [90061, '1 day 1 hour'],
    [1, '1 second'],
    [0, '0 seconds'],
    [-30, '-30 seconds'],
  ])('%i → %s', (s, text) => expect(humanizeSeconds(s)).toBe(text));
});

describe('parseDuration', () => {
  it.each([
    ['3600', 3600],
    ['90s', 90],
    ['30m', 1800],
    ['1h', 3600],
    ['5d', 432000],
    ['1h30m', 5400],
    ['2 hours', 7200],
    [' 1 day ', 86400],
  ])('%s → %i', (text, s) => expect(parseDuration(text)).toBe(s));
  it.each(['', 'abc', '1x', '-5', '1.5h', '1h abc', 'h'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('bytes and digits', () => {
  it('formats', () => {
    expect(humanizeBytes(320 * 262144)).toBe('80 MiB');
    expect(humanizeBytes(1536)).toBe('1.5 KiB');
    expect(humanizeBytes(12)).toBe('12 bytes');
    expect(groupDigits(262144)).toBe('262,144');
    expect(groupDigits(1024)).toBe('1,024');
  });
});

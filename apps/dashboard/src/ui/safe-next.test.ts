import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next';

const ORIGIN = 'http://127.0.0.1:3000';
// What the login page reads: URLSearchParams decodes the query string once, as the browser does.
const nextOf = (rawQuery: string) => safeNext(new URLSearchParams(rawQuery).get('next'), ORIGIN);

describe('safeNext', () => {
  it('follows paths on this origin, with their query and hash', () => {
    expect(safeNext('/connections?host=gw1&q=tcp', ORIGIN)).toBe('/connections?host=gw1&q=tcp');
    expect(safeNext('/hosts/web-1#charts', ORIGIN)).toBe('/hosts/web-1#charts');
    expect(safeNext('/', ORIGIN)).toBe('/');
    expect(safeNext(null, ORIGIN)).toBe('/');
    // An encoded backslash stays a path segment on this origin, and what is followed is the checked path.
    expect(safeNext('/%5Cevil.example', ORIGIN)).toBe('/%5Cevil.example');
    expect(safeNext('/javascript:alert(1)', ORIGIN)).toBe('/javascript:alert(1)');
  });

  it.each([
    ['//evil.example', 'protocol-relative'],
    ['/\\evil.example', 'a backslash browsers read as a slash'],
    ['/\\/evil.example', 'backslash then slash'],
    ['\\/evil.example', 'leading backslash'],
    ['/\t/evil.example', 'a tab browsers strip'],
    ['/\n/evil.example', 'a newline browsers strip'],
    ['/\r\n/evil.example', 'CR LF'],
    ['javascript:alert(1)', 'javascript: URL'],
    ['https://evil.example/', 'absolute URL'],
    ['http://127.0.0.1:3000.evil.example/', 'our origin as a prefix of another host'],
    ['HTTPS://evil.example', 'absolute URL, upper case'],
    [' //evil.example', 'leading space'],
    ['evil.example', 'relative without a slash'],
    ['data:text/html,hi', 'data: URL'],
  ])('refuses %j (%s)', (next) => {
    expect(safeNext(next, ORIGIN)).toBe('/');
  });

  it.each([
    ['next=%2F%2Fevil.example'],
    ['next=%2F%5Cevil.example'],
    ['next=%2F%09%2Fevil.example'],
    ['next=%2F%0A%2Fevil.example'],
    ['next=%2F%0D%2Fevil.example'],
    ['next=javascript%3Aalert(1)'],
    ['next=https%3A%2F%2Fevil.example'],
    ['next=%5C%5Cevil.example'],
  ])('refuses the encoded query %s', (query) => {
    expect(nextOf(query)).toBe('/');
  });

  it('never leaves the origin, whatever the value (fuzzed with the characters that matter)', () => {
    const parts = ['/', '\\', '\t', '\n', '\r', '%5C', '%2F', 'evil.example', ':', '@', '.', '?', '#', 'javascript:', 'http:'];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5000; i += 1) {
      let next = '';
      const n = 1 + Math.floor(rand() * 6);
      for (let j = 0; j < n; j += 1) next += parts[Math.floor(rand() * parts.length)];
      const target = safeNext(next, ORIGIN);
      expect(new URL(target, ORIGIN).origin, next).toBe(ORIGIN);
      expect(target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\'), next).toBe(true);
    }
  });
});

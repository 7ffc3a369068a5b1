import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';

let dash: TestDashboard;
let cookie: string;
beforeAll(async () => {
  dash = await startTestDashboard();
  cookie = await dash.login();
});
afterAll(async () => {
  await dash.close();
});

// What a stack trace or a server path would show: file names, frames, the checkout's directories.
const LEAKS = [/\bat [\w.<>]+ \(/, /\.ts:\d+/, /\.js:\d+/, /node_modules/, /\/work\//, /apps\/dashboard/, /URIError/, /decodeURIComponent/];
const expectNoLeak = (text: string) => {
  for (const leak of LEAKS) expect(text, `leaks ${leak}`).not.toMatch(leak);
};

describe('errors carry no stack traces or paths (whatever NODE_ENV is; this server runs with NODE_ENV=test)', () => {
  it.each(['/views/%E0', '/views/%', '/views/%C0%AF', '/api/views/%E0', '/api/views/%FF%FE'])('GET %s answers 400 JSON without a stack (and nothing leaks signed out either)', async (path) => {
    const anonymous = await fetch(`${dash.url}${path}`, { redirect: 'manual' });
    expectNoLeak(await anonymous.text());
    const res = await fetch(`${dash.url}${path}`, { headers: { cookie }, redirect: 'manual' });
    const text = await res.text();
    expectNoLeak(text);
    expect(res.status).toBe(400);
    expect(JSON.parse(text)).toEqual({ error: { code: 'BAD_REQUEST', message: expect.any(String) } });
  });

  it('answers a browser with a short HTML page', async () => {
    const res = await fetch(`${dash.url}/views/%E0`, { headers: { cookie, accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('text/html');
    const text = await res.text();
    expect(text).toContain('Error 400');
    expectNoLeak(text);
  });
});

describe('page guard', () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('refuses %s to a page: 401 without a session, 405 with one', async (method) => {
    for (const path of ['/connections', '/', '/login', '/_next/static/x.js', '/hosts/local']) {
      const anonymous = await fetch(`${dash.url}${path}`, { method, redirect: 'manual' });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      const signedIn = await fetch(`${dash.url}${path}`, { method, headers: { cookie }, redirect: 'manual' });
      expect(signedIn.status, `${method} ${path}`).toBe(405);
      expect(signedIn.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it('sends GET and HEAD without a session to the login page, with the page to return to', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(`${dash.url}/connections?q=tcp`, { method, redirect: 'manual' });
      expect(res.status, method).toBe(303);
      expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/connections?q=tcp')}`);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';

/** What Express 5's router keeps of each layer (router 2.x): enough to list the routes it serves. */
interface Layer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every `METHOD /path` the router answers, `:name` parameters written `{name}` as OpenAPI does. */
function routesOf(stack: Layer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    const raw = Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath ?? ''];
    for (const part of raw) {
      const base = prefix + (part === '/' ? '' : part);
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths) {
          for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
            out.push(`${method.toUpperCase()} ${(prefix + (path === '/' && prefix ? '' : path)).replace(/:(\w+)/g, '{$1}')}`);
          }
        }
      } else if (layer.handle.stack) out.push(...routesOf(layer.handle.stack, base));
    }
  }
  return out;
}

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown>; requestBody?: unknown }>>;
  components: Record<string, Record<string, unknown>>;
}

let dash: TestDashboard;
let doc: OpenApi;
beforeAll(async () => {
  dash = await startTestDashboard();
  const res = await fetch(`${dash.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenApi;
});
afterAll(async () => {
  await dash.close();
});

const documented = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));

describe('the OpenAPI document', () => {
  it('is served without a session, as OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes ?? {})).toEqual(['sessionCookie', 'bearerToken']);
  });

  it('names exactly the JSON API routes the server has', () => {
    const served = routesOf((dash.server.app.router as unknown as { stack: Layer[] }).stack).filter((r) => r.split(' ')[1]?.startsWith('/api/'));
    expect(served.length).toBeGreaterThan(20);
    expect(new Set(served).size).toBe(served.length);
    expect([...documented()].sort()).toEqual([...served].sort());
  });

  it('says which routes need credentials, and the server agrees', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const concrete = path.replace(/\{id\}/g, path.startsWith('/api/users') ? '1' : 'abcdef0123456789');
        const res = await fetch(`${dash.url}${concrete}`, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, ...(method === 'get' ? {} : { body: '{}' }) });
        if (op.security.length === 0) expect(res.status, `${method} ${path}`).not.toBe(401);
        else {
          expect(res.status, `${method} ${path}`).toBe(401);
          expect(Object.keys(op.responses)).toContain('401');
        }
      }
    }
  });

  it('describes bodies from the zod schemas and resolves every reference', () => {
    const createToken = doc.paths['/api/tokens']?.post;
    expect(createToken?.security).toEqual([{ sessionCookie: [] }]);
    expect(JSON.stringify(createToken?.requestBody)).toContain('"expiresInDays"');
    expect(JSON.stringify(doc.paths['/api/users']?.post?.requestBody)).toContain('"minLength":12');
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const target = ref.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      expect(target, ref).toBeDefined();
    }
  });
});

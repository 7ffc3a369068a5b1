'use client';

import { apiErrorSchema } from '@ctscope/protocol';
import type { z } from 'zod';

export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; message: string };

/**
 * One JSON call to the dashboard API, its answer parsed with the expected schema: the caller always gets
 * data or a message meant for the person who clicked (the server's own message when it sent one).
 */
export async function apiCall<S extends z.ZodType>(schema: S, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiResult<z.infer<S>>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    return { ok: false, status: 0, message: 'the dashboard is unreachable; check the connection and try again' };
  }
  const payload: unknown = res.status === 204 ? null : await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = apiErrorSchema.safeParse(payload);
    if (res.status === 401) window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    return { ok: false, status: res.status, message: error.success ? error.data.error.message : `the dashboard answered ${res.status}` };
  }
  const parsed = schema.safeParse(payload);
  return parsed.success ? { ok: true, data: parsed.data as z.infer<S> } : { ok: false, status: res.status, message: 'the dashboard sent an answer this page does not understand; reload it' };
}

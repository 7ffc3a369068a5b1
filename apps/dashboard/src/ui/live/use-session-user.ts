'use client';

import { sessionUserSchema, type SessionUser } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { z } from 'zod';

const meSchema = z.object({ user: sessionUserSchema });

/** Who is signed in (null until known, or when the answer is not understood). */
export function useSessionUser(): SessionUser | null {
  const [user, setUser] = useState<SessionUser | null>(null);
  useEffect(() => {
    let live = true;
    fetch('/api/auth/me', { credentials: 'same-origin' })
      .then((res) => (res.ok ? res.json() : null))
      .then((body: unknown) => {
        const parsed = meSchema.safeParse(body);
        if (live && parsed.success) setUser(parsed.data.user);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return user;
}

export const canChange = (user: SessionUser | null): boolean => user?.role === 'admin' || user?.role === 'operator';

import { z } from 'zod';

export const loginRequestSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const sessionUserSchema = z.object({ username: z.string(), role: roleSchema });
export type SessionUser = z.infer<typeof sessionUserSchema>;

/** Body of every HTTP API error response. */
export const apiErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

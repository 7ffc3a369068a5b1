import { z } from 'zod';
import { roleSchema } from './http';

export const MIN_PASSWORD_LENGTH = 12;

export const usernameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'username: letters, digits, ".", "_", "@", "-" (max 64), starting with a letter or digit');
export const newPasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `password: at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024, 'password: at most 1024 characters');

export const userSummarySchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: roleSchema,
  createdAt: z.number().int(),
  /** The OpenID provider (issuer URL) of a user who signs in with SSO; absent for local users. */
  ssoIssuer: z.string().optional(),
});
export type UserSummary = z.infer<typeof userSummarySchema>;

export const userListResponseSchema = z.object({ users: z.array(userSummarySchema), me: z.number().int() });
export const userResponseSchema = z.object({ user: userSummarySchema });

export const createUserRequestSchema = z.object({ username: usernameSchema, password: newPasswordSchema, role: roleSchema });
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

export const changeRoleRequestSchema = z.object({ role: roleSchema });
export const resetPasswordRequestSchema = z.object({ password: newPasswordSchema });
export const changeOwnPasswordRequestSchema = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: newPasswordSchema });
export type ChangeOwnPasswordRequest = z.infer<typeof changeOwnPasswordRequestSchema>;

/** Numeric id in a URL path. */
export const userIdParamSchema = z.coerce.number().int().positive();

import { z } from 'zod';
import { roleSchema, type Role } from './http';

/** API tokens: `Authorization: Bearer ctscope_<43 base64url characters>` on the JSON HTTP API. */
export const API_TOKEN_PREFIX = 'ctscope_';
export const API_TOKEN_PATTERN = /^ctscope_[A-Za-z0-9_-]{43}$/;
/** A token lives at most this many days. */
export const MAX_TOKEN_DAYS = 365;

/** Roles from least to most powerful: a token's role is never above its owner's. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };
export const lowerRole = (a: Role, b: Role): Role => (ROLE_RANK[a] <= ROLE_RANK[b] ? a : b);

export const tokenNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._:@-]{0,63}$/, 'name: letters, digits, spaces and ". _ : @ -" (max 64), starting with a letter or digit');

export const createTokenRequestSchema = z.object({
  name: tokenNameSchema,
  role: roleSchema,
  expiresInDays: z.number().int('expiresInDays: a whole number of days').min(1, 'expiresInDays: at least 1').max(MAX_TOKEN_DAYS, `expiresInDays: at most ${MAX_TOKEN_DAYS}`),
});
export type CreateTokenRequest = z.infer<typeof createTokenRequestSchema>;

/** Token id in a URL path (not the secret: it names the token, it opens nothing). */
export const tokenIdParamSchema = z.string().regex(/^[0-9a-f]{16}$/);

export const tokenSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The role the token was created with; requests get the lower of it and its owner's current role. */
  role: roleSchema,
  username: z.string(),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  /** Updated at most once a minute; null while never used. */
  lastUsedAt: z.number().int().nullable(),
});
export type TokenSummary = z.infer<typeof tokenSummarySchema>;

export const tokenListResponseSchema = z.object({ tokens: z.array(tokenSummarySchema) });
/** The secret is in this answer only: it is stored hashed and cannot be shown again. */
export const createTokenResponseSchema = z.object({ token: tokenSummarySchema, secret: z.string().regex(API_TOKEN_PATTERN) });

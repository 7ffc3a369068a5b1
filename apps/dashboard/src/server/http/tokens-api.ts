import { ErrorCode, ROLE_RANK, createTokenRequestSchema, tokenIdParamSchema, type TokenSummary } from '@ctscope/protocol';
import express, { type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { DAY_MS, newApiToken } from '../auth/api-tokens';
import type { ApiTokenListing, Store } from '../store/types';
import { auditChange, parseOr400, signedIn, type SignedInRequest } from './guards';
import { sendError } from './send-error';
import { viaApiToken } from './tokens-api-auth';

export interface TokensApiDeps {
  store: Store;
  logger: Logger;
}

const toSummary = (t: ApiTokenListing): TokenSummary => ({ id: t.id, name: t.name, role: t.role, username: t.username, createdAt: t.createdAt, expiresAt: t.expiresAt, lastUsedAt: t.lastUsedAt });
const target = (t: { username: string; name: string }) => `token:${t.username}/${t.name}`;

/**
 * Every user creates and revokes their own API tokens (admins see and revoke everyone's). A token's
 * role is at most its creator's; it expires within a year; its secret is in the creation answer only.
 */
export function tokensRouter({ store, logger }: TokensApiDeps): Router {
  const router = express.Router();

  router.get('/tokens', async (req: SignedInRequest, res) => {
    const me = signedIn(req);
    const tokens = me.role === 'admin' ? await store.listApiTokens() : await store.listApiTokens(me.id);
    res.json({ tokens: tokens.map(toSummary) });
  });

  router.post('/tokens', async (req: SignedInRequest, res: Response) => {
    const me = signedIn(req);
    // A leaked token must not be able to mint itself successors that outlive it.
    if (viaApiToken(req)) return sendError(res, 403, ErrorCode.Forbidden, 'create API tokens from a signed-in session, not with another token');
    const body = parseOr400(createTokenRequestSchema, req.body, res);
    if (!body) return;
    if (ROLE_RANK[body.role] > ROLE_RANK[me.role]) {
      await auditChange(store, me.username, 'token.create', target({ username: me.username, name: body.name }), { refused: `a ${me.role} cannot create a ${body.role} token` }, 'error');
      return sendError(res, 403, ErrorCode.Forbidden, `role: your role is ${me.role}; a token can have that role or a lower one`);
    }
    const now = Date.now();
    const { id, secret, hash } = newApiToken();
    const record = { id, userId: me.id, name: body.name, tokenHash: hash, role: body.role, createdAt: now, expiresAt: now + body.expiresInDays * DAY_MS, lastUsedAt: null };
    if (!(await store.createApiToken(record))) return sendError(res, 409, ErrorCode.BadRequest, `name: you have a token named "${body.name}" already; pick another name or revoke that one`);
    await auditChange(store, me.username, 'token.create', target({ username: me.username, name: body.name }), { before: null, after: { id, role: body.role, expiresAt: record.expiresAt } });
    logger.info({ user: me.username, token: body.name, role: body.role }, 'API token created');
    const { tokenHash: _hash, ...listing } = record;
    res.status(201).json({ token: toSummary({ ...listing, username: me.username }), secret });
  });

  router.delete('/tokens/:id', async (req: SignedInRequest, res: Response) => {
    const me = signedIn(req);
    const id = tokenIdParamSchema.safeParse(req.params.id);
    const token = id.success ? await store.findApiToken(id.data) : undefined;
    // Someone else's token is "not found" to a non-admin: they learn nothing about it.
    if (!token || (token.userId !== me.id && me.role !== 'admin')) return sendError(res, 404, ErrorCode.NotFound, 'no such token');
    await store.deleteApiToken(token.id);
    await auditChange(store, me.username, 'token.revoke', target(token), { before: { id: token.id, role: token.role, expiresAt: token.expiresAt }, after: null });
    logger.info({ user: me.username, owner: token.username, token: token.name }, 'API token revoked');
    res.status(204).end();
  });

  return router;
}

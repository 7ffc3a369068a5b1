import { ErrorCode } from '@ctscope/protocol';
import type { NextFunction, Request, Response } from 'express';
import { bearerToken, userFromApiToken } from '../auth/api-tokens';
import type { Sessions } from '../auth/sessions';
import type { Store } from '../store/types';
import type { SignedInRequest } from './guards';
import { sendError } from './send-error';

/** A request signed in with an API token carries its id here (session requests do not). */
export type MaybeTokenRequest = SignedInRequest & { apiTokenId?: string };

export const viaApiToken = (req: Request): boolean => (req as MaybeTokenRequest).apiTokenId !== undefined;

/**
 * `Authorization: Bearer ctscope_...` on the JSON API. A request with both a token and a session cookie is
 * refused rather than guessed at: the two may name different users, and the cookie-based protections
 * (SameSite, origin checks) are what keep a page from acting with a session. A request with an
 * Authorization header is signed in by its token alone; one without goes on to the session check.
 */
export function apiTokenAuth(store: Store, sessions: Sessions) {
  return async (req: MaybeTokenRequest, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const secret = bearerToken(header);
    if (secret === null) return sendError(res, 401, ErrorCode.Unauthenticated, 'use Authorization: Bearer <token> with an API token from your account page (/account/tokens)');
    if (sessions.tokenHashFromCookieHeader(req.headers.cookie) !== undefined) {
      return sendError(res, 400, ErrorCode.BadRequest, 'send either a session cookie or an API token, not both');
    }
    const found = await userFromApiToken(store, secret);
    if (!found) return sendError(res, 401, ErrorCode.Unauthenticated, 'this API token is unknown, expired or revoked; create a new one on /account/tokens');
    req.user = found.user;
    req.apiTokenId = found.tokenId;
    next();
  };
}

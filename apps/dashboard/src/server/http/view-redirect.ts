import { viewHref, viewIdSchema } from '@ctscope/protocol';
import type { Request, RequestHandler, Response } from 'express';
import type { Sessions } from '../auth/sessions';
import type { Store } from '../store/types';

/**
 * GET /views/ID: sends the browser to the view's page with its state in the query string. Views the
 * user may not see (someone else's private ones, deleted ones) land on the views list with a notice.
 */
export function viewRedirect(store: Store, sessions: Sessions): RequestHandler {
  return async (req: Request, res: Response) => {
    const user = await sessions.userFromCookieHeader(req.headers.cookie);
    if (!user) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    const id = viewIdSchema.safeParse(req.params.id);
    const view = id.success ? await store.findView(id.data) : undefined;
    if (!view || !(view.shared || view.ownerId === user.id)) return res.redirect(303, '/views?missing=1');
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, viewHref(view.state));
  };
}

import { ErrorCode } from '@ctscope/protocol';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { readRelease, SUMS_FILE } from '../release/release-files';
import { sendError } from './send-error';

const CONTENT_TYPES = { deb: 'application/vnd.debian.binary-package', tarball: 'application/gzip' } as const;

/**
 * /downloads/SHA256SUMS and the agent packages it lists, for hosts being installed. No session: a host
 * has none, and these files hold no secret (the token never goes into a package). Only files named in
 * SHA256SUMS are served, by exact name, so no path can reach anything else.
 */
export function downloadsRouter(releaseDir: string, logger: Logger): Router {
  const router = express.Router();
  const noRelease = 'no agent packages are built on this dashboard: run npm run package (or npm start) on it';

  router.get(`/${SUMS_FILE}`, async (_req, res) => {
    const release = await readRelease(releaseDir);
    if (!release) return sendError(res, 404, ErrorCode.NotFound, noRelease);
    res.type('text/plain').set('cache-control', 'no-cache').send(release.sums);
  });

  router.get('/:file', async (req, res) => {
    const release = await readRelease(releaseDir);
    const pkg = release?.packages.find((p) => p.file === req.params.file);
    if (!pkg) return sendError(res, 404, ErrorCode.NotFound, release ? `no such package; this dashboard serves ${release.packages.map((p) => p.file).join(', ')} (see /downloads/${SUMS_FILE})` : noRelease);
    res.set('cache-control', 'no-cache').set('content-type', CONTENT_TYPES[pkg.kind]);
    res.sendFile(pkg.file, { root: releaseDir, dotfiles: 'deny', headers: { 'content-disposition': `attachment; filename="${pkg.file}"` } }, (err) => {
      if (err && !res.headersSent) sendError(res, 404, ErrorCode.NotFound, 'the package vanished while being sent; try again');
      else if (err) logger.warn({ err, file: pkg.file }, 'agent package download cut short');
    });
  });

  // Anything else under /downloads (the bare directory, say) ends here, not at the pages' login redirect.
  router.use((_req, res) => sendError(res, 404, ErrorCode.NotFound, `see /downloads/${SUMS_FILE} for the packages this dashboard serves`));

  return router;
}

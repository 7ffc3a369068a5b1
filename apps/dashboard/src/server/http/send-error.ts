import type { Response } from 'express';

/** Every API error: `{ error: { code, message } }` with the HTTP status. */
export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

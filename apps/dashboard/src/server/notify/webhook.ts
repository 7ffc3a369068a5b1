import { createHmac } from 'node:crypto';
import { postOnce, type PostOptions } from './http-post';
import type { DestinationRecord, NotifyEvent, SendResult } from './types';

export const SIGNATURE_HEADER = 'X-Ctscope-Signature';

/** The generic webhook's JSON body, version 1 (documented in the README; add fields, never change them). */
export function webhookBody(event: NotifyEvent): Record<string, unknown> {
  return {
    version: 1,
    status: event.status,
    repeat: event.repeat,
    test: event.test,
    at: new Date(event.at).toISOString(),
    host: { id: event.host.id, hostname: event.host.hostname, url: event.hostUrl ?? null },
    alert: {
      id: event.alert.id,
      name: event.alert.name,
      severity: event.alert.severity,
      message: event.alert.message,
      since: new Date(event.alert.since).toISOString(),
    },
  };
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the timestamp lets receivers refuse replays. */
export function signatureHeader(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

export function sendWebhook(destination: DestinationRecord, event: NotifyEvent, options?: PostOptions & { now?: number }): Promise<SendResult> {
  const body = JSON.stringify(webhookBody(event));
  const headers: Record<string, string> = {};
  if (destination.secret.hmacSecret) headers[SIGNATURE_HEADER] = signatureHeader(destination.secret.hmacSecret, body, options?.now ?? Date.now());
  return postOnce(destination.url, body, headers, options);
}

import { postOnce, type PostOptions } from './http-post';
import type { DestinationRecord, NotifyEvent, SendResult } from './types';

/**
 * How long Alertmanager keeps a firing alert without hearing of it again: 4 re-posts, as Prometheus does,
 * so an alert whose dashboard server stopped resolves by itself instead of firing for ever.
 */
export const ALERTMANAGER_REPOST_MS = 60_000;
const ENDS_AFTER_MS = 4 * ALERTMANAGER_REPOST_MS;

/** One alert in Alertmanager's v2 format (POST /api/v2/alerts takes a list). */
export function alertmanagerAlert(event: NotifyEvent): Record<string, unknown> {
  return {
    labels: {
      alertname: event.test ? 'CtscopeTest' : event.alert.name,
      host: event.host.hostname,
      host_id: event.host.id,
      severity: event.alert.severity,
      source: 'ctscope',
    },
    annotations: { summary: `${event.alert.name} on ${event.host.hostname}`, description: event.alert.message },
    startsAt: new Date(event.alert.since).toISOString(),
    // Resolved: ends now. Firing: ends unless re-posted in time.
    endsAt: new Date(event.status === 'resolved' ? event.at : event.at + (event.test ? ALERTMANAGER_REPOST_MS : ENDS_AFTER_MS)).toISOString(),
    ...(event.hostUrl && { generatorURL: event.hostUrl }),
  };
}

/** The v2 alerts endpoint under the configured base address (http://alertmanager:9093 or a sub-path). */
export const alertsEndpoint = (base: string): string => `${base.replace(/\/+$/, '')}/api/v2/alerts`;

function authHeader(destination: DestinationRecord): Record<string, string> {
  const auth = destination.secret.auth;
  if (!auth) return {};
  if (auth.type === 'bearer') return { authorization: `Bearer ${auth.token}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

export function sendAlertmanager(destination: DestinationRecord, event: NotifyEvent, options?: PostOptions): Promise<SendResult> {
  return postOnce(alertsEndpoint(destination.url), JSON.stringify([alertmanagerAlert(event)]), authHeader(destination), options);
}

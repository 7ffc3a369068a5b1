import type { DestinationKind } from '@ctscope/protocol';

export type Severity = 'warning' | 'critical';

/** A destination as stored: secrets included, so this never leaves the server. */
export interface DestinationRecord {
  id: string;
  name: string;
  kind: DestinationKind;
  enabled: boolean;
  minSeverity: Severity;
  hosts: string[];
  url: string;
  secret: DestinationSecret;
  createdAt: number;
  updatedAt: number;
}

export interface DestinationSecret {
  hmacSecret?: string;
  auth?: { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string };
}

/** One alert of one host starting, repeating, clearing, or a test from the Notifications page. */
export interface NotifyEvent {
  status: 'firing' | 'resolved';
  host: { id: string; hostname: string };
  alert: { id: string; name: string; severity: Severity; message: string; since: number };
  /** When the dashboard saw it (ms). */
  at: number;
  /** Sent again while still active (repeat interval), not a change. */
  repeat: boolean;
  test: boolean;
  /** The host's page on the dashboard, when CTSCOPE_PUBLIC_URL is set. */
  hostUrl: string | undefined;
}

/** An outbound request's outcome: ok, or why not (shown on the page; never contains secrets). */
export type SendResult = { ok: true } | { ok: false; error: string; retry: boolean };

export type Sender = (destination: DestinationRecord, event: NotifyEvent) => Promise<SendResult>;

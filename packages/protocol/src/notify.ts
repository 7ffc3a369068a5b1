import { z } from 'zod';

/** Where alert notifications go: a generic JSON webhook, a Slack-compatible incoming webhook, or Alertmanager (v2 API). */
export const destinationKindSchema = z.enum(['webhook', 'slack', 'alertmanager']);
export type DestinationKind = z.infer<typeof destinationKindSchema>;

export const notifySeveritySchema = z.enum(['warning', 'critical']);

/** An outbound address: http or https only, no credentials in it (Alertmanager's go in `auth`). */
export const destinationUrlSchema = z
  .url({ protocol: /^https?$/, error: 'url: an http:// or https:// address' })
  .max(2_000, 'url: at most 2000 characters')
  .refine((u) => {
    const parsed = new URL(u);
    return parsed.username === '' && parsed.password === '';
  }, 'url: no user or password in the address (Alertmanager credentials go in the auth fields)');

const secretText = (what: string) => z.string().min(1, `${what}: not empty`).max(500, `${what}: at most 500 characters`);

export const alertmanagerAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bearer'), token: secretText('token') }),
  z.object({ type: z.literal('basic'), username: z.string().min(1).max(200), password: secretText('password') }),
]);

/**
 * A destination as an admin saves it. On edit, a missing `url` / `hmacSecret` / `auth` keeps the stored one
 * (they are never sent back to browsers); `null` removes an optional one.
 */
export const destinationInputSchema = z.object({
  name: z.string().trim().min(1, 'name: not empty').max(100, 'name: at most 100 characters'),
  kind: destinationKindSchema,
  enabled: z.boolean().default(true),
  /** Alerts below this severity are not sent. */
  minSeverity: notifySeveritySchema.default('warning'),
  /** Host ids or hostnames; empty means every host. */
  hosts: z.array(z.string().trim().min(1).max(253)).max(200).default([]),
  url: destinationUrlSchema.optional(),
  /** Webhook only: signs each body with HMAC-SHA256 (header X-Ctscope-Signature). */
  hmacSecret: z.string().min(16, 'hmacSecret: at least 16 characters').max(500).nullable().optional(),
  /** Alertmanager only. */
  auth: alertmanagerAuthSchema.nullable().optional(),
});
export type DestinationInput = z.input<typeof destinationInputSchema>;

export const destinationStatusSchema = z.object({
  lastSuccessAt: z.number().nullable(),
  lastFailureAt: z.number().nullable(),
  lastError: z.string().nullable(),
  sent: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  /** Dropped because the queue was full (oldest first) or retries ran out. */
  dropped: z.number().int().nonnegative(),
});
export type DestinationStatus = z.infer<typeof destinationStatusSchema>;

/** A destination as browsers see it: the address masked, secrets only as flags. */
export const destinationSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: destinationKindSchema,
  enabled: z.boolean(),
  minSeverity: notifySeveritySchema,
  hosts: z.array(z.string()),
  urlMasked: z.string(),
  hasSecret: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  status: destinationStatusSchema,
});
export type DestinationSummary = z.infer<typeof destinationSummarySchema>;

export const destinationListResponseSchema = z.object({ destinations: z.array(destinationSummarySchema) });
export const destinationResponseSchema = z.object({ destination: destinationSummarySchema });
export const testSendResponseSchema = z.object({ ok: z.boolean(), error: z.string().nullable(), destination: destinationSummarySchema });

export const destinationIdParamSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'not a destination id');

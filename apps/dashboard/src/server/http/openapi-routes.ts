import {
  addHostRequestSchema,
  agentDownloadsSchema,
  auditExportFormatSchema,
  auditFacetsSchema,
  auditPageSchema,
  auditQuerySchema,
  changeOwnPasswordRequestSchema,
  changeRoleRequestSchema,
  createTokenRequestSchema,
  createTokenResponseSchema,
  createUserRequestSchema,
  createViewRequestSchema,
  destinationIdParamSchema,
  destinationInputSchema,
  destinationListResponseSchema,
  destinationResponseSchema,
  enrollmentResponseSchema,
  hostIdSchema,
  hostSummarySchema,
  loginRequestSchema,
  managedHostListResponseSchema,
  managedHostSchema,
  resetPasswordRequestSchema,
  aggregatesSchema,
  sessionUserSchema,
  snapshotDetailSchema,
  storedSnapshotSchema,
  testSendResponseSchema,
  tokenIdParamSchema,
  tokenListResponseSchema,
  updateViewRequestSchema,
  userIdParamSchema,
  userListResponseSchema,
  userResponseSchema,
  viewIdSchema,
  viewListResponseSchema,
  viewResponseSchema,
  windowResultSchema,
  type Role,
} from '@ctscope/protocol';
import { z } from 'zod';
import { hostSnapshotQuery } from './host-snapshot-api';
import { snapshotAggregateQuery, snapshotNameSchema, snapshotWindowQuery } from './snapshots-api';

/**
 * Who may call a route: `none` (no credentials), `session` (a session cookie only: not with an API
 * token), `any` (a session cookie or `Authorization: Bearer` with an API token).
 */
export type RouteAuth = 'none' | 'session' | 'any';

export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path under /api, `{name}` for parameters. */
  path: string;
  summary: string;
  auth: RouteAuth;
  /** Roles allowed (all when absent). */
  roles?: readonly Role[];
  params?: Readonly<Record<string, z.ZodType>>;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success answer: a JSON schema, or another media type, or none (204). */
  ok: { status: 200 | 201 | 204; schema?: z.ZodType; mediaTypes?: readonly string[]; description: string };
  /** Error statuses this route answers besides 401 (and 400 when it has a body or query). */
  errors?: readonly number[];
}

const ADMIN: readonly Role[] = ['admin'];
const userOnly = z.object({ user: sessionUserSchema });
const hostList = z.object({ hosts: z.array(hostSummarySchema) });
const userId = { id: userIdParamSchema };
const hostId = { id: hostIdSchema };
const viewId = { id: viewIdSchema };

/** Every route of the JSON API; openapi.test.ts fails when this list and the server's routes differ. */
export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'get', path: '/openapi.json', summary: 'This document', auth: 'none', ok: { status: 200, description: 'The OpenAPI 3.1 description of the JSON API' } },
  { method: 'post', path: '/auth/login', summary: 'Sign in; sets the session cookie', auth: 'none', body: loginRequestSchema, ok: { status: 200, schema: userOnly, description: 'Signed in (Set-Cookie carries the session)' }, errors: [429] },
  { method: 'post', path: '/auth/logout', summary: 'End the session of the cookie sent, if any, and clear the cookie', auth: 'none', ok: { status: 204, description: 'Signed out' } },
  {
    method: 'get',
    path: '/auth/methods',
    summary: 'How one may sign in here: the password form (everyone, or only the break-glass admin) and single sign-on',
    auth: 'none',
    ok: { status: 200, schema: z.object({ localLogin: z.boolean(), sso: z.object({ available: z.boolean() }).nullable() }), description: 'The sign-in methods' },
  },
  { method: 'get', path: '/auth/me', summary: 'Who is calling, with the role in effect', auth: 'any', ok: { status: 200, schema: userOnly, description: 'The caller' } },
  { method: 'post', path: '/auth/password', summary: 'Change your own password (ends your other sessions)', auth: 'session', body: changeOwnPasswordRequestSchema, ok: { status: 204, description: 'Changed' }, errors: [403, 429] },

  { method: 'get', path: '/hosts', summary: 'Every host with its latest sample', auth: 'any', ok: { status: 200, schema: hostList, description: 'The hosts' } },
  { method: 'get', path: '/hosts/downloads', summary: 'Agent packages this dashboard serves, with install commands', auth: 'any', ok: { status: 200, schema: agentDownloadsSchema, description: 'The packages' } },
  { method: 'get', path: '/hosts/managed', summary: 'Hosts with their enrollment state', auth: 'any', ok: { status: 200, schema: managedHostListResponseSchema, description: 'The hosts' } },
  { method: 'post', path: '/hosts', summary: 'Add a host: its agent token (shown once) and install commands', auth: 'any', roles: ADMIN, body: addHostRequestSchema, ok: { status: 201, schema: enrollmentResponseSchema, description: 'Added' }, errors: [403, 409] },
  { method: 'post', path: '/hosts/{id}/revoke', summary: "Revoke a host's agent token (its agent is disconnected at once)", auth: 'any', roles: ADMIN, params: hostId, ok: { status: 200, schema: z.object({ host: managedHostSchema }), description: 'Revoked' }, errors: [403, 404] },
  { method: 'post', path: '/hosts/{id}/token', summary: 'Issue a new agent token for a host', auth: 'any', roles: ADMIN, params: hostId, ok: { status: 200, schema: enrollmentResponseSchema, description: 'Issued' }, errors: [403, 404] },
  {
    method: 'get',
    path: '/hosts/{id}/snapshot',
    summary: "Make an incident snapshot of a live host (its table, or the entries matching ?q=, with its stats and composition history and active alerts) and download it: one at a time per host, 3 a minute per user",
    auth: 'any',
    params: hostId,
    query: hostSnapshotQuery,
    ok: { status: 200, mediaTypes: ['application/gzip'], description: 'The snapshot file (docs/snapshot-format.md), streamed as the agent makes it' },
    errors: [404, 409, 429, 503, 504],
  },

  { method: 'get', path: '/users', summary: 'Every account', auth: 'any', roles: ADMIN, ok: { status: 200, schema: userListResponseSchema, description: 'The users' }, errors: [403] },
  { method: 'post', path: '/users', summary: 'Create an account', auth: 'any', roles: ADMIN, body: createUserRequestSchema, ok: { status: 201, schema: userResponseSchema, description: 'Created' }, errors: [403, 409] },
  { method: 'patch', path: '/users/{id}', summary: "Change a user's role", auth: 'any', roles: ADMIN, params: userId, body: changeRoleRequestSchema, ok: { status: 200, schema: userResponseSchema, description: 'Changed' }, errors: [403, 404, 409] },
  { method: 'post', path: '/users/{id}/password', summary: "Reset a user's password (ends their sessions)", auth: 'any', roles: ADMIN, params: userId, body: resetPasswordRequestSchema, ok: { status: 204, description: 'Reset' }, errors: [403, 404] },
  { method: 'delete', path: '/users/{id}', summary: 'Delete an account, its sessions, tokens and private views', auth: 'any', roles: ADMIN, params: userId, ok: { status: 204, description: 'Deleted' }, errors: [403, 404, 409] },

  { method: 'get', path: '/views', summary: 'Your views and everyone’s shared ones', auth: 'any', ok: { status: 200, schema: viewListResponseSchema, description: 'The views' } },
  { method: 'get', path: '/views/{id}', summary: 'One view', auth: 'any', params: viewId, ok: { status: 200, schema: viewResponseSchema, description: 'The view' }, errors: [404] },
  { method: 'post', path: '/views', summary: 'Save a view', auth: 'any', body: createViewRequestSchema, ok: { status: 201, schema: viewResponseSchema, description: 'Saved' }, errors: [409] },
  { method: 'patch', path: '/views/{id}', summary: 'Rename or (un)share a view (its owner or an admin)', auth: 'any', params: viewId, body: updateViewRequestSchema, ok: { status: 200, schema: viewResponseSchema, description: 'Changed' }, errors: [403, 404] },
  { method: 'delete', path: '/views/{id}', summary: 'Delete a view (its owner or an admin)', auth: 'any', params: viewId, ok: { status: 204, description: 'Deleted' }, errors: [403, 404] },

  { method: 'get', path: '/audit', summary: 'Audit rows, newest first, filtered and paged', auth: 'any', query: auditQuerySchema, ok: { status: 200, schema: auditPageSchema, description: 'One page' } },
  { method: 'get', path: '/audit/facets', summary: 'Actors, targets and actions for filter pickers', auth: 'any', ok: { status: 200, schema: auditFacetsSchema, description: 'The facets' } },
  {
    method: 'get',
    path: '/audit/export',
    summary: 'Audit rows matching the filter as CSV or JSON lines',
    auth: 'any',
    query: auditQuerySchema.extend({ format: auditExportFormatSchema.optional() }),
    ok: { status: 200, mediaTypes: ['text/csv', 'application/x-ndjson'], description: 'A file download' },
  },

  { method: 'get', path: '/notifications', summary: 'Notification destinations (secrets masked)', auth: 'any', roles: ADMIN, ok: { status: 200, schema: destinationListResponseSchema, description: 'The destinations' }, errors: [403] },
  { method: 'post', path: '/notifications', summary: 'Add a destination', auth: 'any', roles: ADMIN, body: destinationInputSchema, ok: { status: 201, schema: destinationResponseSchema, description: 'Added' }, errors: [403, 409] },
  { method: 'put', path: '/notifications/{id}', summary: 'Change a destination (secrets kept unless replaced)', auth: 'any', roles: ADMIN, params: { id: destinationIdParamSchema }, body: destinationInputSchema, ok: { status: 200, schema: destinationResponseSchema, description: 'Changed' }, errors: [403, 404] },
  { method: 'delete', path: '/notifications/{id}', summary: 'Delete a destination', auth: 'any', roles: ADMIN, params: { id: destinationIdParamSchema }, ok: { status: 204, description: 'Deleted' }, errors: [403, 404] },
  { method: 'post', path: '/notifications/{id}/test', summary: 'Send a test notification', auth: 'any', roles: ADMIN, params: { id: destinationIdParamSchema }, ok: { status: 200, schema: testSendResponseSchema, description: 'Sent or failed' }, errors: [403, 404] },
  { method: 'get', path: '/snapshots', summary: 'Uploaded incident snapshots', auth: 'any', ok: { status: 200, schema: z.object({ snapshots: z.array(storedSnapshotSchema) }), description: 'The snapshots' } },
  {
    method: 'post',
    path: '/snapshots',
    summary: 'Upload a snapshot file (the request body is the gzip file as `ctscope snapshot` writes it, Content-Type application/gzip)',
    auth: 'any',
    roles: ['admin', 'operator'],
    query: z.object({ name: snapshotNameSchema }),
    ok: { status: 201, schema: z.object({ snapshot: storedSnapshotSchema }), description: 'Stored' },
    errors: [403, 409, 413],
  },
  { method: 'delete', path: '/snapshots/{id}', summary: 'Delete a snapshot', auth: 'any', roles: ['admin', 'operator'], params: { id: z.string() }, ok: { status: 204, description: 'Deleted' }, errors: [403, 404] },
  { method: 'get', path: '/snapshots/{id}', summary: "A snapshot's sections (meta, sysctls, stats, rules, kernel lines, alerts)", auth: 'any', params: { id: z.string() }, ok: { status: 200, schema: snapshotDetailSchema, description: 'The snapshot' }, errors: [404] },
  { method: 'get', path: '/snapshots/{id}/window', summary: "One window of a snapshot's table, filtered and sorted", auth: 'any', params: { id: z.string() }, query: snapshotWindowQuery, ok: { status: 200, schema: windowResultSchema, description: 'The window' }, errors: [404] },
  { method: 'get', path: '/snapshots/{id}/aggregates', summary: "Breakdowns of a snapshot's table", auth: 'any', params: { id: z.string() }, query: snapshotAggregateQuery, ok: { status: 200, schema: aggregatesSchema, description: 'The breakdowns' }, errors: [404] },
  { method: 'get', path: '/tokens', summary: 'Your API tokens (admins: everyone’s); never their secrets', auth: 'any', ok: { status: 200, schema: tokenListResponseSchema, description: 'The tokens' } },
  {
    method: 'post',
    path: '/tokens',
    summary: 'Create an API token: role at most yours, expiry within a year; the secret is in this answer only',
    auth: 'session',
    body: createTokenRequestSchema,
    ok: { status: 201, schema: createTokenResponseSchema, description: 'Created' },
    errors: [403, 409],
  },
  { method: 'delete', path: '/tokens/{id}', summary: 'Revoke an API token (yours; admins: anyone’s); it stops working at once', auth: 'any', params: { id: tokenIdParamSchema }, ok: { status: 204, description: 'Revoked' }, errors: [404] },
];

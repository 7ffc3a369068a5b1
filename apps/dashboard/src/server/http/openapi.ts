import { ROLES, apiErrorSchema, PROTOCOL_VERSION } from '@ctscope/protocol';
import { z } from 'zod';
import { SESSION_COOKIE } from '../auth/sessions';
import { API_ROUTES, type ApiRoute } from './openapi-routes';

type Json = Record<string, unknown>;

/** zod 4's JSON Schema (2020-12, the dialect of OpenAPI 3.1); what JSON cannot say (transforms) is left open. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: 'The request does not fit (the message names the field)',
  401: 'No valid session or API token',
  403: 'The role in effect may not do this, or the origin may not change anything',
  404: 'No such thing',
  409: 'Conflicts with what exists',
  413: 'The upload is larger than allowed',
  429: 'Too many attempts; see Retry-After',
  503: 'The host is offline',
  504: 'The host did not answer in time',
};

const security = (route: ApiRoute): Json[] => (route.auth === 'none' ? [] : route.auth === 'session' ? [{ sessionCookie: [] }] : [{ sessionCookie: [] }, { bearerToken: [] }]);

function operation(route: ApiRoute): Json {
  const parameters = [
    ...Object.entries(route.params ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: jsonSchema(schema, 'input') })),
    ...Object.entries(route.query?.shape ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema: jsonSchema(schema as z.ZodType, 'input') })),
  ];
  const errors = new Set([...(route.auth === 'none' ? [] : [401]), ...(route.body || route.query ? [400] : []), ...(route.errors ?? [])]);
  const ok = route.ok.schema
    ? { description: route.ok.description, content: { 'application/json': { schema: jsonSchema(route.ok.schema, 'output') } } }
    : route.ok.mediaTypes
      ? { description: route.ok.description, content: Object.fromEntries(route.ok.mediaTypes.map((t) => [t, { schema: { type: 'string' } }])) }
      : route.path === '/openapi.json'
        ? { description: route.ok.description, content: { 'application/json': { schema: { type: 'object' } } } }
        : { description: route.ok.description };
  const roles = route.roles ?? ROLES;
  return {
    summary: route.summary,
    operationId: `${route.method}${route.path.replace(/[{}]/g, '').replace(/[/.](\w)/g, (_, c: string) => c.toUpperCase())}`,
    security: security(route),
    'x-ctscope-roles': roles,
    ...(route.auth !== 'none' && { description: `Roles: ${roles.join(', ')}.${route.auth === 'session' ? ' Needs a signed-in session: API tokens are refused here.' : ''}` }),
    ...(parameters.length > 0 && { parameters }),
    ...(route.body && { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }),
    responses: {
      [String(route.ok.status)]: ok,
      ...Object.fromEntries([...errors].sort().map((status) => [String(status), { $ref: `#/components/responses/E${status}` }])),
    },
  };
}

let cached: Json | undefined;

/** The OpenAPI 3.1 document of the JSON API, built once from the route table and the protocol's zod schemas. */
export function openApiDocument(): Json {
  if (cached) return cached;
  const paths: Record<string, Json> = {};
  for (const route of API_ROUTES) (paths[`/api${route.path}`] ??= {})[route.method] = operation(route);
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'ctscope dashboard API',
      version: `protocol ${PROTOCOL_VERSION}`,
      description:
        'The JSON API of the ctscope dashboard. Sign in with POST /api/auth/login (a session cookie) or send `Authorization: Bearer <token>` with an API token from /account/tokens; ' +
        'a request with both is refused. A token acts with the lower of its role and its owner’s current role. Writes from another origin are refused. Live data and changes on hosts travel over Socket.IO (/browsers), which takes session cookies only.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: `Set by POST /api/auth/login (named __Host-${SESSION_COOKIE} over HTTPS)` },
        bearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'ctscope_<43 base64url characters>', description: 'An API token from /account/tokens' },
      },
      schemas: { ApiError: jsonSchema(apiErrorSchema, 'output') },
      responses: Object.fromEntries(
        Object.entries(ERROR_TEXT).map(([status, description]) => [`E${status}`, { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } }]),
      ),
    },
  };
  return cached;
}

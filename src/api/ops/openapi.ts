import { z } from 'zod';
import { exampleOf } from './openapi-examples.js';
import { PROBE_PATHS, READINESS_SCHEMA } from './openapi-probes.js';
import type { OpsRoute } from './route.js';
import { ErrorSchema } from './schemas.js';

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Json;
  return rest;
};

const ERROR = jsonSchema(ErrorSchema, 'output');
/** An error answer with an example of its body. */
export const errorResponse = (description: string, code: string, message: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: { code, message } } } },
});

function parameters(route: OpsRoute): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    for (const [name, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
      const { description, ...fieldSchema } = jsonSchema(field, 'input');
      out.push({
        name,
        in: where,
        required: where === 'path' || !field.safeParse(undefined).success,
        description: description ?? (where === 'path' ? `The ${name} in the path` : `Filter or page by ${name}`),
        schema: fieldSchema,
        example: exampleOf(fieldSchema),
      });
    }
  }
  return out;
}

/** The success body's example: the route's own, else one built from its response schema. */
export function routeExample(route: OpsRoute): unknown {
  return route.example ?? exampleOf(jsonSchema(route.response, 'output'));
}

function operation(route: OpsRoute): Json {
  const status = String(route.status ?? 200);
  const responses: Json = {
    [status]: { description: 'Success', content: { 'application/json': { schema: jsonSchema(route.response, 'output'), example: routeExample(route) } } },
    '400': errorResponse('Invalid parameters or body', 'invalid_request', 'query.limit: must be at most 500'),
  };
  if (route.role !== 'public') {
    responses['401'] = errorResponse('No valid Bearer token', 'unauthorized', 'send a valid API token as "Authorization: Bearer <token>"');
    responses['403'] = errorResponse(`The token's role is below ${route.role}`, 'forbidden', `token "viewer-1" has role viewer; this needs ${route.role}`);
  }
  if (route.params) responses['404'] = errorResponse('Not found', 'not_found', 'no such entry');
  if (route.body) responses['413'] = errorResponse('Body larger than the limit', 'too_large', 'request body exceeds the size limit');
  const codes: Record<number, string> = { 409: 'conflict', 429: 'channel_rate_limited', 502: 'channel_unreachable', 503: 'unavailable' };
  for (const [s, when] of Object.entries(route.errors ?? {})) responses[s] = errorResponse(when, codes[Number(s)] ?? 'error', when);
  responses['500'] = errorResponse('Unexpected failure; the hub log has the details', 'internal_error', 'internal error; see the hub log');
  const role = route.role === 'public' ? 'No token needed.' : `Role: ${route.role} or above.`;
  const audited = route.method === 'get' ? '' : ` Audited as \`${route.action}\`, refusals included.`;
  const body = route.body ? jsonSchema(route.body, 'input') : undefined;
  return {
    operationId: `${route.method}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '_')}`,
    summary: route.summary,
    description: `${route.description ? `${route.description} ` : ''}${role}${audited}`,
    tags: [route.tag],
    ...(route.role === 'public' ? { security: [] } : {}),
    'x-hub-role': route.role,
    parameters: parameters(route),
    ...(route.body && body
      ? { requestBody: { required: !route.body.safeParse(undefined).success, content: { 'application/json': { schema: body, example: exampleOf(body) } } } }
      : {}),
    responses,
  };
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  queues: 'Queue depth, rates and sampled history',
  'dead-letters': 'Failed deliveries and pushes: browse, group, search, replay, discard, annotate',
  connectors: 'Connector status, pause and resume, online check and store onboarding',
  reconcile: 'Reconciliation runs, their drift, and warehouse variances',
  erp: 'Inventory, orders and replenishment as the ERP core holds them',
  session: 'Dashboard login and logout',
  admin: 'The running config',
  alerts: 'Alert rules and open incidents',
  audit: 'Who did what, when',
  meta: 'This document',
  probes: 'Liveness, readiness and Prometheus metrics (no token)',
  webhooks: 'Signed deliveries from channels, warehouses and carriers',
};

/** The OpenAPI 3.0 document of the hub's HTTP surface, the ops API built from the same route table the router mounts. */
export function openApiDocument(routes: readonly OpsRoute[]): Json {
  const paths: Record<string, Json> = { ...PROBE_PATHS };
  for (const route of routes) {
    const path = `/api${route.path}`;
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  const tags = [...new Set([...routes.map((r) => r.tag), 'probes', 'webhooks'])];
  return {
    openapi: '3.0.3',
    info: {
      title: 'commerce-hub HTTP API',
      version: '1',
      description:
        'Webhook intake, probes, metrics and the operations API (queues, dead letters, connectors, reconciliation, inventory, orders, replenishment, audit log and alerts). ' +
        'Send `Authorization: Bearer <token>` with a token from config `auth.tokens` to /api; roles are viewer (read), operator (replay, discard, pause/resume, check, start reconciliations, decide variances) and admin (everything: config view, store setup).',
      contact: { name: 'commerce-hub operators', url: 'https://hub.example.com/dashboard/' },
      license: { name: 'Proprietary' },
    },
    servers: [{ url: '/', description: 'The hub itself (relative)' }],
    security: [{ bearer: [] }],
    tags: tags.map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token from config auth.tokens' } },
      schemas: { Error: ERROR, Readiness: READINESS_SCHEMA },
    },
  };
}

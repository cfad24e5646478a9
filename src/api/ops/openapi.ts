import { z } from 'zod';
import type { OpsRoute } from './route.js';
import { ErrorSchema } from './schemas.js';

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Json;
  return rest;
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function parameters(route: OpsRoute): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    for (const [name, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
      const { description, ...fieldSchema } = jsonSchema(field, 'input');
      out.push({
        name,
        in: where,
        required: where === 'path' || !field.safeParse(undefined).success,
        ...(description ? { description } : {}),
        schema: fieldSchema,
      });
    }
  }
  return out;
}

function operation(route: OpsRoute): Json {
  const status = String(route.status ?? 200);
  const responses: Json = {
    [status]: { description: 'Success', content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } },
    '400': errorResponse('Invalid parameters or body'),
  };
  if (route.role !== 'public') {
    responses['401'] = errorResponse('No valid Bearer token');
    responses['403'] = errorResponse(`The token's role is below ${route.role}`);
  }
  if (route.params) responses['404'] = errorResponse('Not found');
  if (route.body) responses['413'] = errorResponse('Body larger than the limit');
  const role = route.role === 'public' ? 'No token needed.' : `Role: ${route.role} or above.`;
  const audited = route.method === 'get' ? '' : ` Audited as \`${route.action}\`, refusals included.`;
  return {
    operationId: `${route.method}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '_')}`,
    summary: route.summary,
    description: `${route.description ? `${route.description} ` : ''}${role}${audited}`,
    tags: [route.tag],
    ...(route.role === 'public' ? { security: [] } : {}),
    'x-hub-role': route.role,
    parameters: parameters(route),
    ...(route.body ? { requestBody: { required: !route.body.safeParse(undefined).success, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.0 document of the ops API, built from the same route table the router mounts. */
export function openApiDocument(routes: readonly OpsRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = `/api${route.path}`;
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'commerce-hub operations API',
      version: '1',
      description:
        'Queues, dead letters, connectors, reconciliation, inventory, orders, replenishment, audit log and alerts. Send `Authorization: Bearer <token>` with a token from config `auth.tokens`; roles are viewer (read), operator (replay, discard, pause/resume, start reconciliations, decide variances) and admin (everything, config view).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token from config auth.tokens' } },
      schemas: { Error: jsonSchema(ErrorSchema, 'output') },
    },
  };
}

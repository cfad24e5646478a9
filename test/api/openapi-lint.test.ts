import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { opsRoutes } from '../../src/api/ops/index.js';
import { openApiDocument, routeExample } from '../../src/api/ops/openapi.js';
import { ambiguous, lintOpenApi } from '../helpers/openapi-lint.js';

/**
 * The OpenAPI document passes the Spectral/Redocly recommended checks with no warning, covers the
 * routes outside /api, declares 409/429/5xx where they are given, and every example it shows is
 * a body the route's own schema accepts.
 */
describe('OpenAPI document lint', () => {
  const doc = openApiDocument(opsRoutes) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

  it('is valid OpenAPI 3.0 and has no lint problem', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(lintOpenApi(doc)).toEqual([]);
  });

  it('covers webhooks, probes and metrics, and declares conflict, throttling and channel failures', () => {
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/webhooks/{connectorId}', '/healthz', '/readyz', '/metrics']));
    const responses = (path: string, method: string) => Object.keys(doc.paths[path]![method]!.responses);
    expect(responses('/api/reconcile/connectors/{connectorId}/runs', 'post')).toEqual(expect.arrayContaining(['202', '429', '500', '502']));
    expect(responses('/api/variances/{id}/approve', 'post')).toContain('409');
    expect(responses('/webhooks/{connectorId}', 'post')).toEqual(expect.arrayContaining(['200', '401', '413', '503']));
    expect(responses('/readyz', 'get')).toEqual(['200', '503']);
  });

  it('gives every operation an example its own schema accepts', () => {
    const refused = opsRoutes.filter((r) => !r.response.safeParse(routeExample(r)).success).map((r) => `${r.method} ${r.path}`);
    expect(refused).toEqual([]);
  });

  it('catches what the rules are for (the lint can fail)', () => {
    expect(ambiguous('/reconcile/{connectorId}/runs', '/reconcile/runs/{id}')).toBe(true);
    expect(ambiguous('/dead-letters/{id}', '/dead-letters/replay')).toBe(false);
    const broken = structuredClone(doc) as Record<string, any>;
    broken.paths['/api/reconcile/{connectorId}/runs'] = broken.paths['/api/reconcile/connectors/{connectorId}/runs'];
    delete broken.paths['/api/queues'].get.responses['200'].content['application/json'].example;
    expect(lintOpenApi(broken).map((p) => p.rule)).toEqual(expect.arrayContaining(['no-ambiguous-paths', 'operation-example', 'operation-operationId-unique']));
  });
});

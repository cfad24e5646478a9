/**
 * The routes outside /api, written out by hand: webhook intake (src/api/webhooks.ts), the probes
 * and /metrics (src/api/app.ts). They need no token.
 */
const error = (description: string, code: string, message: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: { code, message } } } },
});

export const PROBE_PATHS: Record<string, Record<string, unknown>> = {
  '/webhooks/{connectorId}': {
    post: {
      operationId: 'post_webhooks_connectorId',
      summary: 'Receive a signed delivery from a channel, warehouse or carrier',
      description:
        'The connector verifies the signature (its own headers: `X-Shopify-Hmac-Sha256`, `X-Acme-Signature`, ...) on the raw body, the delivery is recorded durably and ' +
        'deduplicated, and only then acknowledged. Topics the connector has no normalizer for are acknowledged as `ignored`. No token: the signature is the credential.',
      tags: ['webhooks'],
      security: [],
      parameters: [
        {
          name: 'connectorId',
          in: 'path',
          required: true,
          description: 'The connector instance id from config',
          schema: { type: 'string' },
          example: 'shopify-main',
        },
      ],
      requestBody: {
        required: true,
        description: 'The payload exactly as the sender signed it',
        content: {
          'application/json': {
            schema: { type: 'object', additionalProperties: true },
            example: { id: 820982911946154500, updated_at: '2026-03-01T10:00:00-05:00' },
          },
        },
      },
      responses: {
        '200': {
          description: 'Accepted (recorded), a duplicate of a recorded delivery, or ignored (a topic the connector does not read)',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['status'],
                properties: {
                  status: { type: 'string', enum: ['accepted', 'duplicate', 'ignored'] },
                  id: { type: 'integer', description: 'Inbox id of the delivery' },
                  topic: { type: 'string', description: 'The ignored topic' },
                },
              },
              example: { status: 'accepted', id: 42 },
            },
          },
        },
        '400': error('Body is not JSON, or the delivery lacks what the connector needs to verify it', 'malformed_json', 'body is not JSON: Unexpected token'),
        '401': error('The signature does not verify', 'invalid_signature', 'shopify-main: HMAC does not match'),
        '404': error('No enabled connector with this id receives webhooks', 'unknown_connector', 'no enabled connector "shopify-x" receives webhooks'),
        '413': error('Body larger than server.bodyLimit', 'too_large', 'body exceeds 1mb'),
        '503': error('Not recorded (the database is unavailable); the sender should retry', 'unavailable', 'the delivery was not recorded; retry later'),
      },
    },
  },
  '/healthz': {
    get: {
      operationId: 'get_healthz',
      summary: 'Liveness: the process answers',
      description: 'For a container health check; says nothing about the database or Redis (see /readyz).',
      tags: ['probes'],
      security: [],
      responses: {
        '200': {
          description: 'Alive',
          content: {
            'application/json': {
              schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
              example: { status: 'ok' },
            },
          },
        },
      },
    },
  },
  '/readyz': {
    get: {
      operationId: 'get_readyz',
      summary: 'Readiness: the database and Redis answer',
      description: 'For a load balancer: 503 while either is unreachable.',
      tags: ['probes'],
      security: [],
      responses: {
        '200': {
          description: 'Ready',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' }, example: { status: 'ready', database: 'ok', redis: 'ok' } } },
        },
        '503': {
          description: 'Not ready',
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/Readiness' }, example: { status: 'not ready', database: 'ok', redis: 'unreachable' } },
          },
        },
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'get_metrics',
      summary: 'Prometheus metrics',
      description:
        'Text exposition format 0.0.4: the hub_* metrics and the standard process_* and nodejs_* ones. `hub worker --metrics-port` serves the same per worker.',
      tags: ['probes'],
      security: [],
      responses: {
        '200': {
          description: 'The metrics',
          content: {
            'text/plain': {
              schema: { type: 'string' },
              example:
                '# HELP hub_dead_letters_open Open dead letters per connector\n# TYPE hub_dead_letters_open gauge\nhub_dead_letters_open{connector="shopify-main"} 2\n',
            },
          },
        },
      },
    },
  },
};

/** The readiness answer, shared by both /readyz responses. */
export const READINESS_SCHEMA = {
  type: 'object',
  required: ['status', 'database', 'redis'],
  properties: {
    status: { type: 'string', enum: ['ready', 'not ready'] },
    database: { type: 'string', enum: ['ok', 'unreachable'] },
    redis: { type: 'string', enum: ['ok', 'unreachable'] },
  },
};

import { afterAll, beforeAll } from 'vitest';
import { connectorRegistry } from '../../src/connectors/registry.js';
import type { ConnectorDefinition } from '../../src/connectors/types.js';
import type { ConnectorInstance } from '../../src/core/config/load.js';
import { hashToken } from '../../src/api/ops/auth.js';
import { opsRoutes, type OpsOptions } from '../../src/api/ops/index.js';
import { expressPath, type OpsRoute } from '../../src/api/ops/route.js';
import { listDeadLetters, type DeadLetter } from '../../src/queues/dead-letter-store.js';
import { FakeStockApi, fakePushConnector, fakePushInstance, sellThroughFakePush } from '../helpers/fake-push.js';
import { BASE_CONFIG, event, parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

/** One token per role; the admin's is configured by hash only, as production configs may. */
export const TOKENS = {
  viewer: 'viewer-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
} as const;
export type TestRole = keyof typeof TOKENS;

export const OPS_YAML = `${BASE_CONFIG}
auth:
  tokens:
    - { name: viewer-1, role: viewer, token: ${TOKENS.viewer} }
    - { name: operator-1, role: operator, token: ${TOKENS.operator} }
    - { name: admin-1, role: admin, tokenHash: "${hashToken(TOKENS.admin)}" }
replenishment:
  - { sku: REPL-1, location: wh-east, reorderPoint: 5, reorderQuantity: 20 }
`;

/**
 * A hub with tokens for every role, the canonical `events` connector and a pushing `stock-api`
 * connector; `extra` adds connector instances and the definitions of their types.
 */
export async function startOpsHub(
  options: { yaml?: string; ops?: Pick<OpsOptions, 'history' | 'fetch'>; extra?: { instances: ConnectorInstance[]; definitions: ConnectorDefinition[] } } = {},
): Promise<{ hub: TestHub; stockApi: FakeStockApi; stop(): Promise<void> }> {
  const stockApi = await new FakeStockApi().start();
  const config = parseTestConfig(options.yaml ?? OPS_YAML);
  sellThroughFakePush(config, fakePushInstance(stockApi.url)).connectors.push(...(options.extra?.instances ?? []));
  const hub = await startTestHub({ config, registry: [...connectorRegistry, fakePushConnector, ...(options.extra?.definitions ?? [])], ops: options.ops });
  return {
    hub,
    stockApi,
    async stop() {
      await hub.stop();
      await stockApi.stop();
    },
  };
}

/**
 * {@link startOpsHub} for one test file: started before its tests, stopped after them. Read the
 * hub and the fake stock API through the returned object once the tests run.
 */
export function useOpsHub(options: Parameters<typeof startOpsHub>[0] = {}): { readonly hub: TestHub; readonly stockApi: FakeStockApi } {
  let started: Awaited<ReturnType<typeof startOpsHub>> | undefined;
  beforeAll(async () => {
    started = await startOpsHub(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const get = () => {
    if (!started) throw new Error('the ops hub is not started yet: read it inside a test');
    return started;
  };
  return {
    get hub() {
      return get().hub;
    },
    get stockApi() {
      return get().stockApi;
    },
  };
}

export interface ApiAnswer {
  status: number;
  json: any;
  headers: Headers;
}

/** The route an API path belongs to, for checking answers against its documented schema. */
export function routeFor(method: string, path: string): OpsRoute | undefined {
  const bare = path.split('?')[0]!;
  return opsRoutes.find((r) => {
    if (r.method !== method.toLowerCase()) return false;
    const pattern = new RegExp(`^/api${expressPath(r.path).replace(/:\w+/g, '[^/]+').replace(/\./g, '\\.')}$`);
    return pattern.test(bare);
  });
}

/**
 * Calls the ops API as a role (or with a raw token, or none). Every 2xx answer is checked against
 * the route's documented response schema, so the OpenAPI document cannot drift from the answers.
 */
export async function call(hub: TestHub, who: TestRole | { token: string } | null, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const token = who === null ? undefined : typeof who === 'string' ? TOKENS[who] : who.token;
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (res.ok) {
    const route = routeFor(method, path);
    if (!route) throw new Error(`${method} ${path} answered ${res.status} but no route documents it`);
    const checked = route.response.safeParse(json);
    if (!checked.success) throw new Error(`${method} ${path}: answer does not match its documented schema: ${checked.error.message}`);
  }
  return { status: res.status, json, headers: res.headers };
}

/** Posts an `inventory.adjusted` with a fractional delta and waits for its dead letter (ValidationError at normalize). */
export async function makeDeadLetter(hub: TestHub, sku: string, delta = 1.5): Promise<DeadLetter> {
  const res = await hub.postEvents(event('inventory.adjusted', { sku, location: 'wh-east', delta, reason: 'receipt' }));
  if (res.status !== 200) throw new Error(`delivery refused: ${res.status}`);
  return waitFor(async () => (await listDeadLetters(hub.db, { sku })).items[0], `dead letter for ${sku}`);
}

/** Audit rows, newest first. */
export async function auditRows(hub: TestHub, where: { actor?: string; action?: string; target?: string } = {}) {
  const { rows } = await hub.db.query<{ actor: string; action: string; target: string | null; outcome: string; details: Record<string, unknown> }>(
    `SELECT actor, action, target, outcome, details FROM audit_log
     WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR target = $3) ORDER BY id DESC`,
    [where.actor ?? null, where.action ?? null, where.target ?? null],
  );
  return rows;
}

import { z } from 'zod';
import { audit } from '../../core/audit.js';
import { ConfigError } from '../../core/errors.js';
import {
  approveVariance,
  reconcileTarget,
  getRun,
  listDrift,
  listOrderIssues,
  listRuns,
  listVariances,
  rejectVariance,
  RECONCILE_KINDS,
  runReconciliation,
  startReconcileRun,
  type ReconcileKind,
  type RunView,
} from '../../reconcile/index.js';
import { ApiError } from './errors.js';
import { IdParam, defineRoute, type OpsDeps, type OpsRoute } from './route.js';
import {
  DriftPageSchema,
  ReconcileConnectorsSchema,
  DriftSchema,
  OrderIssuesResponseSchema,
  ReconcileRunPageSchema,
  ReconcileRunSchema,
  ReconcileStartSchema,
  VariancePageSchema,
} from './schemas.js';

const DRIFT_ACTIONS = ['healed', 'flagged', 'reported', 'awaiting_approval', 'approved', 'rejected', 'stale', 'superseded'] as const;

const RunsQuery = z.object({
  connector: z.string().min(1).optional().describe('Connector instance id'),
  kind: z.enum(RECONCILE_KINDS).optional(),
  status: z.enum(['running', 'completed', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional().describe('Continue after this id (nextBefore of the previous page)'),
});

const DriftQuery = z.object({
  action: z.enum(DRIFT_ACTIONS).optional(),
  sku: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.coerce.number().int().positive().optional().describe('Continue after this id (nextAfter of the previous page)'),
});

const StartParams = z.object({ connectorId: z.string().min(1) });
const StartBody = z.object({
  kind: z.enum(RECONCILE_KINDS).describe("stock (channel stock), warehouse (a warehouse's on-hand) or orders"),
  dryRun: z.boolean().default(false).describe('Compare and report only, in the API process: nothing healed, applied or stored'),
});

const VarianceQuery = z.object({
  status: z
    .enum(['awaiting_approval', 'approved', 'rejected', 'stale', 'superseded'])
    .default('awaiting_approval')
    .describe('awaiting_approval (default), approved, rejected, stale (the ledger moved before approval) or superseded (a newer count replaced it)'),
  connector: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.coerce.number().int().positive().optional().describe('Continue after this id (nextAfter of the previous page)'),
});

async function mustGetRun(deps: OpsDeps, id: number): Promise<RunView> {
  const run = await getRun(deps.db, id);
  if (!run) throw new ApiError(404, 'not_found', `reconciliation run ${id} does not exist`);
  return run;
}

function checkKind(deps: OpsDeps, connectorId: string, kind: ReconcileKind) {
  const entry = deps.connectors.get(connectorId);
  if (!entry) throw new ApiError(404, 'not_found', `no enabled connector "${connectorId}"`);
  const can = entry.reconcileKinds;
  if (!can.includes(kind)) {
    throw new ApiError(
      400,
      'invalid_request',
      `connector "${connectorId}" (type ${entry.definition.type}) can reconcile ${can.join(', ') || 'nothing'}, not ${kind}`,
    );
  }
}

const page = <T extends { id: number }>(items: T[], limit: number) => (items.length === limit ? items[items.length - 1]!.id : null);

/** Reconciliation: runs, their drift and order issues, "run now", and warehouse variances awaiting approval. */
export const reconcileRoutes: OpsRoute[] = [
  defineRoute({
    method: 'get',
    path: '/reconcile/connectors',
    tag: 'reconcile',
    role: 'viewer',
    summary: 'Enabled connectors that can reconcile, with the kinds each can run',
    response: ReconcileConnectorsSchema,
    async handler({ deps }) {
      const connectors = [...deps.connectors.values()]
        .map((c) => ({ id: c.id, type: c.type, channel: c.channel ?? null, kinds: [...c.reconcileKinds] }))
        .filter((c) => c.kinds.length > 0);
      return { connectors };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/reconcile/runs',
    tag: 'reconcile',
    role: 'viewer',
    summary: 'Reconciliation runs, newest first',
    query: RunsQuery,
    response: ReconcileRunPageSchema,
    async handler({ deps, query }) {
      const items = await listRuns(deps.db, { connectorId: query.connector, kind: query.kind, status: query.status, limit: query.limit, before: query.before });
      return { items, nextBefore: page(items, query.limit) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/reconcile/runs/{id}',
    tag: 'reconcile',
    role: 'viewer',
    summary: 'One reconciliation run with its counts, accuracy and duration',
    params: IdParam,
    response: ReconcileRunSchema,
    handler: ({ deps, params }) => mustGetRun(deps, params.id),
  }),
  defineRoute({
    method: 'get',
    path: '/reconcile/runs/{id}/drift',
    tag: 'reconcile',
    role: 'viewer',
    summary: 'The stock or warehouse differences a run found, in the order found',
    params: IdParam,
    query: DriftQuery,
    response: DriftPageSchema,
    async handler({ deps, params, query }) {
      await mustGetRun(deps, params.id);
      const items = await listDrift(deps.db, { runId: params.id, action: query.action, sku: query.sku, limit: query.limit, after: query.after });
      return { items, nextAfter: page(items, query.limit) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/reconcile/runs/{id}/order-issues',
    tag: 'reconcile',
    role: 'viewer',
    summary: 'The order differences an order run found (missing, outdated, cancelled on one side)',
    params: IdParam,
    query: z.object({ limit: z.coerce.number().int().min(1).max(5000).default(500) }),
    response: OrderIssuesResponseSchema,
    async handler({ deps, params, query }) {
      await mustGetRun(deps, params.id);
      return { items: await listOrderIssues(deps.db, params.id, query.limit) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/reconcile/connectors/{connectorId}/runs',
    tag: 'reconcile',
    role: 'operator',
    action: 'reconcile.run',
    target: (p) => `connector:${p.connectorId}`,
    auditsItself: true,
    status: 202,
    summary: 'Start a reconciliation now',
    description:
      'Queues the run on hub.reconcile for the workers and answers the job id (and the run, once one is in progress). ' +
      'A start while the same reconciliation waits or runs is folded into it (`deduplicated`). ' +
      'A dry run compares in the API process and answers its counts and first differences; nothing is healed, applied or stored.',
    params: StartParams,
    body: StartBody,
    errors: {
      429: 'A dry run: the channel throttled a read; Retry-After says when to try again',
      502: 'A dry run: the channel could not be reached or refused a read; the message says which and why',
    },
    response: ReconcileStartSchema,
    async handler({ deps, params, body, actor }) {
      const { connectorId } = params;
      const { kind, dryRun } = body;
      checkKind(deps, connectorId, kind);
      if (dryRun) {
        try {
          const target = reconcileTarget(deps.connectors, connectorId);
          if (!target) throw new ApiError(400, 'invalid_request', `connector "${connectorId}" has no client to read from`);
          const result = await runReconciliation({ db: deps.db, config: deps.config, erp: deps.erp, logger: deps.logger }, target, kind, {
            trigger: 'manual',
            dryRun: true,
          });
          await audit(deps.db, {
            actor,
            action: 'reconcile.run',
            target: `connector:${connectorId}`,
            outcome: 'ok',
            details: { kind, dryRun, counts: result.counts },
          });
          return {
            connectorId,
            kind,
            dryRun: true as const,
            counts: result.counts,
            accuracy: result.accuracy,
            durationMs: result.durationMs,
            sample: result.sample,
          };
        } catch (err) {
          // The channel's own failures (unreachable, refused, throttled) answer 502/429 with their cause (errors.ts).
          if (err instanceof ConfigError) throw new ApiError(400, 'invalid_request', err.message);
          throw err;
        }
      }
      const started = await startReconcileRun(deps.queues, deps.connectors, connectorId, kind === 'orders' ? 'orders' : 'stock');
      await audit(deps.db, { actor, action: 'reconcile.run', target: `connector:${connectorId}`, outcome: 'ok', details: { kind, dryRun, ...started } });
      const [running] = await listRuns(deps.db, { connectorId, kind, status: 'running', limit: 1 });
      return { connectorId, kind, dryRun: false as const, ...started, run: running ?? null };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/variances',
    tag: 'reconcile',
    role: 'viewer',
    summary: 'Warehouse variances, oldest first; by default those awaiting approval',
    query: VarianceQuery,
    response: VariancePageSchema,
    async handler({ deps, query }) {
      const items = await listVariances(deps.db, { connectorId: query.connector, action: query.status, limit: query.limit, after: query.after });
      return { items, nextAfter: page(items, query.limit) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/variances/{id}/approve',
    tag: 'reconcile',
    role: 'operator',
    action: 'reconcile.variance.approve',
    target: (p) => `variance:${p.id}`,
    auditsItself: true,
    summary: "Approve a warehouse variance: the warehouse's count becomes the ledger's onHand",
    description:
      'When the ledger moved since the count was compared, nothing is applied and the variance becomes `stale` (run the warehouse reconciliation again). 409 when it is no longer awaiting approval.',
    params: IdParam,
    body: z.object({ note: z.string().trim().min(1).max(1000).optional() }).prefault({}),
    errors: { 409: 'The variance was already decided (by someone else, or superseded)' },
    response: DriftSchema,
    handler: ({ deps, params, body, actor }) => approveVariance(deps, params.id, actor, body.note),
  }),
  defineRoute({
    method: 'post',
    path: '/variances/{id}/reject',
    tag: 'reconcile',
    role: 'operator',
    action: 'reconcile.variance.reject',
    target: (p) => `variance:${p.id}`,
    auditsItself: true,
    summary: 'Reject a warehouse variance with a reason: the ledger stays as it is',
    description: '409 when it is no longer awaiting approval.',
    params: IdParam,
    body: z.object({ reason: z.string().trim().min(1, 'a rejection needs a reason').max(1000) }),
    errors: { 409: 'The variance was already decided (by someone else, or superseded)' },
    response: DriftSchema,
    handler: ({ deps, params, body, actor }) => rejectVariance(deps.db, params.id, actor, body.reason),
  }),
];

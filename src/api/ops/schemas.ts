import { z } from 'zod';
import { ROLES } from '../../core/config/schema.js';
import { DEAD_LETTER_STATUSES } from '../../queues/dead-letter-store.js';
import { STEPS } from '../../queues/names.js';

/** Response shapes of the ops API. They document it (OpenAPI) and tests check real answers against them. */
const iso = z.string().describe('ISO 8601 UTC timestamp');
const isoOrNull = iso.nullable();

export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) });

export const SessionSchema = z.object({ name: z.string(), role: z.enum(ROLES) });

export const QueueStatsSchema = z.object({
  name: z.string(),
  kind: z.enum(['inbound', 'outbound', 'reconcile', 'dead-letter']),
  connector: z.string().nullable().describe('The connector an outbound queue pushes to'),
  paused: z.boolean(),
  waiting: z.number().int(),
  active: z.number().int(),
  delayed: z.number().int(),
  failed: z.number().int(),
  completed: z.number().int().describe('Completed jobs still kept (one hour)'),
  completedPerMinute: z.number().int().describe('Jobs completed in the last 60 s'),
  failedPerMinute: z.number().int().describe('Jobs failed for good in the last 60 s'),
  oldestWaitingAgeSeconds: z.number().nullable(),
  lastCompletedAt: isoOrNull,
});

export const ConnectorBacklogSchema = z.object({
  connector: z.string(),
  inboundWaiting: z.number().int().describe('Accepted deliveries not yet processed (inbox)'),
  oldestInboundWaitingAgeSeconds: z.number().nullable(),
  outbound: QueueStatsSchema.nullable(),
});

/** What an answer built partly from Redis says when Redis did not answer in time. */
export const StalenessShape = {
  stale: z.boolean().describe('True when Redis did not answer within queues.opsTimeoutMs: the Redis-backed parts are the last good ones (or absent)'),
  staleReason: z.string().nullable().describe('Why the fresh read failed'),
  redisAsOf: isoOrNull.describe('When the Redis-backed parts were read'),
};

export const QueuesResponseSchema = z.object({ at: iso, queues: z.array(QueueStatsSchema), connectors: z.array(ConnectorBacklogSchema), ...StalenessShape });

export const HistoryPointSchema = z.object({
  at: iso,
  waiting: z.number().int(),
  active: z.number().int(),
  completed: z.number().int().describe('Completed since the previous point'),
  failed: z.number().int().describe('Failed for good since the previous point'),
  avgProcessingMs: z.number().nullable(),
  avgLatencyMs: z.number().nullable().describe('Enqueue to finish, over jobs finished since the previous point'),
  oldestWaitingAgeSeconds: z.number().nullable().describe('Age of the oldest waiting job when sampled; null when none waited'),
});
export const HistoryResponseSchema = z.object({
  intervalMs: z.number().int(),
  queues: z.array(z.object({ name: z.string(), points: z.array(HistoryPointSchema) })),
});

export const DeadLetterNoteSchema = z.object({ at: iso, by: z.string(), text: z.string() });

const DeadLetterBase = {
  id: z.number().int(),
  queue: z.string(),
  step: z.enum(STEPS),
  connectorId: z.string().nullable(),
  eventType: z.string().nullable(),
  errorClass: z.string(),
  errorCode: z.string(),
  message: z.string(),
  status: z.enum(DEAD_LETTER_STATUSES),
  orderKeys: z.array(z.string()),
  skus: z.array(z.string()),
  firstFailedAt: iso,
  createdAt: iso,
  resolvedAt: isoOrNull,
  resolvedBy: z.string().nullable(),
  replayOf: z.number().int().nullable(),
};
export const DeadLetterSummarySchema = z.object({
  ...DeadLetterBase,
  attempts: z.number().int().describe('Failed attempts recorded'),
  notes: z.number().int().describe('Notes left on it'),
});
export const DeadLetterSchema = z.object({
  ...DeadLetterBase,
  sourceKey: z.string(),
  inboxId: z.number().int().nullable(),
  error: z.record(z.string(), z.unknown()),
  attempts: z.array(z.object({ attempt: z.number().int(), at: iso, errorClass: z.string(), code: z.string(), message: z.string() })),
  payload: z.unknown().describe('The raw payload as received, or the job data of a push'),
  event: z.unknown().describe('The canonical event, when the failure came after normalization'),
  resolution: z.record(z.string(), z.unknown()).nullable(),
  notes: z.array(DeadLetterNoteSchema).describe("Operators' notes, oldest first"),
});

export const DeadLetterGroupsSchema = z.object({
  groups: z.array(
    z.object({
      errorCode: z.string(),
      connectorId: z.string().nullable(),
      step: z.enum(STEPS),
      count: z.number().int(),
      orders: z.number().int().describe('Distinct orders among them: the same order failing again counts once'),
      latestAt: iso,
      example: z.string().describe('The newest message of the group'),
    }),
  ),
});
export const DeadLetterPageSchema = z.object({
  items: z.array(DeadLetterSummarySchema),
  total: z.number().int(),
  nextBefore: z.number().int().nullable().describe('Pass as `before` for the next page'),
});

export const ReplayResultSchema = z.object({
  id: z.number().int(),
  verdict: z.enum(['requeued', 'would-apply', 'already-applied', 'would-push', 'refused', 'not-open', 'not-found']),
  message: z.string().optional(),
  plan: z.array(z.looseObject({ eventId: z.string(), status: z.string() })).optional(),
});
export const ReplayResponseSchema = z.object({ results: z.array(ReplayResultSchema) });
export const DiscardResponseSchema = z.object({ discarded: z.array(z.number().int()), refused: z.array(z.number().int()) });

export const ConnectorBudgetSchema = z.object({
  name: z.string(),
  per: z.enum(['connector', 'sku']).describe('Counted for the whole connector, or per SKU (listing)'),
  operation: z.string().describe('What spends it: push.availability, push.fulfillment, a feed type'),
  max: z.number().int(),
  windowMs: z.number().int(),
  doc: z.string().describe('The API documentation page that states the limit'),
  tracked: z.boolean().describe('Whether the hub counts it; untracked budgets are shown as declared'),
  used: z.number().int().nullable().describe('Spent in the rolling window; per SKU: by the most spent listing'),
  remaining: z.number().int().nullable(),
  sku: z.string().nullable().describe('The most spent listing of a per-SKU budget'),
  nextFreeAt: isoOrNull.describe('When the oldest counted spend leaves the window'),
});

export const ConnectorStatusSchema = z.object({
  id: z.string(),
  type: z.string(),
  category: z.string(),
  enabled: z.boolean(),
  status: z.enum(['ok', 'degraded', 'unhealthy', 'paused', 'disabled']),
  statusReason: z.string().nullable(),
  paused: z.boolean().nullable().describe('Whether its outbound queue is paused; null without one'),
  lastInboundAt: isoOrNull,
  lastPushAt: isoOrNull,
  lastSuccessAt: isoOrNull,
  windowMinutes: z.number(),
  processed: z.number().int().describe('Deliveries processed and items pushed in the window'),
  failures: z.number().int().describe('Dead letters stored in the window'),
  errorRate: z.number().nullable().describe('failures / (processed + failures); null without events'),
  openDeadLetters: z.number().int(),
  budgets: z.array(ConnectorBudgetSchema).describe('Limits its API sets per hour or day, with what is left in the rolling window'),
  heldChanges: z.number().int().describe('Availability changes waiting for budget (the latest value per SKU), sent at their slot'),
});
export const ConnectorsResponseSchema = z.object({ connectors: z.array(ConnectorStatusSchema), ...StalenessShape });

export const InventorySchema = z.object({
  sku: z.string(),
  known: z.boolean(),
  title: z.string(),
  active: z.boolean(),
  components: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
  locations: z.array(
    z.object({
      sku: z.string(),
      location: z.string(),
      onHand: z.number().int(),
      allocated: z.number().int(),
      inTransit: z.number().int(),
      quarantined: z.number().int(),
      returned: z.number().int(),
      available: z.number().int(),
    }),
  ),
  availableToSell: z.array(
    z.object({
      channel: z.string(),
      available: z.number().int(),
      reported: z
        .array(
          z.object({
            connector: z.string(),
            location: z.string(),
            figure: z.enum(['available', 'onHand']).describe('Which figure the channel gave: its `available` (below zero when oversold) or an onHand count'),
            quantity: z.number().int().describe('As reported, signed'),
            reportedAt: z.string().describe('When the channel reported it (ISO UTC)'),
          }),
        )
        .describe("The channel's last reported count of the SKU per location, beside the ledger's availableToSell"),
    }),
  ),
});

export const OrderHistoryEntrySchema = z.object({
  at: iso,
  kind: z.enum(['event', 'movement', 'dead-letter', 'hop']),
  eventId: z.string().nullable(),
  eventType: z.string().nullable(),
  connector: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  summary: z.string(),
});
export const OrderResponseSchema = z.object({
  id: z.number().int(),
  order: z.looseObject({ channel: z.string(), externalOrderId: z.string(), orderNumber: z.string(), status: z.string(), lines: z.array(z.unknown()) }),
  history: z.array(OrderHistoryEntrySchema),
  hops: z
    .array(
      z.object({
        hop: z.string().describe('placed, allocated, pushed, shipped, fulfilment, tracker, invoiced, delivered, closed, cancelled, refunded, credit-memo'),
        ref: z.string().describe("What the hop is about: a location, a shipment id, a refund id, or ''"),
        connector: z.string().nullable(),
        externalId: z.string().nullable().describe("The external system's id: 3PL order id, tracker id, invoice id"),
        detail: z.string().nullable(),
        at: z.string(),
      }),
    )
    .describe('The order-to-cash hops, oldest first'),
});

export const ReplenishmentResponseSchema = z.object({
  suggestions: z.array(
    z.object({
      id: z.number().int(),
      sku: z.string(),
      location: z.string(),
      available: z.number().int(),
      reorderPoint: z.number().int(),
      reorderQuantity: z.number().int(),
      status: z.enum(['open', 'cleared']),
      createdAt: iso,
      clearedAt: isoOrNull,
    }),
  ),
});

export const AuditPageSchema = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      at: iso,
      actor: z.string(),
      action: z.string(),
      target: z.string().nullable(),
      outcome: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
  nextBefore: z.number().int().nullable(),
});

export const AlertSchema = z.object({
  key: z.string(),
  rule: z.enum(['stuck-queue', 'dead-letter-growth', 'connector-error-rate', 'stock-accuracy', 'unmapped-items', 'stuck-order-hop']),
  subject: z.string(),
  message: z.string(),
  since: iso,
});
export const AlertsResponseSchema = z.object({
  rules: z.array(z.string()).describe('Rules configured'),
  notifying: z.boolean().describe('Whether a webhook URL is configured'),
  active: z.array(AlertSchema),
  ...StalenessShape,
});

export const ConfigResponseSchema = z.record(z.string(), z.unknown()).describe('The running configuration with every secret redacted');
export const OpenApiResponseSchema = z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) });

const ReconcileKindSchema = z.enum(['stock', 'warehouse', 'orders']);
const RunCountsSchema = z.object({
  checked: z.number().int().describe('SKUs (stock, warehouse) or orders compared'),
  compared: z.number().int().describe('Levels compared (stock, warehouse); orders for order runs'),
  drifted: z.number().int().describe('SKUs or orders with at least one difference'),
  healed: z.number().int().describe('Drift rows healed: a push requested, a count applied, an order backfilled'),
  flagged: z.number().int().describe('Drift rows left for a human'),
  unmapped: z.number().int().describe('Channel items no hub SKU maps to'),
  inFlight: z.number().int().describe('Differences explained by a push still on its way (not drift)'),
});
export const ReconcileRunSchema = z.object({
  id: z.number().int(),
  connectorId: z.string(),
  kind: ReconcileKindSchema,
  trigger: z.enum(['schedule', 'manual', 'cli']),
  status: z.enum(['running', 'completed', 'failed']),
  policy: z.record(z.string(), z.unknown()).describe('The reconcile policy the run used'),
  startedAt: iso,
  heartbeatAt: iso,
  finishedAt: isoOrNull,
  counts: RunCountsSchema,
  accuracy: z.number().nullable().describe('Share of checked SKUs or orders without difference, 0..1; null while running, failed, or when nothing was checked'),
  durationMs: z.number().nullable(),
  error: z.string().nullable(),
});
export const ReconcileRunPageSchema = z.object({
  items: z.array(ReconcileRunSchema),
  nextBefore: z.number().int().nullable().describe('Pass as `before` for the next page'),
});

export const DriftSchema = z.object({
  id: z.number().int(),
  runId: z.number().int(),
  connectorId: z.string(),
  kind: z.enum(['stock', 'warehouse']),
  sku: z.string(),
  location: z.string().describe('Hub location, or the connector’s own id when unmapped'),
  externalLocation: z.string(),
  channelValue: z.number().int().describe('What the channel says, signed: its `available` (below zero when oversold); a warehouse run: its counted onHand'),
  expected: z.number().int().describe('What the ledger says'),
  delta: z.number().int().describe('channelValue − expected'),
  firstSeen: iso.describe('When consecutive runs first found this difference'),
  action: z.enum(['healed', 'flagged', 'reported', 'awaiting_approval', 'approved', 'rejected', 'stale', 'superseded']),
  countedAt: isoOrNull,
  decidedBy: z.string().nullable(),
  decidedAt: isoOrNull,
  decisionNote: z.string().nullable(),
});
export const DriftPageSchema = z.object({
  items: z.array(DriftSchema),
  nextAfter: z.number().int().nullable().describe('Pass as `after` for the next page'),
});

export const OrderIssueSchema = z.object({
  id: z.number().int(),
  runId: z.number().int(),
  connectorId: z.string(),
  channel: z.string(),
  externalOrderId: z.string(),
  orderNumber: z.string().nullable(),
  issue: z.enum(['missing', 'outdated', 'cancelled_in_channel', 'cancelled_in_hub']),
  channelVersion: z.string().nullable(),
  hubVersion: z.string().nullable(),
  hubStatus: z.string().nullable(),
  action: z.enum(['backfilled', 'flagged', 'reported']),
  inboxId: z.number().int().nullable(),
});
export const OrderIssuesResponseSchema = z.object({ items: z.array(OrderIssueSchema) });

export const ReconcileStartSchema = z.union([
  z.object({
    connectorId: z.string(),
    kind: ReconcileKindSchema,
    dryRun: z.literal(false),
    jobId: z.string().describe('The job on hub.reconcile'),
    deduplicated: z.boolean().describe('A run of this reconciliation was already waiting or running: this start was folded into it'),
    run: ReconcileRunSchema.nullable().describe('The run in progress for this connector and kind, when one has begun'),
  }),
  z.object({
    connectorId: z.string(),
    kind: ReconcileKindSchema,
    dryRun: z.literal(true),
    counts: RunCountsSchema,
    accuracy: z.number().nullable().describe('Share of checked SKUs or orders without difference, 0..1; null when nothing was checked'),
    durationMs: z.number(),
    sample: z
      .object({
        drift: z.array(z.looseObject({ sku: z.string(), location: z.string(), channelValue: z.number(), expected: z.number(), action: z.string() })),
        orders: z.array(z.looseObject({ externalOrderId: z.string(), issue: z.string(), action: z.string() })),
      })
      .describe('The first differences found (up to 100 of each)'),
  }),
]);

export const VariancePageSchema = DriftPageSchema;

export const ReconcileConnectorsSchema = z.object({
  connectors: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      channel: z.string().nullable().describe('The hub channel it sells on, when it has one'),
      kinds: z.array(ReconcileKindSchema).describe('What POST /reconcile/connectors/{connectorId}/runs accepts for it'),
    }),
  ),
});

export const ConnectorCheckSchema = z.object({
  connectorId: z.string(),
  type: z.string(),
  ok: z.boolean(),
  message: z.string().describe('What the probe reached, or why it failed'),
});

export const SetupReportSchema = z.object({
  connectorId: z.string(),
  check: z.object({ ok: z.boolean(), message: z.string() }).nullable(),
  catalogue: z
    .object({
      deliveries: z.number().int().describe('Products read through the bulk export'),
      recorded: z.number().int().describe('New or changed since the last setup, fed through the intake'),
      unchanged: z.number().int(),
      applied: z.boolean().describe('The workers applied them all before the levels were read'),
    })
    .nullable(),
  levels: z.object({ runId: z.number().int().nullable(), checked: z.number().int(), drifted: z.number().int(), unmapped: z.number().int() }).nullable(),
  webhooks: z
    .object({
      url: z.string(),
      registrations: z.array(
        z.object({ topic: z.string(), status: z.enum(['created', 'exists', 'failed']), id: z.string().optional(), message: z.string().optional() }),
      ),
    })
    .nullable(),
  outboundPaused: z
    .boolean()
    .describe("The connector's outbound queue is paused (setup pauses it on day one, before anything was pushed): resume after reviewing the levels"),
  notes: z.array(z.string()).describe('Steps skipped and why'),
});

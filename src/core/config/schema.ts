import { z } from 'zod';
import { ChannelSchema, LocationSchema, ReplenishmentRuleSchema, SlugSchema } from '../model/index.js';
import { CONNECTOR_CATEGORIES } from '../../connectors/types.js';
import { notSecret, secret } from '../model/marks.js';
import { FlowSchema } from './flow.js';

export const RetryOverrideSchema = z.object({
  attempts: z.number().int().min(1).max(100).default(8).describe('Attempts per step before the dead-letter queue'),
  backoffMs: z.number().int().min(1).default(1000).describe('Base delay of the exponential backoff'),
  maxBackoffMs: z
    .number()
    .int()
    .min(1)
    .default(5 * 60_000)
    .describe('Cap of one backoff delay'),
});

export const RateLimitOverrideSchema = z.object({
  max: z.number().int().min(1),
  durationMs: z.number().int().min(1),
});

/** When a scheduled job runs: every N ms, or a cron pattern. */
export const ScheduleSchema = z
  .object({
    every: z.number().int().min(1000).optional().describe('Interval in milliseconds'),
    pattern: z.string().min(1).optional().describe('Cron pattern, e.g. "*/15 * * * *"'),
  })
  .refine((s) => (s.every === undefined) !== (s.pattern === undefined), { message: 'give exactly one of every or pattern', path: ['every'] });
export type Schedule = z.infer<typeof ScheduleSchema>;

/**
 * What reconciliation may do on its own for one connector instance. Absent keys take the
 * defaults: stock drift is only reported, missing or outdated orders are backfilled.
 */
export const ReconcilePolicySchema = z.strictObject({
  stock: z
    .strictObject({
      policy: z
        .enum(['heal', 'threshold', 'report'])
        .default('report')
        .describe(
          'heal: push the expected value for every drift (a warehouse: apply every variance as a cycle count); ' +
            'threshold: only when |delta| <= threshold, flag the rest (a warehouse: the rest waits for approval); report: change nothing',
        ),
      threshold: z.number().int().min(0).default(10).describe('Largest |delta| in units healed (or applied) without a human'),
    })
    .prefault({}),
  orders: z
    .strictObject({
      policy: z
        .enum(['heal', 'report'])
        .default('heal')
        .describe('heal: backfill missing and outdated orders through the normal intake; report: change nothing'),
      windowMinutes: z
        .number()
        .int()
        .min(1)
        .max(60 * 24 * 60)
        .default(24 * 60)
        .describe('How far back order reconciliation looks for changed orders'),
    })
    .prefault({}),
});
export type ReconcilePolicy = z.infer<typeof ReconcilePolicySchema>;

/** Fields every connector instance has, whatever its type. */
export const ConnectorBaseSchema = z.object({
  id: SlugSchema.describe('Instance id, the user\'s own: "shopify-eu"'),
  type: z.string().min(1).describe('Connector type from the registry'),
  category: z.enum(CONNECTOR_CATEGORIES).optional().describe("Must match the type's category when given"),
  enabled: z.boolean().default(true),
  retry: RetryOverrideSchema.prefault({}),
  rateLimit: RateLimitOverrideSchema.optional(),
  schedules: z
    .object({
      pollOrders: ScheduleSchema.optional().describe('Backfill: read orders changed since the last cursor'),
      reconcileStock: ScheduleSchema.optional().describe('Stock reconciliation: channel stock (or warehouse on-hand) against the ledger'),
      reconcileOrders: ScheduleSchema.optional().describe('Order reconciliation: channel orders changed in the window against the ERP'),
    })
    .prefault({}),
  reconcile: ReconcilePolicySchema.optional().describe('What reconciliation may fix on its own; see ReconcilePolicySchema'),
  maxEventsPerDelivery: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .describe(
      'Most canonical events one delivery may become (default 1000); a delivery beyond it is dead-lettered unapplied (one delivery is one transaction)',
    ),
});

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const AuthTokenSchema = z
  .object({
    name: z.string().min(1),
    role: RoleSchema,
    token: secret(z.string().min(16, 'must be at least 16 characters')).optional().describe('Plain token, normally a ${ENV} reference'),
    tokenHash: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" followed by 64 hex digits')
      .optional(),
  })
  .refine((t) => (t.token === undefined) !== (t.tokenHash === undefined), {
    message: 'give exactly one of token or tokenHash',
    path: ['token'],
  });

export const ServerSchema = z.object({
  host: notSecret(z.string())
    .default('127.0.0.1')
    .describe('Address to listen on. The default keeps the hub on this machine; beyond loopback the hub refuses to start with a well-known admin token'),
  port: notSecret(z.coerce.number().int().min(0).max(65535)).default(8080),
  bodyLimit: z.string().default('1mb').describe('Largest webhook body accepted'),
  trustProxy: z
    .union([z.boolean(), z.number().int().min(0), z.string().min(1)])
    .default(false)
    .describe(
      "Express 'trust proxy': set it when a TLS-terminating proxy forwards to the hub (1 = one hop, 'loopback', a subnet list), so X-Forwarded-Proto makes the session cookie Secure and X-Forwarded-For names the client",
    ),
  metricsAccess: z
    .enum(['loopback-or-token', 'loopback', 'token', 'public'])
    .default('loopback-or-token')
    .describe(
      '/metrics: loopback-or-token (default) serves loopback callers freely and asks others for an API token (any role) as "Authorization: Bearer"; loopback serves only loopback; token always asks for one; public serves everyone',
    ),
  // Slow or idle clients must not hold the process: every connection ends within these bounds.
  headersTimeoutMs: z.number().int().min(1000).default(10_000).describe('Longest a client may take to send the request headers'),
  requestTimeoutMs: z.number().int().min(1000).default(30_000).describe('Longest a client may take to send a whole request'),
  keepAliveTimeoutMs: z.number().int().min(0).default(5_000).describe('How long an idle keep-alive connection stays open'),
  maxConnections: z.number().int().min(1).default(1024).describe('Connections served at once; more are refused at accept'),
  publicUrl: z
    .url()
    .optional()
    .describe(
      'The URL channels reach this hub at (HTTPS in production); `hub connectors setup` subscribes <publicUrl>/webhooks/<connectorId>. Normally a ${ENV} reference',
    ),
});

export const StorageSchema = z.object({
  dataDir: notSecret(z.string()).default('./data').describe('Where the embedded database and Redis keep their files'),
  postgres: z
    .object({
      connectTimeoutMs: z.number().int().min(100).default(5000).describe('Longest wait for a new connection, or for a free one from the pool'),
      statementTimeoutMs: z.number().int().min(0).default(15_000).describe('The server cancels a statement running longer (0: no limit)'),
      queryTimeoutMs: z
        .number()
        .int()
        .min(100)
        .default(20_000)
        .describe('The hub gives up on a query whose answer has not arrived (a stalled server or network) and discards that connection'),
    })
    .prefault({})
    .describe('PostgreSQL (DATABASE_URL) time-outs: a stalled server fails requests quickly instead of holding them'),
});

export const QueueSettingsSchema = z.object({
  prefix: notSecret(z.string()).default('{hub}').describe('BullMQ key prefix; the braces keep every key in one Redis Cluster slot'),
  coalesceMs: z.number().int().min(0).default(1000).describe('Window in which stock pushes for one SKU become one'),
  concurrency: z.number().int().min(1).max(256).default(8).describe('Inbound jobs one worker process runs at once'),
  batchWindowMs: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(10)
    .describe(
      'Longest an acknowledged webhook waits for others to share its inbound job, applied in one transaction (0: a job per intake flush); the acknowledgement never waits for it',
    ),
  lockDurationMs: z.number().int().min(1000).default(30_000).describe('A job whose worker stops renewing its lock this long is stalled and run again'),
  stalledIntervalMs: z.number().int().min(500).default(15_000).describe('How often workers look for stalled jobs'),
  opsTimeoutMs: z
    .number()
    .int()
    .min(100)
    .default(2000)
    .describe('How long the ops API, /metrics and bull-board wait for Redis before answering with what they have (marked stale)'),
});

export { ReplenishmentRuleSchema, type ReplenishmentRule } from '../model/index.js';

/**
 * Alert rules, evaluated by the API process. Each rule is off unless present. An incident fires
 * once (a webhook POST of Slack-compatible `{ text }` JSON) and resolves when its condition clears.
 */
export const AlertsSchema = z.strictObject({
  webhookUrl: secret(z.url())
    .optional()
    .describe('Where incidents are posted as {"text": ...}; normally a ${ENV} reference. Without it alerts only show on the dashboard'),
  intervalMs: z.number().int().min(1000).default(30_000).describe('How often the rules are evaluated'),
  stuckQueue: z
    .strictObject({
      oldestWaitingMinutes: z.number().positive().optional().describe("Fire when a queue's oldest waiting job is older than this"),
      idleMinutes: z.number().positive().optional().describe('Fire when jobs wait and the queue has completed nothing for this long'),
    })
    .optional(),
  deadLetterGrowth: z
    .strictObject({
      threshold: z.number().int().min(1).describe('Fire when at least this many dead letters were stored within the window'),
      windowMinutes: z.number().positive().default(60),
    })
    .optional(),
  connectorErrorRate: z
    .strictObject({
      threshold: z.number().gt(0).max(1).describe("Fire when a connector's failure ratio over the window exceeds this (0..1)"),
      windowMinutes: z.number().positive().default(60),
      minEvents: z.number().int().min(1).default(10).describe('Ignore connectors with fewer events than this in the window'),
    })
    .optional(),
  stockAccuracy: z
    .strictObject({
      threshold: z
        .number()
        .gt(0)
        .max(1)
        .describe(
          "Fire when a channel's stock accuracy (from reconciliation) falls below this (0..1); a run that checked nothing has no accuracy and does not fire it",
        ),
    })
    .optional(),
  unmappedItems: z
    .strictObject({
      threshold: z
        .number()
        .int()
        .min(1)
        .default(1)
        .describe("Fire when a connector's last stock reconciliation left at least this many channel items unmapped to a hub SKU"),
    })
    .optional()
    .describe('Unmapped channel items are never compared, so accuracy cannot see them: this rule does'),
  orderFlow: z
    .strictObject({
      allocatedNotShippedHours: z.number().positive().default(24).describe('Fire when an order allocated this long ago has neither shipped nor been cancelled'),
      shippedNotInvoicedHours: z
        .number()
        .positive()
        .default(4)
        .describe('Fire when an order that shipped this long ago, on a channel with an accounting route (flow.accounting), has no invoice'),
    })
    .optional()
    .describe('Stuck hops of the order-to-cash flow; `orderFlow: {}` turns the rule on with the defaults'),
});
export type AlertsConfig = z.infer<typeof AlertsSchema>;

export const HubConfigBaseSchema = z.strictObject({
  server: ServerSchema.prefault({}),
  storage: StorageSchema.prefault({}),
  queues: QueueSettingsSchema.prefault({}),
  locations: z.array(z.strictObject(LocationSchema.shape)).default([]),
  channels: z.array(z.strictObject(ChannelSchema.shape)).default([]),
  replenishment: z.array(ReplenishmentRuleSchema).default([]).describe('Reorder points per SKU and location'),
  connectors: z.array(z.looseObject({})).default([]),
  auth: z.object({ tokens: z.array(AuthTokenSchema).default([]) }).prefault({}),
  alerts: AlertsSchema.optional().describe('Alert rules and where incidents are sent'),
  flow: FlowSchema.optional().describe('Which carrier and accounting connectors take the order-to-cash steps, per channel'),
});

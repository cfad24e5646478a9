import type { Redis } from 'ioredis';
import type { BudgetSpec } from '../connectors/types.js';
import { paceMs } from './budget-policy.js';

/**
 * Budget counters in Redis, shared by every hub process.
 *
 * Why Redis and not PostgreSQL: a budget is checked and spent on every push by whichever worker or
 * relay runs it, so the check-and-spend must be one atomic step across processes; a Lua script
 * does that in one round trip, and windows expire by TTL with no sweeper. The counters are as
 * durable as the outbound jobs they govern, which live in the same Redis (AOF on). Stock not yet
 * sent (held changes) is kept in PostgreSQL instead (`availability_held`), beside the outbox.
 *
 * A window is cut into {@link BUCKETS} buckets; a spend counts from its bucket until the whole window
 * has passed after that bucket's end, so the count is never below the true rolling count (a
 * spend is remembered up to one bucket too long, never too short). A rolling window also covers
 * "per calendar day" limits, whatever time zone the API counts days in.
 */
export const BUCKETS = 48;

/** What has been spent of one budget (one SKU's, or the connector's) at `now`. */
export interface BudgetUsage {
  used: number;
  remaining: number;
  /** The last spend (epoch ms), or null. */
  lastAt: number | null;
  /**
   * Pacing state (the theoretical arrival time of a cell-rate algorithm): every spend moves it one
   * pace past max(itself, now), so it runs ahead of the clock by the spends not yet "earned".
   */
  paceAt: number | null;
  /** Spends still counted, oldest first: `[expiresAt, amount]` (when each stops counting). */
  expiries: [number, number][];
}

/** The listing that spent most of a per-SKU budget. */
export interface BudgetPeak extends BudgetUsage {
  sku: string | null;
}

/** Checks and spends connector budgets; every method reads the injected clock. */
export interface BudgetStore {
  usage(connectorId: string, spec: BudgetSpec, sku?: string): Promise<BudgetUsage>;
  /**
   * Spends `amount` if the count stays at or under `limit` (default `spec.max`); atomic across
   * processes. Returns whether it was spent.
   */
  take(connectorId: string, spec: BudgetSpec, sku: string | undefined, amount: number, limit?: number): Promise<boolean>;
  /** Records a spend that already happened (a retry, calls made), whatever is left. */
  spend(connectorId: string, spec: BudgetSpec, sku: string | undefined, amount: number): Promise<void>;
  /** Per-SKU budgets: the most spent listing (the connector itself for connector-wide ones). */
  peak(connectorId: string, spec: BudgetSpec): Promise<BudgetPeak>;
  readonly now: () => number;
}

// KEYS[1] counters hash (bucket index → count, "last" → ms), KEYS[2] peak zset (sku → used).
// ARGV: now, windowMs, bucketMs, amount, limit (-1: spend whatever is left), sku ('' for none), pace ms.
const TAKE = `
local now, window, bucket = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local amount, limit, pace = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[7])
local current = math.floor(now / bucket)
local oldest = current - math.ceil(window / bucket) - 1
local used = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local f = fields[i]
  if f ~= 'last' and f ~= 'pace' then
    local idx = tonumber(f)
    if idx <= oldest then redis.call('HDEL', KEYS[1], f) else used = used + tonumber(fields[i + 1]) end
  end
end
if limit >= 0 and used + amount > limit then return {0, used} end
redis.call('HINCRBY', KEYS[1], tostring(current), amount)
local paceAt = tonumber(redis.call('HGET', KEYS[1], 'pace') or '0')
redis.call('HSET', KEYS[1], 'last', ARGV[1], 'pace', tostring(math.max(paceAt, now) + pace * amount))
redis.call('PEXPIRE', KEYS[1], window + 3 * bucket)
if ARGV[6] ~= '' then
  redis.call('ZADD', KEYS[2], used + amount, ARGV[6])
  redis.call('PEXPIRE', KEYS[2], window + 3 * bucket)
end
return {1, used + amount}
`;

export function createBudgetStore(redis: Redis, prefix: string, now: () => number = Date.now): BudgetStore {
  const bucketMs = (spec: BudgetSpec) => Math.max(1, Math.ceil(spec.windowMs / BUCKETS));
  const base = (connectorId: string, spec: BudgetSpec) => `${prefix}:budget:${connectorId}:${spec.name}`;
  const keyOf = (connectorId: string, spec: BudgetSpec, sku?: string) => `${base(connectorId, spec)}:${spec.per === 'sku' ? `sku:${sku ?? ''}` : 'all'}`;
  const peakKey = (connectorId: string, spec: BudgetSpec) => `${base(connectorId, spec)}:peak`;

  const run = async (connectorId: string, spec: BudgetSpec, sku: string | undefined, amount: number, limit: number) => {
    const [ok] = (await redis.eval(
      TAKE,
      2,
      keyOf(connectorId, spec, sku),
      peakKey(connectorId, spec),
      now(),
      spec.windowMs,
      bucketMs(spec),
      amount,
      limit,
      spec.per === 'sku' ? (sku ?? '') : '',
      paceMs(spec),
    )) as [number, number];
    return ok === 1;
  };

  async function usage(connectorId: string, spec: BudgetSpec, sku?: string): Promise<BudgetUsage> {
    const fields = await redis.hgetall(keyOf(connectorId, spec, sku));
    const b = bucketMs(spec);
    const n = Math.ceil(spec.windowMs / b);
    const oldest = Math.floor(now() / b) - n - 1;
    const expiries: [number, number][] = [];
    let used = 0;
    for (const [field, value] of Object.entries(fields)) {
      if (field === 'last' || field === 'pace') continue;
      const idx = Number(field);
      if (idx <= oldest) continue;
      used += Number(value);
      // Counted while its bucket is newer than `oldest`, which is at least a whole window after the spend.
      expiries.push([(idx + n + 1) * b, Number(value)]);
    }
    expiries.sort((a, z) => a[0] - z[0]);
    return {
      used,
      remaining: Math.max(0, spec.max - used),
      lastAt: fields['last'] ? Number(fields['last']) : null,
      paceAt: fields['pace'] ? Number(fields['pace']) : null,
      expiries,
    };
  }

  return {
    now,
    usage,
    take: (connectorId, spec, sku, amount, limit = spec.max) => run(connectorId, spec, sku, amount, Math.max(0, limit)),
    spend: async (connectorId, spec, sku, amount) => void (await run(connectorId, spec, sku, amount, -1)),
    async peak(connectorId, spec) {
      if (spec.per !== 'sku') return { sku: null, ...(await usage(connectorId, spec)) };
      // Scores are each listing's count at its last spend; counts only fall afterwards, so the
      // top entry is refreshed until the one on top is current.
      for (let i = 0; i < 50; i++) {
        const top = await redis.zrevrange(peakKey(connectorId, spec), 0, 0, 'WITHSCORES');
        if (top.length < 2) break;
        const [sku, score] = [top[0]!, Number(top[1])];
        const u = await usage(connectorId, spec, sku);
        if (u.used === score) return { sku, ...u };
        if (u.used === 0) await redis.zrem(peakKey(connectorId, spec), sku);
        else await redis.zadd(peakKey(connectorId, spec), u.used, sku);
      }
      return { sku: null, used: 0, remaining: spec.max, lastAt: null, paceAt: null, expiries: [] };
    },
  };
}

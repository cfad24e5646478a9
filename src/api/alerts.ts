import { deadLettersStoredSince } from '../queues/dead-letter-store.js';
import type { Redis } from 'ioredis';
import type { HubConfig } from '../core/config/load.js';
import type { AlertsConfig } from '../core/config/schema.js';
import type { Logger } from '../core/logger.js';
import type { Queryable } from '../core/store/index.js';
import type { BoundConnector } from '../queues/bind.js';
import type { HubQueues } from '../queues/runtime.js';
import { connectorActivity } from '../queues/activity.js';
import type { HubMetrics } from '../core/metrics.js';
import { allQueueStats } from './queue-stats.js';
import { refreshReconcileGauges } from './reconcile-metrics.js';
import { stuckOrderHops } from './order-flow-alerts.js';

export type AlertRule = 'stuck-queue' | 'dead-letter-growth' | 'connector-error-rate' | 'stock-accuracy' | 'unmapped-items' | 'stuck-order-hop';

/** An incident: a rule whose condition holds for one subject (a queue, a connector, a channel). */
export interface Alert {
  key: string;
  rule: AlertRule;
  subject: string;
  message: string;
  since: string;
}

export interface AlertDeps {
  config: HubConfig;
  db: Queryable;
  redis: Redis;
  queues: HubQueues;
  connectors: ReadonlyMap<string, BoundConnector>;
  metrics: HubMetrics;
  logger: Logger;
  /** Replaces global fetch for the webhook (tests). */
  fetch?: typeof fetch;
}

type Condition = Omit<Alert, 'since'>;
type StoredAlert = Alert & { notified: boolean };

/**
 * Evaluates the alert rules of config every `alerts.intervalMs`. Open incidents live in one Redis
 * hash: HSETNX makes an incident fire once even with several API processes or after a restart,
 * and HDEL makes it resolve once. A notification the webhook did not take is retried each round
 * until it is delivered or the incident resolves.
 */
export class AlertMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly key: string;

  constructor(private readonly deps: AlertDeps) {
    this.key = `${deps.config.queues.prefix}:hub.alerts`;
  }

  private get settings(): AlertsConfig | undefined {
    return this.deps.config.alerts;
  }

  /** Names of the rules configured. */
  rules(): AlertRule[] {
    const s = this.settings;
    if (!s) return [];
    const out: AlertRule[] = [];
    if (s.stuckQueue && (s.stuckQueue.oldestWaitingMinutes || s.stuckQueue.idleMinutes)) out.push('stuck-queue');
    if (s.deadLetterGrowth) out.push('dead-letter-growth');
    if (s.connectorErrorRate) out.push('connector-error-rate');
    if (s.stockAccuracy) out.push('stock-accuracy');
    if (s.unmappedItems) out.push('unmapped-items');
    if (s.orderFlow) out.push('stuck-order-hop');
    return out;
  }

  get notifying(): boolean {
    return Boolean(this.settings?.webhookUrl);
  }

  start(): void {
    if (this.rules().length === 0 || this.timer) return;
    this.timer = setInterval(() => void this.evaluate(), this.settings!.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Open incidents, oldest first. */
  async active(): Promise<Alert[]> {
    return (await this.stored()).map(({ notified: _notified, ...a }) => a).sort((a, b) => a.since.localeCompare(b.since));
  }

  /** One round: fire new incidents, resolve cleared ones. */
  evaluate(): Promise<void> {
    this.running ??= this.round()
      .catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'alert evaluation failed; will try again'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async round(): Promise<void> {
    const holding = new Map((await this.conditions()).map((c) => [c.key, c]));
    const open = new Map((await this.stored()).map((a) => [a.key, a]));
    for (const c of holding.values()) {
      const known = open.get(c.key);
      if (known?.notified) continue;
      if (!known) {
        const alert: StoredAlert = { ...c, since: new Date().toISOString(), notified: false };
        if ((await this.deps.redis.hsetnx(this.key, c.key, JSON.stringify(alert))) !== 1) continue;
        this.deps.logger.warn({ alert: c.key, rule: c.rule }, `alert firing: ${c.message}`);
      } else if (!(await this.claim(c.key))) continue;
      if (await this.notify(`:rotating_light: [commerce-hub] FIRING ${c.rule} ${c.subject}: ${c.message}`)) {
        const current = await this.deps.redis.hget(this.key, c.key);
        if (current) await this.deps.redis.hset(this.key, c.key, JSON.stringify({ ...(JSON.parse(current) as StoredAlert), notified: true }));
      }
    }
    for (const a of open.values()) {
      if (holding.has(a.key) || (await this.deps.redis.hdel(this.key, a.key)) !== 1) continue;
      this.deps.logger.info({ alert: a.key, rule: a.rule }, 'alert resolved');
      if (a.notified) await this.notify(`:white_check_mark: [commerce-hub] RESOLVED ${a.rule} ${a.subject} (since ${a.since}: ${a.message})`);
    }
  }

  /** A short lease so that one process retries an undelivered notification, not all of them. */
  private async claim(alertKey: string): Promise<boolean> {
    return (await this.deps.redis.set(`${this.key}:retry:${alertKey}`, '1', 'PX', this.settings!.intervalMs, 'NX')) === 'OK';
  }

  private async stored(): Promise<StoredAlert[]> {
    return Object.values(await this.deps.redis.hgetall(this.key)).map((v) => JSON.parse(v) as StoredAlert);
  }

  private async conditions(): Promise<Condition[]> {
    const s = this.settings;
    if (!s) return [];
    const out: Condition[] = [];
    const { stuckQueue, deadLetterGrowth, connectorErrorRate, stockAccuracy, unmappedItems } = s;
    if (stuckQueue && (stuckQueue.oldestWaitingMinutes || stuckQueue.idleMinutes)) {
      const now = Date.now();
      for (const q of await allQueueStats(this.deps.queues, this.deps.redis, this.deps.connectors)) {
        const age = q.oldestWaitingAgeSeconds;
        const reasons: string[] = [];
        if (stuckQueue.oldestWaitingMinutes && age !== null && age > stuckQueue.oldestWaitingMinutes * 60) {
          reasons.push(`oldest waiting job is ${minutes(age)} min old (limit ${stuckQueue.oldestWaitingMinutes})`);
        }
        if (stuckQueue.idleMinutes && q.waiting > 0 && age !== null) {
          // Idle since the later of the last completion and the arrival of the oldest waiting job.
          const idleSince = Math.max(q.lastCompletedAt ? Date.parse(q.lastCompletedAt) : 0, now - age * 1000);
          const idle = (now - idleSince) / 1000;
          if (idle > stuckQueue.idleMinutes * 60) reasons.push(`${q.waiting} job(s) waiting and nothing completed for ${minutes(idle)} min`);
        }
        if (reasons.length)
          out.push({
            key: `stuck-queue:${q.name}`,
            rule: 'stuck-queue',
            subject: q.name,
            message: reasons.join('; ') + (q.paused ? ' (queue is paused)' : ''),
          });
      }
    }
    if (deadLetterGrowth) {
      const n = await deadLettersStoredSince(this.deps.db, deadLetterGrowth.windowMinutes);
      if (n >= deadLetterGrowth.threshold) {
        out.push({
          key: 'dead-letter-growth',
          rule: 'dead-letter-growth',
          subject: 'dead letters',
          message: `${n} dead letters stored in the last ${deadLetterGrowth.windowMinutes} min (threshold ${deadLetterGrowth.threshold})`,
        });
      }
    }
    if (connectorErrorRate) {
      for (const [id, a] of await connectorActivity(this.deps.db, connectorErrorRate.windowMinutes)) {
        const total = a.inbound + a.pushed + a.failures;
        const rate = total === 0 ? 0 : a.failures / total;
        if (total >= connectorErrorRate.minEvents && rate > connectorErrorRate.threshold) {
          out.push({
            key: `connector-error-rate:${id}`,
            rule: 'connector-error-rate',
            subject: id,
            message: `${a.failures} of ${total} events failed in the last ${connectorErrorRate.windowMinutes} min (${pct(rate)}, threshold ${pct(connectorErrorRate.threshold)})`,
          });
        }
      }
    }
    // Read from the latest completed stock runs, whichever process ran them; without a run the rules have nothing to judge.
    if (stockAccuracy || unmappedItems) await refreshReconcileGauges(this.deps);
    if (stockAccuracy) {
      // A channel whose last run checked nothing has no accuracy value (not 100 %): the unmapped rule speaks for it.
      for (const v of (await this.deps.metrics.stockAccuracy.get()).values) {
        const channel = String(v.labels['channel'] ?? '');
        if (v.value < stockAccuracy.threshold) {
          out.push({
            key: `stock-accuracy:${channel}`,
            rule: 'stock-accuracy',
            subject: channel,
            message: `stock accuracy ${pct(v.value)} below ${pct(stockAccuracy.threshold)}`,
          });
        }
      }
    }
    if (unmappedItems) {
      for (const v of (await this.deps.metrics.reconcileUnmapped.get()).values) {
        const connector = String(v.labels['connector'] ?? '');
        if (v.value >= unmappedItems.threshold) {
          out.push({
            key: `unmapped-items:${connector}`,
            rule: 'unmapped-items',
            subject: connector,
            message: `${v.value} channel item(s) map to no hub SKU at the last stock reconciliation (threshold ${unmappedItems.threshold}); they are not compared, so accuracy does not see them`,
          });
        }
      }
    }
    out.push(...(await stuckOrderHops(this.deps.db, this.deps.config)));
    return out;
  }

  /** Posts Slack-compatible `{ text }`; true when delivered or when no webhook is configured. */
  private async notify(text: string): Promise<boolean> {
    const url = this.settings?.webhookUrl;
    if (!url) return true;
    try {
      const res = await (this.deps.fetch ?? fetch)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return true;
      this.deps.logger.warn({ status: res.status }, 'alert webhook refused the notification; will retry');
    } catch (err) {
      // The URL is a credential (Slack's carry a token): it is never logged.
      this.deps.logger.warn({ err: (err as Error).name }, 'alert webhook unreachable; will retry');
    }
    return false;
  }
}

const minutes = (seconds: number) => (seconds / 60).toFixed(1);
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

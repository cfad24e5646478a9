import type { Logger } from '../core/logger.js';
import type { Queryable } from '../core/store/index.js';
import type { InboundJobData } from './inbound.js';
import { INBOUND_BATCH_MAX } from './runtime.js';

/** A verified delivery waiting to be recorded. */
export interface IntakeDelivery {
  connectorId: string;
  dedupKey: string;
  topic: string;
  body: string;
  /** Sent as its own job (a notification the worker fetches entities for), not in a batch. */
  single?: boolean;
}

export type Recorded = { id: number; duplicate: boolean };

export interface GroupCommitDeps {
  db: Queryable;
  /**
   * Enqueues the new deliveries of one flush: `batch` as batch jobs, `singles` one job each.
   * A failure is covered by the inbox sweeper.
   */
  enqueue(batch: InboundJobData[], singles: InboundJobData[]): Promise<void>;
  logger: Logger;
  /** Longest the answers wait for Redis after the commit (the rows are durable already). */
  enqueueTimeoutMs?: number;
  /** Most deliveries written by one statement. */
  maxBatch?: number;
  /**
   * Longest committed deliveries wait for others to share their inbound job (0: one job per flush).
   * A job applies its deliveries in one transaction, so at low rates a short wait makes the work
   * per delivery much smaller; the answer to the sender never waits for it.
   */
  batchWindowMs?: number;
  /** A job this full is enqueued at once. */
  batchMax?: number;
}

interface Waiting {
  delivery: IntakeDelivery;
  resolve(r: Recorded): void;
  reject(err: unknown): void;
}

/**
 * Group commit for the webhook intake. Requests that arrive while a flush is in progress wait for
 * the next one, which writes them all with ONE multi-row insert (ON CONFLICT DO NOTHING RETURNING)
 * in ONE autocommit statement, so with synchronous commit every answer still means "on disk".
 * A lone request is flushed at once: with no concurrency nothing waits.
 */
export class GroupCommitter {
  private pending: Waiting[] = [];
  private flushing = false;
  /** Committed deliveries waiting (at most batchWindowMs) for their job. */
  private outgoing: InboundJobData[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Enqueues run one after another. */
  private sending: Promise<void> = Promise.resolve();
  /** Deliveries per flush, for the batch-size histogram. */
  readonly flushSizes: number[] = [];

  constructor(private readonly deps: GroupCommitDeps) {}

  record(delivery: IntakeDelivery): Promise<Recorded> {
    return new Promise<Recorded>((resolve, reject) => {
      this.pending.push({ delivery, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.deps.maxBatch ?? 500);
        await this.write(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    let recorded: Recorded[];
    try {
      recorded = await recordDeliveries(
        this.deps.db,
        batch.map((w) => w.delivery),
      );
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    if (this.flushSizes.length < 10_000) this.flushSizes.push(batch.length);
    const grouped: InboundJobData[] = [];
    const singles: InboundJobData[] = [];
    batch.forEach((w, i) => {
      if (recorded[i]!.duplicate) return;
      const { connectorId, topic, body } = w.delivery;
      (w.delivery.single ? singles : grouped).push({ inboxId: recorded[i]!.id, connectorId, topic, body });
    });
    // Answered as soon as the rows are committed: the answer promises "on disk", not "queued".
    batch.forEach((w, i) => w.resolve(recorded[i]!));
    if (singles.length > 0) void this.send([], singles);
    this.outgoing.push(...grouped);
    // A full job goes at once, and the next flush waits for it: a slow Redis slows intake instead
    // of piling up jobs in memory.
    if (this.outgoing.length >= (this.deps.batchMax ?? INBOUND_BATCH_MAX) || (this.deps.batchWindowMs ?? 0) === 0) await this.sendOutgoing();
    else this.timer ??= setTimeout(() => void this.sendOutgoing(), this.deps.batchWindowMs);
  }

  /** Enqueues every delivery still waiting for its job (also at shutdown). */
  sendOutgoing(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const grouped = this.outgoing.splice(0);
    return grouped.length > 0 ? this.send(grouped, []) : this.sending;
  }

  private send(grouped: InboundJobData[], singles: InboundJobData[]): Promise<void> {
    this.sending = this.sending.then(() =>
      within(this.deps.enqueue(grouped, singles), this.deps.enqueueTimeoutMs ?? 1000).catch((err: Error) =>
        this.deps.logger.warn({ deliveries: grouped.length + singles.length, err: err.message }, 'enqueue delayed; the inbox sweeper will enqueue them'),
      ),
    );
    return this.sending;
  }
}

/**
 * Records deliveries durably in one statement; each answer says whether (connector, dedupKey) was
 * new. Duplicates (earlier, or twice within this batch) answer with the id of the recorded row.
 */
export async function recordDeliveries(db: Queryable, deliveries: readonly IntakeDelivery[]): Promise<Recorded[]> {
  const { rows } = await db.query<{ id: number; connector_id: string; dedup_key: string }>(
    `INSERT INTO inbox (connector_id, dedup_key, topic, body)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (connector_id, dedup_key) DO NOTHING RETURNING id, connector_id, dedup_key`,
    [deliveries.map((d) => d.connectorId), deliveries.map((d) => d.dedupKey), deliveries.map((d) => d.topic), deliveries.map((d) => d.body)],
  );
  const key = (c: string, k: string) => `${c}\u0000${k}`;
  const inserted = new Map(rows.map((r) => [key(r.connector_id, r.dedup_key), r.id]));
  const missing = deliveries.filter((d) => !inserted.has(key(d.connectorId, d.dedupKey)));
  const existing = new Map<string, number>();
  if (missing.length > 0) {
    const found = await db.query<{ id: number; connector_id: string; dedup_key: string }>(
      `SELECT i.id, i.connector_id, i.dedup_key FROM inbox i
       JOIN unnest($1::text[], $2::text[]) AS d(connector_id, dedup_key) USING (connector_id, dedup_key)`,
      [missing.map((d) => d.connectorId), missing.map((d) => d.dedupKey)],
    );
    for (const r of found.rows) existing.set(key(r.connector_id, r.dedup_key), r.id);
  }
  const answered = new Set<string>();
  return deliveries.map((d) => {
    const k = key(d.connectorId, d.dedupKey);
    const id = inserted.get(k);
    // The first of two equal keys in one batch is the new one; the second is its duplicate.
    if (id !== undefined && !answered.has(k)) {
      answered.add(k);
      return { id, duplicate: false };
    }
    return { id: id ?? existing.get(k) ?? 0, duplicate: true };
  });
}

function within(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not enqueued within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

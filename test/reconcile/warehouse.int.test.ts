import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorRegistry } from '../../src/connectors/registry.js';
import type { HubConfig } from '../../src/core/config/load.js';
import { applyEvent, createErpContext, type ErpContext } from '../../src/core/erp/index.js';
import { CanonicalEventSchema } from '../../src/core/model/index.js';
import type { Db } from '../../src/core/store/index.js';
import {
  approveVariance,
  reconcileTarget,
  listDrift,
  listVariances,
  ReconcileRequestError,
  rejectVariance,
  runReconciliation,
  type ApprovalDeps,
  type ReconcileTarget,
} from '../../src/reconcile/index.js';
import { bindConnectors } from '../../src/queues/bind.js';
import { openTestDb } from '../helpers/db.js';
import { BASE_CONFIG, event, parseTestConfig } from '../helpers/hub.js';
import { FakeWarehouse, fakeWarehouseConnector, fakeWarehouseInstance } from './fake-warehouse.js';
import { logger } from './helpers.js';

/** Warehouse reconciliation: a 3PL's on-hand against the ledger, small variances counted, large ones approved. */
describe('warehouse reconciliation', () => {
  let db: Db;
  let config: HubConfig;
  let erp: ErpContext;
  let target: ReconcileTarget;
  let approvals: ApprovalDeps;
  const warehouse = new FakeWarehouse();
  let n = 0;

  beforeAll(async () => {
    db = await openTestDb('postgres');
    config = parseTestConfig(BASE_CONFIG);
    config.connectors.push(fakeWarehouseInstance({ stock: { policy: 'threshold', threshold: 5 }, orders: { policy: 'report', windowMinutes: 60 } }));
    erp = createErpContext(config);
    const connectors = bindConnectors(config, [...connectorRegistry, fakeWarehouseConnector(warehouse)], { logger });
    target = reconcileTarget(connectors, 'tpl-main')!;
    approvals = { db, erp, connectors };
  });
  afterAll(async () => {
    await db?.close();
  });

  /** Fresh SKUs per test: `<name>` → `T<n>-<name>`. */
  let sku: (name: string) => string;
  beforeEach(() => {
    n += 1;
    sku = (name) => `T${n}-${name}`;
  });

  const apply = (type: string, data: Record<string, unknown>) => applyEvent(db, CanonicalEventSchema.parse(event(type, data)), erp);
  const stock = async (ledger: Record<string, number>) => {
    for (const [name, quantity] of Object.entries(ledger))
      await apply('inventory.level.reported', { sku: sku(name), location: 'wh-east', quantity, reporter: 'warehouse' });
  };
  const counted = (counts: Record<string, number>) => {
    warehouse.counts = Object.entries(counts).map(([name, onHand]) => ({ sku: sku(name), location: name === 'LOST' ? 'NOWHERE' : 'EAST-1', onHand }));
  };
  const onHand = async (name: string) =>
    (await db.query<{ quantity: number }>(`SELECT quantity FROM inventory_balance WHERE sku = $1 AND location = 'wh-east' AND state = 'onHand'`, [sku(name)]))
      .rows[0]?.quantity ?? 0;
  const reconcile = () => runReconciliation({ db, config, erp, logger }, target, 'warehouse', { trigger: 'manual' });
  const variance = async (name: string) => (await listVariances(db, { connectorId: 'tpl-main' })).find((v) => v.sku === sku(name))!;

  it('applies small variances as cycle counts and keeps large ones waiting for approval', async () => {
    await stock({ A: 10, B: 10, C: 10, D: 10, E: 50 });
    counted({ A: 10, B: 12, C: 7, D: 50, E: 20, LOST: 4 });
    const result = await reconcile();
    expect(result.counts).toMatchObject({ checked: 5, drifted: 4, healed: 2, flagged: 2, unmapped: 1 });
    expect(result.accuracy).toBeCloseTo(1 / 5, 10);
    expect([await onHand('A'), await onHand('B'), await onHand('C'), await onHand('D'), await onHand('E')]).toEqual([10, 12, 7, 10, 50]);
    const { rows } = await db.query<{ sku: string; delta: number }>(
      `SELECT sku, delta FROM inventory_movement WHERE reason = 'cycle_count' AND sku = ANY($1) AND delta <> 10 AND delta <> 50 ORDER BY sku`,
      [[sku('B'), sku('C')]],
    );
    expect(rows).toEqual([
      { sku: sku('B'), delta: 2 },
      { sku: sku('C'), delta: -3 },
    ]);
    const drift = await listDrift(db, { runId: result.run!.id });
    expect(Object.fromEntries(drift.map((d) => [d.sku, [d.expected, d.channelValue, d.action]]))).toEqual({
      [sku('B')]: [10, 12, 'healed'],
      [sku('C')]: [10, 7, 'healed'],
      [sku('D')]: [10, 50, 'awaiting_approval'],
      [sku('E')]: [50, 20, 'awaiting_approval'],
    });
  });

  it('approving applies the count and is audited; rejecting keeps the ledger; a decided variance cannot be decided again', async () => {
    await stock({ D: 10, E: 50 });
    counted({ D: 50, E: 20 });
    await reconcile();
    const approved = await approveVariance(approvals, (await variance('D')).id, 'test:alice', 'recounted twice');
    expect(approved).toMatchObject({ action: 'approved', decidedBy: 'test:alice', decisionNote: 'recounted twice' });
    expect(await onHand('D')).toBe(50);
    const rejected = await rejectVariance(db, (await variance('E')).id, 'test:bob', 'the 3PL miscounted');
    expect(rejected).toMatchObject({ action: 'rejected', decidedBy: 'test:bob' });
    expect(await onHand('E')).toBe(50);
    await expect(approveVariance(approvals, approved.id, 'test:carol')).rejects.toThrow(ReconcileRequestError);
    await expect(approveVariance(approvals, 999_999_999, 'test:carol')).rejects.toMatchObject({ reason: 'not_found' });
    const audit = await db.query<{ actor: string; action: string; outcome: string }>(
      `SELECT actor, action, outcome FROM audit_log WHERE target = ANY($1) ORDER BY id`,
      [[`variance:${approved.id}`, `variance:${rejected.id}`]],
    );
    expect(audit.rows).toEqual([
      { actor: 'test:alice', action: 'reconcile.variance.approve', outcome: 'ok' },
      { actor: 'test:bob', action: 'reconcile.variance.reject', outcome: 'ok' },
    ]);
  });

  it('an approval after the ledger moved applies nothing and marks the variance stale', async () => {
    await stock({ F: 10 });
    counted({ F: 60 });
    await reconcile();
    const waiting = await variance('F');
    await apply('inventory.adjusted', { sku: sku('F'), location: 'wh-east', delta: 1, reason: 'found one' });
    const result = await approveVariance(approvals, waiting.id, 'test:alice');
    expect(result.action).toBe('stale');
    expect(await onHand('F')).toBe(11);
  });

  it('a newer count supersedes the variances still waiting from an older run', async () => {
    await stock({ G: 10 });
    counted({ G: 100 });
    await reconcile();
    const older = await variance('G');
    await reconcile();
    const newer = await variance('G');
    expect(newer.id).not.toBe(older.id);
    expect(newer.firstSeen).toBe(older.firstSeen);
    expect((await listDrift(db, { runId: older.runId })).find((d) => d.sku === sku('G'))?.action).toBe('superseded');
    expect((await listVariances(db, { connectorId: 'tpl-main' })).filter((v) => v.sku === sku('G'))).toHaveLength(1);
  });

  it('two concurrent starts give one run', async () => {
    counted({});
    let release!: () => void;
    warehouse.gate = new Promise((r) => (release = r));
    const runs = [reconcile(), reconcile()] as const;
    // The second start finds the first one holding the lock while it still reads.
    const early = await Promise.race(runs);
    release();
    warehouse.gate = null;
    const [a, b] = await Promise.all(runs);
    expect(early.status).toBe('already_running');
    expect([a.status, b.status].sort()).toEqual(['already_running', 'completed']);
    expect(a.run?.id).toBe(b.run?.id);
  });

  it('a run whose process died (no heartbeat) no longer holds the lock', async () => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO reconcile_run (connector_id, kind, trigger, heartbeat_at) VALUES ('tpl-main', 'warehouse', 'schedule', now() - interval '1 hour') RETURNING id`,
    );
    counted({});
    const result = await reconcile();
    expect(result.status).toBe('completed');
    const dead = await db.query<{ status: string; error: string }>('SELECT status, error FROM reconcile_run WHERE id = $1', [rows[0]!.id]);
    expect(dead.rows[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/^abandoned/) });
  });
});

import { z } from 'zod';
import { defineConnector, type ConnectorDefinition, type WarehouseStockLevel } from '../../src/connectors/types.js';
import type { ConnectorInstance } from '../../src/core/config/load.js';

/**
 * A warehouse (3PL/WMS) reader for tests: it reports the on-hand counts in `counts`, two per page,
 * with the warehouse's own location ids.
 */
export class FakeWarehouse {
  counts: WarehouseStockLevel[] = [];
  reads = 0;
  /** When set, a read waits for it before the first page (a slow export). */
  gate: Promise<void> | null = null;
}

export function fakeWarehouseConnector(warehouse: FakeWarehouse): ConnectorDefinition {
  return defineConnector({
    type: 'fake-warehouse',
    category: '3pl',
    displayName: 'Fake warehouse',
    version: '0',
    configSchema: z.object({ settings: z.object({ locations: z.record(z.string(), z.string()).default({}) }), credentials: z.object({}).prefault({}) }),
    capabilities: ['reconcile.warehouse'],
    rateLimit: { max: 10, durationMs: 1000 },
    createClient: () => ({
      async *readWarehouseStock() {
        warehouse.reads += 1;
        await warehouse.gate;
        for (let i = 0; i < warehouse.counts.length; i += 2) yield warehouse.counts.slice(i, i + 2);
      },
    }),
  });
}

/** The instance as config would give it: warehouse location `EAST-1` is the hub's wh-east. */
export function fakeWarehouseInstance(reconcile: ConnectorInstance['reconcile']): ConnectorInstance {
  return {
    id: 'tpl-main',
    type: 'fake-warehouse',
    category: '3pl',
    enabled: true,
    retry: { attempts: 2, backoffMs: 50, maxBackoffMs: 100 },
    settings: { locations: { 'EAST-1': 'wh-east' } },
    credentials: {},
    schedules: {},
    reconcile,
  };
}

import Table from 'cli-table3';
import type { Command } from 'commander';
import { findOrders, orderHistory } from '../api/order-history.js';
import { loadConfig } from '../core/config/load.js';
import { ConfigError } from '../core/errors.js';
import { getOrder, listOrderHops } from '../core/erp/index.js';
import { openDb } from '../core/store/index.js';

interface OrderOptions {
  config?: string;
  channel?: string;
  by: 'external' | 'id';
  json?: boolean;
}

/**
 * `hub order <ref>`: one order with its lines and its order-to-cash hops (time, connector,
 * external id). Exits 1 when no order or several match (give --channel).
 */
export function registerOrderCommand(program: Command): void {
  program
    .command('order <ref>')
    .description(
      'an order (external order id, order number, or --by id) with its lines and order-to-cash hops: when, through which connector, under which external id',
    )
    .option('-c, --config <file>', 'config file (default $HUB_CONFIG or config/hub.yaml)')
    .option('--channel <channel>', 'the channel, when the reference names orders on several')
    .option('--by <kind>', 'external (external order id or order number) or id (internal id)', 'external')
    .option('--json', 'print JSON: { id, order, hops, history }')
    .action(async (ref: string, opts: OrderOptions) => {
      let config;
      try {
        config = loadConfig(opts.config);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        console.error(err.message);
        process.exitCode = 1;
        return;
      }
      const db = await openDb({ databaseUrl: process.env['DATABASE_URL'], schema: process.env['HUB_DB_SCHEMA'], dataDir: config.storage.dataDir });
      try {
        const found = await findOrders(db, ref, opts.by === 'id' ? 'id' : 'external', opts.channel);
        if (found.length !== 1) {
          console.error(
            found.length === 0
              ? `no order "${ref}"`
              : `"${ref}" names ${found.length} orders (${found.map((o) => `${o.channel}/${o.externalOrderId}`).join(', ')}); give --channel`,
          );
          process.exitCode = 1;
          return;
        }
        const hit = found[0]!;
        const order = await getOrder(db, hit.channel, hit.externalOrderId);
        const hops = await listOrderHops(db, hit.id);
        if (opts.json) {
          console.log(JSON.stringify({ id: hit.id, order, hops, history: await orderHistory(db, hit) }, null, 2));
          return;
        }
        console.log(
          `${hit.channel}/${hit.externalOrderId} (${hit.orderNumber}): ${order?.status ?? 'unknown'}, placed ${order?.placedAt ?? '?'}${order?.invoiced ? ', invoiced' : ''}`,
        );
        const lines = new Table({ head: ['line', 'sku', 'quantity', 'shipped', 'allocated at'] });
        for (const l of order?.lines ?? []) {
          lines.push([
            l.externalLineId,
            l.sku ?? `(unmapped: ${l.unmappedReason})`,
            l.quantity,
            l.items.map((i) => i.shipped).join('+') || '0',
            l.items.flatMap((i) => i.allocations.map((a) => `${a.quantity}@${a.location}`)).join(', '),
          ]);
        }
        console.log(lines.toString());
        const table = new Table({ head: ['at', 'hop', 'ref', 'connector', 'external id', 'detail'] });
        for (const h of hops) table.push([h.at, h.hop, h.ref, h.connector ?? '', h.externalId ?? '', h.detail ?? '']);
        console.log(hops.length > 0 ? table.toString() : 'no order-to-cash hops recorded');
      } finally {
        await db.close();
      }
    });
}

import type { MappingIssue } from '../../../core/errors.js';
import type { CanonicalEventInput } from '../../../core/model/index.js';
import type { Normalizer } from '../../types.js';
import type { ShopifyConfig } from '../config.js';
import { ShopifyInventoryLevelWebhookSchema } from '../shapes.js';
import { assertMapped, envelope, finalize, parseShape, toUtc } from '../../http/normalize.js';
import { lookupLocation } from './common.js';

const TOPIC = 'inventory_levels/update';

/**
 * inventory_levels/update → `inventory.level.reported` with `reporter: 'channel'`: what Shopify
 * says is available at one of its locations (an admin edit, or the echo of a push). It is recorded
 * for reconciliation against the pushed availableToSell, never applied as warehouse stock.
 * - An untracked item (`available: null`) reports nothing.
 * - The figure is Shopify's `available` (what the storefront will sell), not on hand, and is kept
 *   as reported: below zero when the shop oversold (a sale with "continue selling when out of
 *   stock", or a sale between two pushes), so drift and views show the oversold units.
 * https://shopify.dev/docs/api/admin-rest/latest/resources/inventorylevel
 * https://shopify.dev/docs/api/admin-graphql/latest/enums/ProductVariantInventoryPolicy (CONTINUE sells past zero)
 */
export const normalizeInventoryLevelUpdate: Normalizer<ShopifyConfig> = (body, ctx) => {
  const level = parseShape(ShopifyInventoryLevelWebhookSchema, body, ctx, TOPIC);
  if (level.available === null) return [];
  const issues: MappingIssue[] = [];
  const where = `${TOPIC} (inventory item ${level.inventory_item_id}, location ${level.location_id})`;
  const sku = ctx.lookup.sku({ externalIds: { inventoryItemId: level.inventory_item_id } });
  if (sku === null) {
    issues.push({
      code: 'unknown_sku',
      field: 'inventory_item_id',
      value: level.inventory_item_id,
      message: `${where}: no SKU is known for inventory item ${level.inventory_item_id}`,
    });
  }
  const location = lookupLocation(ctx, level.location_id);
  if (location === null) {
    issues.push({
      code: 'unmapped_location',
      field: 'location_id',
      value: level.location_id,
      message: `${where}: Shopify location ${level.location_id} is not mapped to a hub location`,
    });
  }
  assertMapped(issues, ctx);

  const version = toUtc(level.updated_at);
  const externalId = `${level.inventory_item_id}@${level.location_id}`;
  const event: CanonicalEventInput = {
    ...envelope(ctx, TOPIC, 'inventory.level.reported', externalId, version, `level:${externalId}:${version}`),
    type: 'inventory.level.reported',
    occurredAt: version,
    data: {
      sku: sku as string,
      location: location as string,
      quantity: level.available,
      reporter: 'channel',
      figure: 'available',
      channel: ctx.config.settings.channel,
    },
  };
  return finalize([event], ctx, TOPIC);
};

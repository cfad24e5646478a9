import { z } from 'zod';
import { QuantitySchema, SkuSchema, SlugSchema } from './primitives.js';

/** A buffer held back from a channel: a number of units, or a percentage of available. */
export const BufferSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('absolute'), value: QuantitySchema }),
  z.object({ type: z.literal('percent'), value: z.number().min(0).max(100) }),
]);
export type Buffer = z.infer<typeof BufferSchema>;

/** A sales channel and the stock that feeds it. */
export const ChannelSchema = z.object({
  id: SlugSchema.describe('Channel id; orders carry it in `channel`'),
  name: z.string().optional(),
  connector: SlugSchema.optional().describe('Connector instance that receives availability pushes'),
  locations: z.array(SlugSchema).min(1, 'a channel needs at least one location').describe('Locations that feed the channel, in routing priority order'),
  safetyStock: QuantitySchema.default(0).describe('Units held back per SKU'),
  skuSafetyStock: z.record(SkuSchema, QuantitySchema).default({}).describe('Per-SKU overrides of safetyStock'),
  buffers: z.array(BufferSchema).default([]).describe('Further reductions, applied after safety stock'),
  cap: QuantitySchema.optional().describe('Never advertise more than this many units'),
  lowStockThreshold: QuantitySchema.optional().describe(
    "A drop of availableToSell to this many units or fewer is pushed at once, even when the connector's budget (revisions per day, feeds per hour) would have it wait; default 0 (a drop to zero)",
  ),
});
export type Channel = z.infer<typeof ChannelSchema>;
export type ChannelInput = z.input<typeof ChannelSchema>;

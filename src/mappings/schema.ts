import { z } from 'zod';
import { EVENT_TYPES } from '../core/model/index.js';
import { expressionError } from './expressions.js';

/** A JSONata expression, checked (and compiled, once) when the config loads. */
export const ExpressionSchema = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    const error = expressionError(source);
    if (error) ctx.addIssue({ code: 'custom', message: error });
  })
  .describe('JSONata expression over the raw payload (https://docs.jsonata.org); $root is the whole body');

const SkuMapEntrySchema = z.union([
  z.string().min(1),
  z.strictObject({
    sku: z.string().min(1).describe('ERP SKU'),
    packSize: z.number().int().min(1).default(1).describe('Ledger units in one unit of the external SKU: a case of 12 is 12'),
  }),
]);

/** External SKU → ERP SKU (and pack size), inline and/or from a CSV file. */
export const SkuMapSchema = z.strictObject({
  entries: z.record(z.string(), SkuMapEntrySchema).default({}).describe('Inline rows: "EXT-1": "SKU-1" or "CASE-12": { sku: SKU-1, packSize: 12 }'),
  csv: z.string().min(1).optional().describe('CSV file with a header row, relative to the config file; inline entries win over its rows'),
  columns: z
    .strictObject({
      external: z.string().default('external_sku').describe('Column of the external SKU'),
      sku: z.string().default('sku').describe('Column of the ERP SKU'),
      packSize: z.string().default('pack_size').describe('Optional column of the pack size (empty = 1)'),
    })
    .prefault({}),
});
export type SkuMapConfig = z.infer<typeof SkuMapSchema>;

/** A value map with an optional default for values it does not list. */
export const ValueMapSchema = z.strictObject({
  values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('External value → hub value'),
  default: z.union([z.string(), z.number(), z.boolean()]).optional().describe('Used for unlisted values; without it an unlisted value is a mapping error'),
});
export type ValueMapConfig = z.infer<typeof ValueMapSchema>;

/** A leaf: an expression (or constant) with optional mapping, conversion and requirement. */
export interface LeafRule {
  expr?: string;
  value?: unknown;
  map?: string;
  default?: unknown;
  optional?: boolean;
  factor?: number;
  packSizeOf?: string;
}
/** An array built from the items an expression yields, one element per item. */
export interface EachRule {
  each: string;
  fields: Record<string, FieldRule>;
}
/** A nested object. */
export interface ObjectRule {
  fields: Record<string, FieldRule>;
}
export type FieldRule = string | LeafRule | EachRule | ObjectRule;

const LeafRuleSchema = z.strictObject({
  expr: ExpressionSchema.optional(),
  value: z.unknown().optional().describe('A constant instead of an expression'),
  map: z.string().min(1).optional().describe('"sku", "location", "status" or the name of a value map in settings.valueMaps'),
  default: z.unknown().optional().describe('Used when the expression yields nothing'),
  optional: z.boolean().optional().describe('Nothing is fine: the field is left out (otherwise: missing_field)'),
  factor: z.number().positive().optional().describe('Multiply the number by this (unit conversion)'),
  packSizeOf: z.string().min(1).optional().describe('Multiply by the pack size of the SKU mapped in this sibling field'),
});

export const FieldRuleSchema: z.ZodType<FieldRule> = z.lazy(() =>
  z.union([
    ExpressionSchema,
    z.strictObject({ each: ExpressionSchema, fields: z.record(z.string(), FieldRuleSchema) }),
    z.strictObject({ fields: z.record(z.string(), FieldRuleSchema) }),
    LeafRuleSchema.refine((r) => (r.expr === undefined) !== (r.value === undefined), { message: 'give exactly one of expr or value' }),
  ]),
);

/** How the payload of one webhook topic becomes canonical events. */
export const EventMappingSchema = z.strictObject({
  type: z.enum(EVENT_TYPES).describe('Canonical event type produced'),
  each: ExpressionSchema.optional().describe('One event per item this yields (e.g. "lines"); otherwise one event for the body'),
  externalId: ExpressionSchema.describe('Id of the entity in the source: source.externalId and the idempotency key'),
  version: ExpressionSchema.optional().describe('Source version (an ISO instant or counter); older never overwrites newer'),
  occurredAt: ExpressionSchema.optional().describe('When it happened; default: when the hub received it'),
  data: z.record(z.string(), FieldRuleSchema).describe('Canonical `data` fields, each a rule'),
});
export type EventMapping = z.infer<typeof EventMappingSchema>;

/** Mapping tables and event mappings, as they sit in a connector's `settings`. */
export const MappingSettingsSchema = z.object({
  channel: z.string().optional().describe('Channel of the events (available to expressions as $channel)'),
  locations: z.record(z.string(), z.string()).default({}).describe('External location id → hub location id (map: location)'),
  skuMap: SkuMapSchema.optional().describe('External SKU → ERP SKU (map: sku); without it SKUs must be ERP SKUs'),
  statusMap: z.record(z.string(), z.string()).optional().describe('External status → hub status (map: status)'),
  valueMaps: z.record(z.string(), ValueMapSchema).default({}).describe('Named value maps (map: <name>)'),
  events: z.record(z.string(), EventMappingSchema).default({}).describe('Per webhook topic: how its payload becomes canonical events'),
});
export type MappingSettings = z.infer<typeof MappingSettingsSchema>;

import { z } from 'zod';

/** Ids are numbers in ShipStation's JSON; the hub keeps them as the strings they were written as. */
const Id = z.union([z.string().min(1), z.number().int()]).transform(String);
const opt = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/**
 * A webhook delivery: only where to fetch the resource.
 * https://docs.shipstation.com/apis/shipstation-v1/docs/models/webhook
 */
export const ShipStationWebhookSchema = z.object({
  resource_url: z.string().min(1).max(2000),
  resource_type: z.string().min(1),
});
export type ShipStationWebhook = z.infer<typeof ShipStationWebhookSchema>;

/** https://docs.shipstation.com/apis/shipstation-v1/docs/models/shipment-item */
export const ShipStationShipmentItemSchema = z.object({
  orderItemId: opt(Id),
  lineItemKey: opt(z.string()),
  sku: opt(z.string()),
  name: opt(z.string()),
  quantity: z.number().int(),
});

/**
 * One shipment (a label) as List Shipments returns it; `shipmentItems` is null unless asked for
 * with includeShipmentItems=true. Timestamps carry no offset (see `settings.sourceTimeZone`).
 * https://www.shipstation.com/docs/api/shipments/list/
 */
export const ShipStationShipmentSchema = z.object({
  shipmentId: Id,
  orderId: opt(Id),
  orderKey: opt(z.string()),
  orderNumber: opt(z.string()),
  createDate: z.string().min(1),
  shipDate: opt(z.string()),
  trackingNumber: opt(z.string()),
  isReturnLabel: opt(z.boolean()),
  carrierCode: opt(z.string()),
  serviceCode: opt(z.string()),
  warehouseId: opt(Id),
  voided: opt(z.boolean()),
  voidDate: opt(z.string()),
  advancedOptions: opt(z.object({ warehouseId: opt(Id) }).loose()),
  shipmentItems: opt(z.array(ShipStationShipmentItemSchema)),
});
export type ShipStationShipment = z.infer<typeof ShipStationShipmentSchema>;

/** One page of GET /shipments. https://www.shipstation.com/docs/api/shipments/list/ */
export const ShipStationShipmentsPageSchema = z.object({
  shipments: z.array(ShipStationShipmentSchema),
  total: z.number().int().nonnegative().optional(),
  page: z.number().int().optional(),
  pages: z.number().int().optional(),
});
export type ShipStationShipmentsPage = z.infer<typeof ShipStationShipmentsPageSchema>;

/** The order createorder answers with (the fields the hub reads). https://docs.shipstation.com/apis/shipstation-v1/docs/models/order */
export const ShipStationOrderSchema = z.object({
  orderId: Id,
  orderNumber: z.string(),
  orderKey: opt(z.string()),
  orderStatus: z.string(),
});
export type ShipStationOrder = z.infer<typeof ShipStationOrderSchema>;

/** GET /orders. https://docs.shipstation.com/apis/shipstation-v1/docs/orders/list-orders */
export const ShipStationOrdersPageSchema = z.object({ orders: z.array(ShipStationOrderSchema) });

/** An error body: ShipStation answers `{ "Message": ... }` or `{ "message": ... }`. */
export const ShipStationErrorSchema = z
  .object({ Message: z.string().optional(), message: z.string().optional(), ExceptionMessage: z.string().optional() })
  .loose();

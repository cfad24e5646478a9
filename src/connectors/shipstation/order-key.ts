/**
 * The hub's reference of an order, used as ShipStation's `orderKey`: `<channel>/<externalOrderId>`.
 * createorder with a known orderKey updates that order instead of creating a second one, and a
 * shipment carries the orderKey back, naming the hub order it ships. Channel ids are slugs (no
 * "/"), so the first "/" splits the two unambiguously.
 * https://docs.shipstation.com/apis/shipstation-v1/docs/orders/create-update-order
 */
export function orderKeyOf(channel: string, externalOrderId: string): string {
  return `${channel}/${externalOrderId}`;
}

const KEY = /^([a-z0-9][a-z0-9._-]*)\/(.+)$/;

/** The hub order an orderKey names, or null for an order the hub did not push (ShipStation's own keys). */
export function parseOrderKey(orderKey: string | null | undefined): { channel: string; externalOrderId: string } | null {
  const m = KEY.exec(orderKey ?? '');
  return m ? { channel: m[1]!, externalOrderId: m[2]! } : null;
}

import { ownValue } from '../../mappings/own.js';

/**
 * ShipStation carrier codes to the carrier names the hub records on a shipment (`tracking.company`),
 * the names storefronts show (Shopify's tracking companies) and carriers are compared by.
 * Codes: https://docs.shipstation.com/apis/shipstation-v1/docs/carriers/list-carriers
 */
const CARRIER_NAMES: Record<string, string> = {
  stamps_com: 'USPS',
  usps: 'USPS',
  endicia: 'USPS',
  express_1: 'USPS',
  ups: 'UPS',
  ups_walleted: 'UPS',
  fedex: 'FedEx',
  fedex_walleted: 'FedEx',
  dhl_express: 'DHL Express',
  dhl_express_worldwide: 'DHL Express',
  dhl_ecommerce: 'DHL eCommerce',
  dhl_global_mail: 'DHL eCommerce',
  canada_post: 'Canada Post',
  royal_mail: 'Royal Mail',
  australia_post: 'Australia Post',
  ontrac: 'OnTrac',
  lasership: 'LaserShip',
  amazon_shipping_us: 'Amazon Shipping',
};

/** The carrier's name for a ShipStation carrier code; an unknown code is kept as written. */
export function carrierName(carrierCode: string): string {
  return ownValue(CARRIER_NAMES, carrierCode.toLowerCase()) ?? carrierCode;
}

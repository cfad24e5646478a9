import { ownValue } from '../../mappings/own.js';

/**
 * Carrier names between EasyPost (`USPS`, `FedEx`, `DHLExpress`) and the hub's `tracking.company`
 * (the storefront names the 3PL connector records: `USPS`, `FedEx`, `DHL Express`).
 * https://docs.easypost.com/docs/carriers
 */
const FROM_EASYPOST: Record<string, string> = {
  USPS: 'USPS',
  UPS: 'UPS',
  FedEx: 'FedEx',
  DHLExpress: 'DHL Express',
  DHLEcommerceSolutions: 'DHL eCommerce',
  CanadaPost: 'Canada Post',
  RoyalMail: 'Royal Mail',
  AustraliaPost: 'Australia Post',
  OnTrac: 'OnTrac',
  LaserShipV2: 'LaserShip',
  AmazonShipping: 'Amazon Shipping',
};

const TO_EASYPOST = new Map(Object.entries(FROM_EASYPOST).map(([ep, hub]) => [key(hub), ep]));

function key(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The hub's name of an EasyPost carrier; an unknown one is kept as written. */
export function hubCarrier(easypostCarrier: string): string {
  return ownValue(FROM_EASYPOST, easypostCarrier) ?? easypostCarrier;
}

/** EasyPost's name of a hub carrier (`tracking.company`); an unknown one is passed as written. */
export function easypostCarrier(company: string): string {
  return TO_EASYPOST.get(key(company)) ?? company;
}

/**
 * Admin API versions. Shopify releases a stable version each quarter (January, April, July,
 * October), named `YYYY-MM` after its release month, and supports each for at least 12 months;
 * a call to a version out of support is served by the oldest supported one, whose shapes may differ.
 * https://shopify.dev/docs/api/usage/versioning
 */

/** Months a stable version stays supported after its release. */
export const SUPPORT_MONTHS = 12;
const RELEASE_MONTHS = new Set([1, 4, 7, 10]);

/** First version whose `inventorySetQuantities` takes `changeFromQuantity` per quantity and requires `@idempotent(key:)`. */
export const PER_QUANTITY_COMPARE_FROM = '2026-04';

/** `2026-04` → months since year 0; null for `unstable` or a malformed name. */
function monthIndex(version: string): number | null {
  const match = /^(\d{4})-(\d{2})$/.exec(version);
  if (!match) return null;
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

/** True for a version at or after `other` (`unstable` is newer than every stable version). */
export function isAtLeast(version: string, other: string): boolean {
  if (version === 'unstable') return true;
  const a = monthIndex(version);
  const b = monthIndex(other);
  return a !== null && b !== null && a >= b;
}

/** The `inventorySetQuantities` input shape a version takes. */
export function usesChangeFromQuantity(version: string): boolean {
  return isAtLeast(version, PER_QUANTITY_COMPARE_FROM);
}

/** The newest stable version released on or before `now`. */
export function newestStableVersion(now: Date): string {
  let year = now.getUTCFullYear();
  let month = now.getUTCMonth() + 1;
  while (!RELEASE_MONTHS.has(month)) {
    month -= 1;
    if (month === 0) {
      month = 12;
      year -= 1;
    }
  }
  return `${year}-${String(month).padStart(2, '0')}`;
}

/**
 * Problems with a configured API version on `now`, as sentences for `hub config validate` and
 * start-up: out of support (or about to be, within 60 days), not yet released, not a release month,
 * or `unstable`. Empty when the version is fine.
 */
export function apiVersionWarnings(connectorId: string, version: string, now: Date): string[] {
  const where = `${connectorId}: settings.apiVersion ${version}`;
  if (version === 'unstable') return [`${where} is Shopify's unstable version: its shapes change without notice; use a stable version in production`];
  const index = monthIndex(version);
  if (index === null) return [`${where} is not a Shopify API version`];
  const month = (index % 12) + 1;
  if (!RELEASE_MONTHS.has(month)) return [`${where} is not a release: Shopify releases stable versions in January, April, July and October`];
  const nowIndex = now.getUTCFullYear() * 12 + now.getUTCMonth();
  if (index > nowIndex) return [`${where} is not released yet; the newest stable version is ${newestStableVersion(now)}`];
  const endIndex = index + SUPPORT_MONTHS;
  const end = `${Math.floor(endIndex / 12)}-${String((endIndex % 12) + 1).padStart(2, '0')}-01`;
  const newest = newestStableVersion(now);
  if (nowIndex >= endIndex) {
    return [`${where} is out of Shopify's support window since ${end}: calls are served by the oldest supported version instead; move to ${newest}`];
  }
  if (Date.parse(`${end}T00:00:00Z`) - now.getTime() <= 60 * 86_400_000) {
    return [`${where} leaves Shopify's support window on ${end}; move to ${newest}`];
  }
  return [];
}

/** Warnings for one Shopify connector instance; the shape `hub config validate` and start-up call. */
export function shopifyVersionWarnings(config: { id: string; settings: { apiVersion: string } }, now: Date): string[] {
  return apiVersionWarnings(config.id, config.settings.apiVersion, now);
}

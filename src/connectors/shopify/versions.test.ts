import { describe, expect, it } from 'vitest';
import { ShopifyConfigSchema } from './config.js';
import { shopifyConnector } from './index.js';
import { newestStableVersion, shopifyVersionWarnings, usesChangeFromQuantity } from './versions.js';

const at = (version: string, now: string) => shopifyVersionWarnings({ id: 'shopify-main', settings: { apiVersion: version } }, new Date(now));

describe('Shopify API versions', () => {
  it('defaults to the newest stable version, which has no warning today', () => {
    const settings = ShopifyConfigSchema.shape.settings.parse({ shopDomain: 'a.myshopify.com', channel: 'web' });
    expect(settings.apiVersion).toBe(newestStableVersion(new Date('2026-12-01T00:00:00Z')));
    expect(at(settings.apiVersion, '2026-12-01T00:00:00Z')).toEqual([]);
  });

  it('warns that 2025-07 left the 12-month support window, naming the version to move to', () => {
    expect(at('2025-07', '2026-12-01T00:00:00Z')).toEqual([
      "shopify-main: settings.apiVersion 2025-07 is out of Shopify's support window since 2026-07-01: calls are served by the oldest supported version instead; move to 2026-10",
    ]);
  });

  it('warns ahead of the end of support, and not before', () => {
    expect(at('2026-01', '2026-12-01T00:00:00Z')[0]).toMatch(/leaves Shopify's support window on 2027-01-01/);
    expect(at('2026-01', '2026-10-15T00:00:00Z')).toEqual([]);
  });

  it('warns about unreleased, off-cycle and unstable versions', () => {
    expect(at('2027-01', '2026-12-01T00:00:00Z')[0]).toMatch(/not released yet/);
    expect(at('2026-05', '2026-12-01T00:00:00Z')[0]).toMatch(/not a release/);
    expect(at('unstable', '2026-12-01T00:00:00Z')[0]).toMatch(/unstable/);
  });

  it('switches the stock push shape at 2026-04', () => {
    expect(['2025-10', '2026-01', '2026-04', '2026-10', 'unstable'].map(usesChangeFromQuantity)).toEqual([false, false, true, true, true]);
  });

  it('is what the connector definition offers to config validation and start-up', () => {
    // Declared by the contract (ConnectorDefinition.warnings), so config validation reads it without a cast.
    const instance = (apiVersion?: string) => ({
      id: 'shop',
      ...ShopifyConfigSchema.parse({
        settings: { shopDomain: 'shop.myshopify.com', channel: 'web', ...(apiVersion ? { apiVersion } : {}) },
        credentials: { accessToken: 't', webhookSecret: 's' },
      }),
    });
    expect(shopifyConnector.warnings?.(instance('2025-07'), new Date('2026-12-01T00:00:00Z'))).toHaveLength(1);
    expect(shopifyConnector.warnings?.(instance(), new Date('2026-12-01T00:00:00Z'))).toEqual([]);
  });
});

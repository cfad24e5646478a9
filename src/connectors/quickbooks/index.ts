import { z } from 'zod';
import type { Refund } from '../../core/model/index.js';
import { type ClientDeps, type ConnectorClient, type FetchedDelivery, type Normalizer, type WebhookSpec, defineConnector } from '../types.js';
import { createQboClient } from './client.js';
import { type QuickBooksConfig, QuickBooksConfigSchema } from './config.js';
import { fetchNotified } from './fetch.js';
import { normalizeSalesDocument } from './inbound/invoice.js';
import { normalizePayment } from './inbound/payment.js';
import type { ConnectorState } from './oauth.js';
import { pushCreditMemo } from './outbound/credit-memo.js';
import type { BookOptions, BookableOrder } from './outbound/documents.js';
import { type BookedDocument, pushInvoice } from './outbound/push-invoice.js';
import { recordShipment } from './outbound/update.js';
import { QBO_NOTIFICATION_TOPIC, verifyQuickBooksWebhook } from './verify.js';

/**
 * Notifications (both formats) are fetch topics: the worker reads the entities they name and
 * records each read response under its own topic, which these normalizers turn into events.
 * `hub normalize quickbooks invoice <file>` takes one Invoice read response.
 */
export const quickBooksWebhooks: WebhookSpec<QuickBooksConfig> & { topics: Record<string, Normalizer<QuickBooksConfig>> } = {
  verify: verifyQuickBooksWebhook,
  signatureHeaders: ['intuit-signature'],
  fetchTopics: [QBO_NOTIFICATION_TOPIC],
  topics: {
    invoice: normalizeSalesDocument('Invoice'),
    salesreceipt: normalizeSalesDocument('SalesReceipt'),
    payment: normalizePayment,
  },
  keys: (topic, body) => {
    const entity = (body as Record<string, { Id?: unknown; DocNumber?: unknown }> | null)?.[
      topic === 'invoice' ? 'Invoice' : topic === 'salesreceipt' ? 'SalesReceipt' : 'Payment'
    ];
    return { orderKeys: [entity?.DocNumber, entity?.Id].filter((v): v is string => typeof v === 'string'), skus: [] };
  },
};

/** What a QuickBooks instance offers the order-to-cash flow. */
export interface QuickBooksConnectorClient extends ConnectorClient {
  /** Books a shipped order once (Invoice, or SalesReceipt when paid at checkout); a replay returns the first booking with `created: false`. */
  pushInvoice(order: BookableOrder, options?: BookOptions): Promise<BookedDocument>;
  /** Books a refund once as a CreditMemo against the order's customer; waits (retryable) until the order is booked. */
  pushCreditMemo(refund: Refund, options?: Pick<BookOptions, 'externalIds'>): Promise<BookedDocument>;
  /** Ship date and tracking number on a booked document (SyncToken-locked sparse update). */
  recordShipment(document: Pick<BookedDocument, 'kind' | 'externalId'>, shipment: { shippedAt: string; trackingNumber?: string }): Promise<void>;
  fetchNotification(topic: string, body: unknown): Promise<FetchedDelivery[]>;
  /** Credential probe: a token refresh and a read of the company. */
  check(): Promise<{ ok: boolean; message: string }>;
}

export function createQuickBooksConnectorClient(
  config: QuickBooksConfig & { id: string },
  deps: ClientDeps & { state?: ConnectorState },
): QuickBooksConnectorClient {
  const client = createQboClient(config, deps);
  const { settings } = config;
  return {
    pushInvoice: (order, options) => pushInvoice(client, settings, config.id, order, { ...options, logger: deps.logger }),
    pushCreditMemo: (refund, options) => pushCreditMemo(client, settings, config.id, refund, options),
    async recordShipment(document, shipment) {
      if (document.kind === 'CreditMemo') return;
      await recordShipment(client, config.id, { kind: document.kind, externalId: document.externalId }, shipment, settings.syncTokenRetries);
    },
    fetchNotification: async (topic, body) => (topic === QBO_NOTIFICATION_TOPIC ? fetchNotified(client, config.id, body) : []),
    async check() {
      try {
        // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/companyinfo
        const { entity } = await client.read('CompanyInfo', settings.realmId, z.object({ CompanyName: z.string().optional() }));
        return { ok: true, message: `connected to ${entity.CompanyName ?? `company ${settings.realmId}`}` };
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
    },
  };
}

/**
 * QuickBooks Online accounting: books shipped orders (Invoice or SalesReceipt) and refunds
 * (CreditMemo), and receives signed change notifications (legacy envelope and CloudEvents) for
 * invoices, sales receipts and payments at `POST /webhooks/<connectorId>`.
 */
export const quickBooksConnector = defineConnector({
  type: 'quickbooks',
  category: 'accounting',
  displayName: 'QuickBooks Online',
  version: '0.1.0',
  configSchema: QuickBooksConfigSchema,
  capabilities: ['webhooks', 'push.invoice'],
  // A product's QuickBooks Item id, used when settings.itemMap has no row for its SKU.
  externalIdKeys: ['itemId'],
  // 500 requests per minute and 10 per second per company and app; 429 asks for a 60 s wait.
  // https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles
  rateLimit: { max: 10, durationMs: 1000, retryAfterHeaders: ['retry-after'] },
  webhooks: quickBooksWebhooks,
  createClient: createQuickBooksConnectorClient,
});

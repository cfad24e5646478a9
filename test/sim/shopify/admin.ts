import type { GraphqlOutcome } from './graphql.js';
import type { WebhookSender } from './webhooks.js';

/**
 * The app's own side of the shop: its access scopes and its webhook subscriptions. A subscription
 * created here makes the webhook sender deliver that topic to its URI, as Shopify does.
 * - query shop, currentAppInstallation.accessScopes: https://shopify.dev/docs/api/admin-graphql/latest/queries/currentAppInstallation
 * - query webhookSubscriptions (filter `uri`): https://shopify.dev/docs/api/admin-graphql/latest/queries/webhookSubscriptions
 * - mutation webhookSubscriptionCreate(topic, webhookSubscription: { uri, format }):
 *   https://shopify.dev/docs/api/admin-graphql/latest/mutations/webhookSubscriptionCreate
 *   (`uri` replaces `callbackUrl`: https://shopify.dev/changelog/consolidate-webhook-graphql-surfaces).
 *   Shopify takes only HTTPS URIs; the simulator also takes http://127.0.0.1 for local hubs.
 */
export interface SimSubscription {
  id: string;
  topic: string;
  uri: string;
}

export class AppInstallation {
  /** Scopes the merchant granted (default: all the connector asks for). */
  scopes = ['write_products', 'write_inventory', 'read_orders', 'write_merchant_managed_fulfillment_orders'];
  readonly subscriptions: SimSubscription[] = [];

  constructor(
    private readonly webhooks: WebhookSender,
    private readonly shopName: string,
    private readonly shopDomain: string,
    private readonly newId: () => string,
  ) {}

  handle(query: string, variables: Record<string, unknown>): GraphqlOutcome | undefined {
    if (/\bwebhookSubscriptionCreate\s*\(/.test(query)) return this.create(variables);
    if (/\bwebhookSubscriptions\s*\(/.test(query)) return this.list(variables);
    if (/\bcurrentAppInstallation\b/.test(query) || /^\s*(query\s+\w*\s*)?{\s*shop\b/.test(query)) {
      return {
        operation: 'currentAppInstallation',
        data: {
          shop: { name: this.shopName, myshopifyDomain: this.shopDomain },
          currentAppInstallation: { accessScopes: this.scopes.map((handle) => ({ handle })) },
        },
      };
    }
    return undefined;
  }

  private list(variables: Record<string, unknown>): GraphqlOutcome {
    const uri = typeof variables['uri'] === 'string' ? variables['uri'] : undefined;
    const nodes = this.subscriptions
      .filter((s) => uri === undefined || s.uri === uri)
      .map((s) => ({ id: `gid://shopify/WebhookSubscription/${s.id}`, topic: s.topic, uri: s.uri }));
    return { operation: 'webhookSubscriptions', data: { webhookSubscriptions: { nodes } } };
  }

  private create(variables: Record<string, unknown>): GraphqlOutcome {
    const operation = 'webhookSubscriptionCreate';
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const topic = text(variables['topic']);
    const uri = text(variables['uri']);
    const fail = (message: string) => ({
      operation,
      data: { webhookSubscriptionCreate: { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription', 'uri'], message }] } },
    });
    if (!/^[A-Z_]+$/.test(topic)) return fail(`Topic is not a WebhookSubscriptionTopic: ${topic}`);
    if (!/^https:\/\/|^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(uri)) return fail('Address must be an HTTPS URL');
    if (this.subscriptions.some((s) => s.topic === topic && s.uri === uri)) return fail('Address for this topic has already been taken');
    const sub = { id: this.newId(), topic, uri };
    this.subscriptions.push(sub);
    // ORDERS_CREATE → orders/create; INVENTORY_LEVELS_UPDATE → inventory_levels/update.
    const restTopic = topic.toLowerCase().replace(/_(create|update|updated|delete|cancelled|paid|fulfilled)$/, '/$1');
    this.webhooks.subscribe(uri, [restTopic]);
    return {
      operation,
      data: { webhookSubscriptionCreate: { webhookSubscription: { id: `gid://shopify/WebhookSubscription/${sub.id}`, topic, uri }, userErrors: [] } },
    };
  }
}

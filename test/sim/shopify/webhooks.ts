import { createHmac, randomUUID } from 'node:crypto';
import { stringify } from 'lossless-json';
import type { PayloadRenderer } from './payloads.js';
import type { SimAction, SimChange } from './store.js';

/** One signed webhook delivery, as Shopify sends it. */
export interface SimDelivery {
  topic: string;
  eventId: string;
  webhookId: string;
  triggeredAt: string;
  body: string;
  headers: Record<string, string>;
}

export interface DeliveryRecord {
  delivery: SimDelivery;
  url: string;
  status: number | 'error';
  attempt: number;
}

export interface WebhookSenderOptions {
  secret: string;
  shopDomain: string;
  apiVersion: string;
  renderer: PayloadRenderer;
  /** Attempts per delivery when the endpoint fails or answers non-2xx (Shopify retries too). */
  attempts?: number;
  retryDelayMs?: number;
}

/**
 * Signs and sends webhook deliveries like Shopify: POST, JSON body, base64 HMAC-SHA256 of the raw
 * body with the app secret in X-Shopify-Hmac-Sha256, and the documented headers.
 * https://shopify.dev/docs/apps/build/webhooks/delivery-structure
 * Store actions reach subscribed URLs automatically, in order. On request it redelivers (same
 * event id, new webhook id), duplicates (same delivery twice), holds and reorders, and forges.
 */
export class WebhookSender {
  readonly log: DeliveryRecord[] = [];
  private readonly subscriptions: { url: string; topics: Set<string> | null }[] = [];
  private held: SimDelivery[] | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: WebhookSenderOptions) {}

  /** Subscribes a URL to some topics (all when omitted), as an app's webhook subscriptions do. */
  subscribe(url: string, topics?: string[]): void {
    this.subscriptions.push({ url, topics: topics ? new Set(topics) : null });
  }

  unsubscribeAll(): void {
    this.subscriptions.length = 0;
  }

  /** Called by the store for every action; queues one delivery per change and subscription. */
  onAction(action: SimAction): void {
    for (const change of action.changes) {
      const delivery = this.build(change.topic, this.render(change), { eventId: action.eventId, triggeredAt: new Date(action.at).toISOString() });
      if (this.held) this.held.push(delivery);
      else this.enqueue(delivery);
    }
  }

  /** Builds a signed delivery of any payload. */
  build(topic: string, payload: unknown, options: { eventId?: string; webhookId?: string; triggeredAt?: string } = {}): SimDelivery {
    const body = stringify(payload) ?? 'null';
    const delivery = {
      topic,
      eventId: options.eventId ?? randomUUID(),
      webhookId: options.webhookId ?? randomUUID(),
      triggeredAt: options.triggeredAt ?? new Date().toISOString(),
      body,
    };
    return { ...delivery, headers: this.headers(delivery, this.sign(body)) };
  }

  sign(body: string, secret = this.options.secret): string {
    return createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('base64');
  }

  /** Sends one delivery to one URL now (no retries); resolves with the HTTP status. */
  async send(delivery: SimDelivery, url = this.subscriptions[0]?.url): Promise<number | 'error'> {
    if (!url) throw new Error('no webhook subscription: call subscribe(url) first');
    let status: number | 'error';
    try {
      const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 'error';
    }
    this.log.push({ delivery, url, status, attempt: this.log.filter((r) => r.delivery.webhookId === delivery.webhookId && r.url === url).length + 1 });
    return status;
  }

  /** Shopify's retry of an event under a new webhook id (the event id and body stay the same). */
  redeliver(delivery: SimDelivery, url?: string): Promise<number | 'error'> {
    const again = { ...delivery, webhookId: randomUUID() };
    return this.send({ ...again, headers: this.headers(again, delivery.headers['X-Shopify-Hmac-Sha256'] ?? '') }, url);
  }

  /** The very same delivery twice. */
  async duplicate(delivery: SimDelivery, url?: string): Promise<(number | 'error')[]> {
    return [await this.send(delivery, url), await this.send(delivery, url)];
  }

  /** The delivery signed with another secret: the hub must answer 401 and keep nothing. */
  forge(delivery: SimDelivery, url?: string): Promise<number | 'error'> {
    return this.send({ ...delivery, headers: { ...delivery.headers, 'X-Shopify-Hmac-Sha256': this.sign(delivery.body, 'not-the-app-secret') } }, url);
  }

  /** Holds automatic deliveries until `release`. */
  hold(): void {
    this.held ??= [];
  }

  /** Sends the held deliveries in the order asked: as produced, reversed, or shuffled with a seed. */
  release(order: 'as-is' | 'reverse' | { shuffleSeed: number } = 'as-is'): SimDelivery[] {
    const held = this.held ?? [];
    this.held = null;
    const ordered = order === 'as-is' ? held : order === 'reverse' ? [...held].reverse() : shuffle(held, order.shuffleSeed);
    for (const delivery of ordered) this.enqueue(delivery);
    return ordered;
  }

  /** Resolves when every queued automatic delivery has been sent (or has used its attempts). */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(delivery: SimDelivery): void {
    const targets = this.subscriptions.filter((s) => s.topics === null || s.topics.has(delivery.topic));
    for (const target of targets) {
      this.chain = this.chain.then(() => this.deliver(delivery, target.url));
    }
  }

  private async deliver(delivery: SimDelivery, url: string): Promise<void> {
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const status = await this.send(delivery, url);
      if (typeof status === 'number' && status >= 200 && status < 300) return;
      if (attempt < attempts) await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 200));
    }
  }

  private headers(d: Omit<SimDelivery, 'headers'>, hmac: string): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': d.topic,
      'X-Shopify-Hmac-Sha256': hmac,
      'X-Shopify-Shop-Domain': this.options.shopDomain,
      'X-Shopify-API-Version': this.options.apiVersion,
      'X-Shopify-Webhook-Id': d.webhookId,
      'X-Shopify-Event-Id': d.eventId,
      'X-Shopify-Triggered-At': d.triggeredAt,
    };
  }

  private render(change: SimChange): unknown {
    const r = this.options.renderer;
    switch (change.topic) {
      case 'products/create':
      case 'products/update':
        return r.product(change.product);
      case 'inventory_levels/update':
        return r.level(change.level);
      case 'fulfillments/create':
        return r.fulfillment(change.fulfillment);
      default:
        return r.order(change.order);
    }
  }
}

/** A deterministic shuffle (mulberry32), so a reordering test can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

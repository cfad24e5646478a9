import type { ConnectorInstance, HubConfig } from '../core/config/load.js';
import { ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import {
  findNormalizer,
  type AsyncNormalizer,
  type ConnectorCapability,
  type ConnectorClient,
  type ConnectorDefinition,
  type ConnectorState,
  type Normalizer,
  type VerifiedDelivery,
  type WebhookRequest,
} from '../connectors/types.js';

/** What reconciliation can compare for a connector: channel stock, warehouse on-hand, orders. */
export type BoundReconcileKind = 'stock' | 'warehouse' | 'orders';

/**
 * One configured connector instance bound to its type, once: everything the hub asks of a
 * connector (verify, normalize, push, reconcile, probe) goes through this answer, so routing,
 * queues, reconciliation and the API agree on what the instance can do.
 */
export interface BoundConnector {
  readonly id: string;
  readonly type: string;
  readonly definition: ConnectorDefinition;
  readonly instance: ConnectorInstance;
  /** What this instance can do, computed from its config (the type's `discover`), not the type's maximum. */
  readonly capabilities: ReadonlySet<ConnectorCapability>;
  can(capability: ConnectorCapability): boolean;
  /** The hub channel its orders and stock belong to: `settings.channel`, else the one channel routed to it. */
  readonly channel: string | undefined;
  /** Whether it has a `hub.outbound.<id>` queue (a client that pushes something). */
  readonly pushes: boolean;
  readonly receivesWebhooks: boolean;
  /** What reconciliation can run for it, in `stock | warehouse | orders` terms. */
  readonly reconcileKinds: readonly BoundReconcileKind[];
  /** Header names (lower case) to redact when headers are stored or shown. */
  readonly signatureHeaders: readonly string[];
  /** The type's verifier with this instance's config; throws InvalidSignatureError. */
  verify(request: WebhookRequest): Promise<VerifiedDelivery>;
  /** The normalizer of `topic` for this instance (the type's own, or one its config defines). */
  normalizer(topic: string): Normalizer | AsyncNormalizer | undefined;
  /** Whether `topic` names entities to fetch with the client before normalizing (`WebhookSpec.fetchTopics`). */
  fetchesTopic(topic: string): boolean;
  /** Business keys (order ids, SKUs) of a raw payload, for finding dead letters; empty when the type has none. */
  keys(topic: string, body: unknown): { orderKeys: string[]; skus: string[] };
  /** The run-time client, built on first use and shared by every caller in the process (one rate-limit budget). */
  client(): ConnectorClient | undefined;
  close(): Promise<void>;
}

export interface BindDeps {
  logger: Logger;
  /** Durable state of this instance, handed to its client. */
  state?: (connectorId: string) => ConnectorState;
}

const PUSH_CAPABILITIES: readonly ConnectorCapability[] = ['push.availability', 'push.fulfillment', 'push.order', 'push.invoice', 'push.tracker'];

/** Binds one enabled instance to its type. `config` supplies the channel routed to it. */
export function bindConnector(
  definition: ConnectorDefinition,
  instance: ConnectorInstance,
  config: Pick<HubConfig, 'channels'>,
  deps: BindDeps,
): BoundConnector {
  const typed = instance as never;
  const declared = new Set(definition.capabilities);
  // An instance never gains a capability its type lacks, whatever its discover says.
  const capabilities = new Set((definition.discover?.(typed) ?? definition.capabilities).filter((c) => declared.has(c)));
  const can = (c: ConnectorCapability) => capabilities.has(c);
  const hasClient = definition.createClient !== undefined;
  const channel = channelOf(instance, config);
  const reconcileKinds: BoundReconcileKind[] = [];
  if (hasClient && can('reconcile.inventory')) reconcileKinds.push('stock');
  if (hasClient && can('reconcile.warehouse')) reconcileKinds.push('warehouse');
  if (hasClient && can('reconcile.orders')) reconcileKinds.push('orders');
  let client: ConnectorClient | undefined;
  const webhooks = definition.webhooks;
  return {
    id: instance.id,
    type: definition.type,
    definition,
    instance,
    capabilities,
    can,
    channel,
    pushes: hasClient && PUSH_CAPABILITIES.some(can),
    receivesWebhooks: webhooks !== undefined,
    reconcileKinds,
    signatureHeaders: webhooks?.signatureHeaders ?? [],
    async verify(request) {
      if (!webhooks) throw new ValidationError(`${instance.id} does not receive webhooks`, { connectorId: instance.id, field: 'connectorId' });
      return webhooks.verify(request, typed);
    },
    fetchesTopic: (topic) => webhooks?.fetchTopics?.includes(topic) === true,
    normalizer: (topic) => findNormalizer(webhooks, topic, typed) as Normalizer | AsyncNormalizer | undefined,
    keys(topic, body) {
      try {
        return webhooks?.keys?.(topic, body) ?? { orderKeys: [], skus: [] };
      } catch {
        // keys are a search aid; a payload too odd to read them from is still handled
        return { orderKeys: [], skus: [] };
      }
    },
    client() {
      if (!definition.createClient) return undefined;
      client ??= definition.createClient(typed, { logger: deps.logger.child({ connectorId: instance.id }), state: deps.state?.(instance.id) });
      return client;
    },
    async close() {
      await client?.close?.();
    },
  };
}

/**
 * Binds every enabled instance of `config` whose type `registry` knows. An instance whose config
 * did not change keeps its binding (and its client) across a reload.
 */
export function bindConnectors(
  config: HubConfig,
  registry: readonly ConnectorDefinition[],
  deps: BindDeps,
  previous?: ReadonlyMap<string, BoundConnector>,
): Map<string, BoundConnector> {
  const out = new Map<string, BoundConnector>();
  for (const instance of config.connectors) {
    if (!instance.enabled) continue;
    const definition = registry.find((d) => d.type === instance.type);
    if (!definition) continue;
    const before = previous?.get(instance.id);
    const same = before && before.definition === definition && sameJson(before.instance, instance) && before.channel === channelOf(instance, config);
    out.set(instance.id, same ? before : bindConnector(definition, instance, config, deps));
  }
  return out;
}

/** The hub channel of an instance: its `settings.channel`, else the one channel routed to it. */
export function channelOf(instance: ConnectorInstance, config: Pick<HubConfig, 'channels'>): string | undefined {
  const own = instance.settings['channel'];
  if (typeof own === 'string' && own !== '') return own;
  const routed = config.channels.filter((c) => c.connector === instance.id);
  return routed.length === 1 ? routed[0]!.id : undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, replacer) === JSON.stringify(b, replacer);
}

/** Mapping tables built at load hold Maps and functions: compare what config wrote, not those. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return [...value.entries()];
  if (typeof value === 'function') return undefined;
  return value;
}

/** Channel → connector that records fulfilments there: the channel's connector, when its instance can. */
export function fulfillmentRoutes(config: Pick<HubConfig, 'channels'>, connectors: ReadonlyMap<string, BoundConnector>): Map<string, string> {
  const routes = new Map<string, string>();
  for (const channel of config.channels) {
    const target = channel.connector ? connectors.get(channel.connector) : undefined;
    if (target?.can('push.fulfillment') && target.definition.createClient) routes.set(channel.id, target.id);
  }
  return routes;
}

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, type HubConfig } from '../core/config/load.js';
import { HubError, MappingError } from '../core/errors.js';
import { previewLookup } from '../mappings/lookup.js';
import type { Catalog } from '../queues/catalog.js';
import { normalizeDelivery } from '../queues/inbound.js';
import { connectorRegistry } from '../connectors/registry.js';
import { bindConnectors } from '../queues/bind.js';
import { silentLogger } from '../core/logger.js';

/** What `hub mappings test` prints and its exit code: 0 with the events, 2 with `{ error }`. */
export interface MappingPreview {
  exitCode: 0 | 2;
  output: unknown;
}

/**
 * A catalogue stand-in with no database: SKUs are taken as written (a SKU map, when configured,
 * still applies) and locations go through the instance's `settings.locations`.
 */
const previewCatalog = {
  refresh: async () => undefined,
  lookupFor: (instance: { settings: Record<string, unknown> }) => {
    const lookup = previewLookup((instance.settings['locations'] as Record<string, string> | undefined) ?? {});
    return { ...lookup, sku: ({ sku }: { sku?: string | null }) => sku?.trim() || null };
  },
} as unknown as Catalog;

/**
 * Runs a payload through connector `connectorId`'s mapping for `topic` (its webhook topic) with
 * the given config, exactly as the inbound worker would, and applies nothing.
 */
export async function previewMapping(config: HubConfig, connectorId: string, topic: string, text: string): Promise<MappingPreview> {
  const fail = (code: string, field: string | undefined, message: string, extra: Record<string, unknown> = {}): MappingPreview => ({
    exitCode: 2,
    output: { error: { code, connector: connectorId, ...(field ? { field } : {}), message, ...extra } },
  });
  const connectors = bindConnectors(config, connectorRegistry, { logger: silentLogger() });
  if (!connectors.has(connectorId)) {
    const disabled = config.connectors.filter((c) => c.enabled === false).map((c) => c.id);
    const choices = connectors.size ? `choose one of: ${[...connectors.keys()].join(', ')}` : 'no connector is enabled';
    return fail(
      'invalid_value',
      'connectorId',
      `no enabled connector "${connectorId}"; ${choices}${disabled.length ? `; disabled: ${disabled.join(', ')}` : ''}`,
    );
  }
  try {
    const result = await normalizeDelivery({ catalog: previewCatalog, connectors }, { connectorId, topic, body: text, receivedAt: new Date().toISOString() });
    if (result.ignored) return fail('invalid_value', 'topic', result.ignored);
    return { exitCode: 0, output: result.events };
  } catch (err) {
    if (err instanceof SyntaxError) return fail('invalid_value', 'payload', `payload is not JSON: ${err.message}`);
    if (err instanceof HubError) return fail(err.code, err.field, err.message, err instanceof MappingError ? { issues: err.issues } : {});
    return fail('unexpected', undefined, err instanceof Error ? err.message : String(err));
  }
}

export function registerMappingsCommands(program: Command): void {
  const mappings = program.command('mappings').description('inspect connector mappings');
  mappings
    .command('test <connectorId> <topic> <payload-file>')
    .description('print the canonical events a payload maps to with the live config (exit 2 with the mapping errors); no side effects')
    .option('-c, --config <file>', 'config file (default $HUB_CONFIG or config/hub.yaml)')
    .action(async (connectorId: string, topic: string, file: string, opts: { config?: string }) => {
      let outcome: MappingPreview;
      try {
        const text = readFileSync(file, 'utf8');
        // No side effects, no calls out: unset secrets are noted on stderr, not refused.
        const config = loadConfig(opts.config, process.env, { missingEnv: 'note', onNote: (n) => console.error(`note: ${n.path}: ${n.message}`) });
        outcome = await previewMapping(config, connectorId, topic, text);
      } catch (err) {
        const code = err instanceof HubError ? err.code : 'invalid_value';
        outcome = { exitCode: 2, output: { error: { code, connector: connectorId, message: (err as Error).message } } };
      }
      process.stdout.write(`${JSON.stringify(outcome.output, null, 2)}\n`);
      process.exitCode = outcome.exitCode;
    });
}

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../core/config/load.js';
import { HubError, MappingError } from '../core/errors.js';
import { parseJsonPreservingIds } from '../connectors/http/json.js';
import { findConnector, knownConnectorTypes } from '../connectors/registry.js';
import { findNormalizer, type NormalizeContext } from '../connectors/types.js';
import { previewLookup } from '../mappings/lookup.js';

export interface NormalizeOptions {
  /** Settings and id of a configured instance of this type, when there is one. */
  instance?: { id: string; settings: Record<string, unknown>; credentials?: Record<string, unknown> };
}

/** What the command prints and its exit code: 0 with the events, 2 with `{ error }`. */
export interface NormalizeOutcome {
  exitCode: 0 | 2;
  output: unknown;
}

const RECEIVED_AT = '1970-01-01T00:00:00.000Z';

/**
 * Normalizes one webhook payload with a connector type's normalizer for `topic`, without side
 * effects. SKUs map to themselves; locations map through the configured instance's
 * `settings.locations` when there is one, else to themselves. A fixture file
 * (`{ doc, apiVersion, headers, body }`) is unwrapped to its body.
 */
export async function normalizePayload(connectorType: string, topic: string, text: string, options: NormalizeOptions = {}): Promise<NormalizeOutcome> {
  const connector = options.instance?.id ?? connectorType;
  const fail = (code: string, field: string | undefined, message: string, extra: Record<string, unknown> = {}): NormalizeOutcome => ({
    exitCode: 2,
    output: { error: { code, connector, ...(field ? { field } : {}), message, ...extra } },
  });
  const def = findConnector(connectorType);
  if (!def) return fail('invalid_value', 'connectorType', `unknown connector type "${connectorType}"; known types: ${knownConnectorTypes().join(', ')}`);
  const settings = options.instance?.settings ?? { channel: connectorType, locations: {} };
  const config = options.instance ?? { settings, credentials: {} };
  // The same lookup the intake uses: the type's own topics, then topics the instance's config defines.
  const normalize = findNormalizer(def.webhooks, topic, config as never);
  if (!normalize) {
    const topics = Object.keys(def.webhooks?.topics ?? {});
    return fail('invalid_value', 'topic', `${connectorType} has no normalizer for "${topic}"; topics: ${topics.join(', ') || '(none)'}`);
  }
  let body: unknown;
  try {
    body = unwrapFixture(parseJsonPreservingIds(text));
  } catch (err) {
    return fail('invalid_value', 'payload', `payload is not JSON: ${(err as Error).message}`);
  }
  const ctx: NormalizeContext<Record<string, unknown>> = {
    connectorId: connector,
    connectorType,
    config: config,
    receivedAt: RECEIVED_AT,
    delivery: { dedupKey: 'cli', topic },
    lookup: previewLookup(options.instance ? ((settings['locations'] as Record<string, string> | undefined) ?? {}) : null),
  };
  try {
    return { exitCode: 0, output: await normalize(body, ctx) };
  } catch (err) {
    if (err instanceof HubError) {
      return fail(err.code, err.field, err.message, err instanceof MappingError ? { issues: err.issues } : {});
    }
    return fail('unexpected', undefined, err instanceof Error ? err.message : String(err));
  }
}

function unwrapFixture(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const isFixture = ['doc', 'apiVersion', 'headers', 'body'].every((k) => keys.includes(k));
  return isFixture ? (value as { body: unknown }).body : value;
}

export function registerNormalizeCommand(program: Command): void {
  program
    .command('normalize <connectorType> <topic> <payload-file>')
    .description('print the canonical events of a webhook payload as JSON, without side effects; exit 2 with a JSON error on bad input')
    .option('-c, --config <file>', 'config whose instance of this type supplies settings and locations (default $HUB_CONFIG or config/hub.yaml)')
    .option('--connector <id>', 'which configured instance to use when there are several of this type')
    .action(async (connectorType: string, topic: string, file: string, opts: { config?: string; connector?: string }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        const message = `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
        process.stdout.write(
          `${JSON.stringify({ error: { code: 'invalid_value', connector: opts.connector ?? connectorType, field: 'payload-file', message } })}\n`,
        );
        process.exitCode = 2;
        return;
      }
      const outcome = await normalizePayload(connectorType, topic, text, { instance: configuredInstance(connectorType, opts) });
      process.stdout.write(`${JSON.stringify(outcome.output, null, 2)}\n`);
      process.exitCode = outcome.exitCode;
    });
}

/** The configured instance of this type, if the config loads and has one; previews work without config. */
function configuredInstance(connectorType: string, opts: { config?: string; connector?: string }): NormalizeOptions['instance'] {
  try {
    const config = loadConfig(opts.config);
    return config.connectors.find((c) => c.type === connectorType && (opts.connector === undefined || c.id === opts.connector));
  } catch {
    if (opts.config !== undefined) process.stderr.write(`note: ${opts.config} could not be loaded; using identity mappings\n`);
    return undefined;
  }
}

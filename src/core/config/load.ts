import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { Issue } from '../model/index.js';
import { formatPath, zodIssues } from '../model/index.js';
import { findConnector, knownConnectorTypes } from '../../connectors/registry.js';
import { prepareConnectorMappings } from '../../mappings/prepare.js';
import { allowedMappingDirs } from '../../mappings/sku-map.js';
import { ConnectorBaseSchema, HubConfigBaseSchema } from './schema.js';
import { connectorSchema } from './connector-schema.js';
import { recordProvenance } from './provenance.js';
import { resolveEnv } from './env.js';
import { checkFlow } from './flow.js';

export type ConnectorInstance = z.infer<typeof ConnectorBaseSchema> & {
  category: NonNullable<z.infer<typeof ConnectorBaseSchema>['category']>;
  settings: Record<string, unknown>;
  credentials: Record<string, unknown>;
};

export type HubConfig = Omit<z.infer<typeof HubConfigBaseSchema>, 'connectors'> & {
  connectors: ConnectorInstance[];
};

export type ParseResult = { ok: true; config: HubConfig } | { ok: false; issues: Issue[] };

export const DEFAULT_CONFIG_PATH = 'config/hub.yaml';

/**
 * Validates a config text: structure, connector types, cross references and `${ENV}` references,
 * and builds connector mapping tables (CSV files resolve against `baseDir`, the config's directory).
 */
export function parseConfig(text: string, env: Record<string, string | undefined> = process.env, baseDir = process.cwd()): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        path: `(line ${lineCounter.linePos(e.pos[0]).line})`,
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const raw: unknown = doc.toJS() ?? {};
  const disabledConnector = (path: readonly PropertyKey[]): boolean => {
    if (path.length !== 2 || path[0] !== 'connectors') return false;
    const entry = (raw as { connectors?: unknown[] }).connectors?.[path[1] as number];
    return typeof entry === 'object' && entry !== null && (entry as { enabled?: unknown }).enabled === false;
  };
  const resolved = resolveEnv(raw, env, disabledConnector);
  const issues: Issue[] = [...resolved.issues];

  const base = HubConfigBaseSchema.safeParse(resolved.value, { reportInput: true });
  if (!base.success) {
    issues.push(...zodIssues(base.error));
    return { ok: false, issues: dedupe(issues) };
  }
  const connectors: ConnectorInstance[] = [];
  base.data.connectors.forEach((entry, i) => {
    const parsed = parseConnector(entry, i, issues);
    if (parsed) connectors.push(parsed);
  });
  const config: HubConfig = { ...base.data, connectors };
  checkReferences(config, issues);
  checkFlow(config, issues);
  // Only a valid config gets its tables built; then every connector parsed, so indices match the file.
  if (issues.length === 0) prepareConnectorMappings(connectors, baseDir, (i, path, message) => issues.push({ path: formatPath(['connectors', i, ...path]), message }), allowedMappingDirs(env));
  if (issues.length > 0) return { ok: false, issues: dedupe(issues) };
  recordProvenance(config, resolved.references);
  return { ok: true, config };
}

function parseConnector(entry: Record<string, unknown>, index: number, issues: Issue[]): ConnectorInstance | undefined {
  const type = entry['type'];
  const def = typeof type === 'string' ? findConnector(type) : undefined;
  if (!def) {
    const known = knownConnectorTypes().join(', ');
    issues.push({
      path: formatPath(['connectors', index, 'type']),
      message: type === undefined ? `required (known types: ${known})` : `unknown connector type ${JSON.stringify(type)}; known types: ${known}`,
    });
    return undefined;
  }
  const schema = connectorSchema(def);
  const result = schema.safeParse(entry, { reportInput: true });
  if (!result.success) {
    issues.push(...zodIssues(result.error, ['connectors', index]));
    return undefined;
  }
  if (result.data.category !== undefined && result.data.category !== def.category) {
    issues.push({
      path: formatPath(['connectors', index, 'category']),
      message: `connector type "${def.type}" is a ${def.category} connector, not ${typeof result.data.category === 'string' ? result.data.category : JSON.stringify(result.data.category)}`,
    });
  }
  return { ...(result.data as unknown as ConnectorInstance), category: def.category };
}

function checkReferences(config: HubConfig, issues: Issue[]): void {
  const unique = (key: string, ids: string[]) =>
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) issues.push({ path: formatPath([key, i, 'id']), message: `duplicate id "${id}"` });
    });
  unique('locations', config.locations.map((l) => l.id));
  unique('channels', config.channels.map((c) => c.id));
  unique('connectors', config.connectors.map((c) => c.id));

  const locationIds = new Set(config.locations.map((l) => l.id));
  const channelIds = new Set(config.channels.map((c) => c.id));
  const connectorIds = new Set(config.connectors.map((c) => c.id));
  config.channels.forEach((channel, i) => {
    channel.locations.forEach((loc, j) => {
      if (!locationIds.has(loc)) {
        issues.push({ path: formatPath(['channels', i, 'locations', j]), message: `unknown location "${loc}"` });
      }
    });
    if (channel.connector !== undefined && !connectorIds.has(channel.connector)) {
      issues.push({ path: formatPath(['channels', i, 'connector']), message: `unknown connector "${channel.connector}"` });
    }
    // A connector's channel is said in two places; pushes read one, normalizers the other: they must agree.
    const j = config.connectors.findIndex((c) => c.id === channel.connector);
    const own = j >= 0 ? config.connectors[j]!.settings['channel'] : undefined;
    if (typeof own === 'string' && own !== channel.id) {
      issues.push({
        path: formatPath(['channels', i, 'connector']),
        message: `routes channel "${channel.id}" to connector "${channel.connector}", whose settings.channel (${formatPath(['connectors', j, 'settings', 'channel'])}) is "${own}"; make them agree`,
      });
    }
  });
  config.connectors.forEach((connector, i) => {
    const { channel, locations } = connector.settings as { channel?: unknown; locations?: unknown };
    if (typeof channel === 'string' && !channelIds.has(channel)) {
      issues.push({ path: formatPath(['connectors', i, 'settings', 'channel']), message: `unknown channel "${channel}"` });
    }
    if (locations && typeof locations === 'object') {
      for (const [external, loc] of Object.entries(locations)) {
        if (typeof loc === 'string' && !locationIds.has(loc)) {
          issues.push({
            path: formatPath(['connectors', i, 'settings', 'locations', external]),
            message: `unknown location "${loc}"`,
          });
        }
      }
    }
  });
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The config file in use: the argument, else `HUB_CONFIG`, else config/hub.yaml. */
export function configPath(file?: string, env: Record<string, string | undefined> = process.env): string {
  return resolve(file ?? env['HUB_CONFIG'] ?? DEFAULT_CONFIG_PATH);
}

/** Reads and validates the config; throws a ConfigError listing every problem. */
export function loadConfig(file?: string, env: Record<string, string | undefined> = process.env): HubConfig {
  const path = configPath(file, env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const result = parseConfig(text, env, dirname(path));
  if (!result.ok) {
    throw new ConfigError(
      `${path}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}\n` +
        result.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'),
      result.issues,
    );
  }
  return result.config;
}

import { createHash } from 'node:crypto';
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
import { mappingReferenceIssues } from '../../mappings/references.js';
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

/** `notes` are things validation let through that `hub start` will not (unset environment variables, with `missingEnv: 'note'`). */
export type ParseResult = { ok: true; config: HubConfig; notes: Issue[] } | { ok: false; issues: Issue[]; notes: Issue[] };

export interface ParseOptions {
  /**
   * What an unset `${VAR}` is: a problem (`error`, the default, as `hub start` needs every value),
   * or a note (`note`: commands without side effects, `hub config validate` and `hub mappings
   * test`, check everything else and leave the reference as written).
   */
  missingEnv?: 'error' | 'note';
}

export const DEFAULT_CONFIG_PATH = 'config/hub.yaml';

/**
 * Validates a config text: structure, connector types, cross references and `${ENV}` references,
 * and builds connector mapping tables (CSV files resolve against `baseDir`, the config's directory).
 */
export function parseConfig(
  text: string,
  env: Record<string, string | undefined> = process.env,
  baseDir = process.cwd(),
  options: ParseOptions = {},
): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    // The parser reports one mistake several times over (the bad line, then what no longer fits after it): the first is the cause.
    const first = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(first.pos[0]);
    const more = doc.errors.length > 1 ? ' (fix this first: what follows may parse once it is fixed)' : '';
    return { ok: false, issues: [{ path: `(line ${line}, column ${col})`, message: `YAML syntax: ${first.message.split('\n')[0]}${more}` }], notes: [] };
  }
  const raw: unknown = doc.toJS() ?? {};
  const disabledConnector = (path: readonly PropertyKey[]): boolean => {
    if (path.length !== 2 || path[0] !== 'connectors') return false;
    const entry = (raw as { connectors?: unknown[] }).connectors?.[path[1] as number];
    return typeof entry === 'object' && entry !== null && (entry as { enabled?: unknown }).enabled === false;
  };
  const resolved = resolveEnv(raw, env, disabledConnector);
  const noteMissing = options.missingEnv === 'note';
  const notes: Issue[] = noteMissing ? resolved.issues.map((i) => ({ path: i.path, message: `${i.message}; hub start needs it` })) : [];
  const unresolved = new Set(noteMissing ? resolved.issues.map((i) => i.path) : []);
  const issues: Issue[] = noteMissing ? [] : [...resolved.issues];
  const finish = (): ParseResult => {
    // A key whose value is an unset reference is judged at start, not now.
    const kept = dedupe(issues).filter((i) => !unresolved.has(i.path));
    const keyed = (list: Issue[]) => list.map((i) => ({ ...i, path: keyedPath(i.path, raw), message: keyedMessage(i.message, raw) }));
    return kept.length > 0 ? { ok: false, issues: keyed(kept), notes: keyed(notes) } : { ok: true, config, notes: keyed(notes) };
  };
  let config = undefined as unknown as HubConfig;

  const base = HubConfigBaseSchema.safeParse(resolved.value, { reportInput: true });
  if (!base.success) {
    issues.push(...zodIssues(base.error));
    return finish();
  }
  const connectors: ConnectorInstance[] = [];
  base.data.connectors.forEach((entry, i) => {
    const parsed = parseConnector(entry, i, issues);
    if (parsed) connectors.push(parsed);
  });
  config = { ...base.data, connectors };
  checkReferences(config, issues);
  checkFlow(config, issues);
  // Only a valid config gets its tables built; then every connector parsed, so indices match the file.
  if (issues.filter((i) => !unresolved.has(i.path)).length === 0) {
    prepareConnectorMappings(
      connectors,
      baseDir,
      (i, path, message) => issues.push({ path: formatPath(['connectors', i, ...path]), message }),
      allowedMappingDirs(env),
    );
  }
  const outcome = finish();
  if (outcome.ok) recordProvenance(config, resolved.references);
  return outcome;
}

/**
 * `connectors[2].settings` → `connectors[acme-3pl].settings`: an element of a list of objects with
 * a unique `id` is named by it, as the reload audit names it. Elements without one (or with a
 * duplicated one) keep their index.
 */
export function keyedPath(path: string, raw: unknown): string {
  const m = /^([A-Za-z]\w*)\[(\d+)\](.*)$/.exec(path);
  if (!m) return path;
  const [, key, index, rest] = m as unknown as [string, string, string, string];
  const list = (raw as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list)) return path;
  const id = (list[Number(index)] as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || !/^[\w.:-]+$/.test(id) || list.filter((x) => (x as { id?: unknown } | null)?.id === id).length !== 1) return path;
  return `${key}[${id}]${rest}`;
}

/** Paths quoted inside a message (a cross reference) get the same style. */
function keyedMessage(message: string, raw: unknown): string {
  return message.replace(/\b(connectors|channels|locations)\[\d+\][\w.[\]-]*/g, (p) => keyedPath(p, raw));
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
      message: `connector type "${def.type}" is a ${def.category} connector, not ${JSON.stringify(result.data.category)}`,
    });
  }
  return { ...(result.data as unknown as ConnectorInstance), category: def.category };
}

function checkReferences(config: HubConfig, issues: Issue[]): void {
  // One secret, two names: the audit log could not tell who acted, and revoking one would not revoke the other.
  const digests = config.auth.tokens.map(
    (t) =>
      t.tokenHash ??
      `sha256:${createHash('sha256')
        .update(t.token ?? '', 'utf8')
        .digest('hex')}`,
  );
  digests.forEach((d, i) => {
    const first = digests.indexOf(d);
    if (first !== i) {
      issues.push({
        path: formatPath(['auth', 'tokens', i, config.auth.tokens[i]!.token !== undefined ? 'token' : 'tokenHash']),
        message: `same secret as token "${config.auth.tokens[first]!.name}" (auth.tokens[${first}]); give each token its own`,
      });
    }
  });
  const names = config.auth.tokens.map((t) => t.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i)
      issues.push({ path: formatPath(['auth', 'tokens', i, 'name']), message: `duplicate token name "${n}" (the audit log records actors by name)` });
  });
  config.connectors.forEach((connector, i) => {
    for (const issue of mappingReferenceIssues(connector.settings)) issues.push({ path: formatPath(['connectors', i, ...issue.path]), message: issue.message });
  });

  const unique = (key: string, ids: string[]) =>
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) issues.push({ path: formatPath([key, i, 'id']), message: `duplicate id "${id}"` });
    });
  unique(
    'locations',
    config.locations.map((l) => l.id),
  );
  unique(
    'channels',
    config.channels.map((c) => c.id),
  );
  unique(
    'connectors',
    config.connectors.map((c) => c.id),
  );

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

/**
 * Reads and validates the config; throws a ConfigError listing every problem. With `missingEnv:
 * 'note'` (side-effect-free commands) unset variables are reported to `onNote` instead.
 */
export function loadConfig(
  file?: string,
  env: Record<string, string | undefined> = process.env,
  options: ParseOptions & { onNote?: (note: Issue) => void } = {},
): HubConfig {
  const path = configPath(file, env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const result = parseConfig(text, env, dirname(path), options);
  for (const note of result.notes) options.onNote?.(note);
  if (!result.ok) {
    throw new ConfigError(
      `${path}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}\n` + result.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'),
      result.issues,
    );
  }
  return result.config;
}

import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { audit } from '../core/audit.js';
import { findConnector } from '../connectors/registry.js';
import { parseConfig, type HubConfig } from '../core/config/load.js';
import { REDACTED } from '../core/config/redact.js';
import { redactConfig } from '../core/config/redact-config.js';
import type { Logger } from '../core/logger.js';
import type { Issue } from '../core/model/index.js';
import type { Queryable } from '../core/store/index.js';

/** One changed leaf of the config. Values under a secret key are shown as "[redacted]". */
export interface ConfigChange {
  /** `connectors[acme-3pl].settings.locations.RNO1`: arrays of objects with an `id` are keyed by it. */
  path: string;
  before?: unknown;
  after?: unknown;
}

/** What a reload did. */
export type ReloadOutcome = { status: 'applied'; changes: ConfigChange[]; restartRequired: string[] } | { status: 'rejected'; issues: Issue[] };

/**
 * Top-level sections a running hub applies at once. Anything else (server, storage, queues, auth,
 * alerts) is read at start-up only: a change there is recorded and reported as needing a restart.
 */
export const LIVE_SECTIONS = ['connectors', 'locations', 'channels', 'replenishment'] as const;
/** Per-connector keys read at start-up (schedulers, outbound workers): a change needs a restart. */
const START_ONLY_CONNECTOR_KEYS = ['schedules', 'rateLimit', 'reconcile'];

/**
 * Leaf-level differences of two configs, compared on the real values and shown from their
 * redacted copies: a changed secret is listed, as "[redacted]" on both sides.
 */
export function diffConfigs(before: HubConfig, after: HubConfig): ConfigChange[] {
  return diffTrees(before, after, redactConfig(before), redactConfig(after));
}

/** The diff of `before` and `after`, showing values from `shownBefore` and `shownAfter` (same shape). */
export function diffTrees(before: unknown, after: unknown, shownBefore: unknown, shownAfter: unknown): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
  const keyed = (node: unknown): unknown => {
    if (!Array.isArray(node) || !node.every((x) => x && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string')) return node;
    return Object.fromEntries(node.map((x: { id: string }) => [`[${x.id}]`, x]));
  };
  /** The shown copy's node for a key; below a redacted subtree everything shows as redacted. */
  const child = (shown: unknown, key: string, index: number | undefined): unknown => {
    if (shown === REDACTED) return REDACTED;
    if (Array.isArray(shown) && index !== undefined) return shown[index];
    return isObj(shown) ? (keyed(shown) as Record<string, unknown>)[key] : undefined;
  };
  const walk = (a: unknown, b: unknown, sa: unknown, sb: unknown, path: string): void => {
    const ka = keyed(a);
    const kb = keyed(b);
    if (isObj(ka) && isObj(kb) && Array.isArray(ka) === Array.isArray(kb)) {
      for (const key of new Set([...Object.keys(ka), ...Object.keys(kb)])) {
        const at = Array.isArray(ka) ? `${path}[${key}]` : key.startsWith('[') ? `${path}${key}` : path ? `${path}.${key}` : key;
        const index = Array.isArray(ka) ? Number(key) : undefined;
        walk(ka[key], kb[key], child(sa, key, index), child(sb, key, index), at);
      }
      return;
    }
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    changes.push({ path, ...(a !== undefined ? { before: sa ?? REDACTED } : {}), ...(b !== undefined ? { after: sb ?? REDACTED } : {}) });
  };
  walk(before, after, shownBefore, shownAfter, '');
  return changes;
}

/** Whether a change waits for a restart; `withClient` are connectors whose run-time client is built at start-up. */
function needsRestart(change: ConfigChange, withClient: ReadonlySet<string>): boolean {
  const top = change.path.split(/[.[]/)[0] ?? '';
  if (!(LIVE_SECTIONS as readonly string[]).includes(top)) return true;
  const match = /^connectors\[([^\]]+)\](?:\.(\w+))?/.exec(change.path);
  if (!match) return false;
  const [, id, key] = match;
  if (key !== undefined && START_ONLY_CONNECTOR_KEYS.includes(key)) return true;
  return withClient.has(id!) && (key === undefined || key === 'settings' || key === 'credentials' || key === 'enabled');
}

function connectorsWithClient(...configs: HubConfig[]): Set<string> {
  return new Set(configs.flatMap((c) => c.connectors.filter((i) => findConnector(i.type)?.createClient !== undefined).map((i) => i.id)));
}

export interface ReloaderOptions {
  /** Absolute path of the config file. */
  file: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  db: Queryable;
  current(): HubConfig;
  /** Swaps the running hub onto `next`; called only with a valid config. */
  apply(next: HubConfig): Promise<void> | void;
}

export interface ConfigReloader {
  /** Reads, validates and applies the file; a bad file is rejected and the running config stays. */
  reload(trigger: string): Promise<ReloadOutcome>;
  /** Reloads on SIGHUP and when the file changes (debounced); returns the function that stops it. */
  watch(options?: { signal?: boolean; file?: boolean; debounceMs?: number }): () => void;
}

export function createConfigReloader(options: ReloaderOptions): ConfigReloader {
  const { file, env, logger, db } = options;
  let chain: Promise<unknown> = Promise.resolve();

  const run = async (trigger: string): Promise<ReloadOutcome> => {
    let result: ReturnType<typeof parseConfig>;
    try {
      result = parseConfig(readFileSync(file, 'utf8'), env, dirname(file));
    } catch (err) {
      result = { ok: false, issues: [{ path: '(file)', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }], notes: [] };
    }
    if (!result.ok) {
      logger.error({ config: file, trigger, issues: result.issues }, `config reload rejected (${result.issues.length} problems); the running config stays`);
      await audit(db, { actor: 'system', action: 'config.reload', target: file, outcome: 'refused', details: { trigger, issues: result.issues } }).catch(
        () => undefined,
      );
      return { status: 'rejected', issues: result.issues };
    }
    const changes = diffConfigs(options.current(), result.config);
    const withClient = connectorsWithClient(options.current(), result.config);
    const restartRequired = changes.filter((c) => needsRestart(c, withClient)).map((c) => c.path);
    // Applied even without YAML changes: a SIGHUP re-reads CSV SKU maps, whose rows the diff cannot see.
    await options.apply(result.config);
    if (changes.length > 0) {
      await audit(db, { actor: 'system', action: 'config.reload', target: file, outcome: 'ok', details: { trigger, changes, restartRequired } });
    }
    logger.info({ config: file, trigger, changes: changes.length, restartRequired }, changes.length > 0 ? 'config reloaded' : 'config reloaded (no changes)');
    if (restartRequired.length > 0) logger.warn({ restartRequired }, 'some changed settings take effect only after a restart');
    return { status: 'applied', changes, restartRequired };
  };

  const reload = (trigger: string): Promise<ReloadOutcome> => {
    // One reload at a time, in order: a burst of triggers never interleaves two swaps.
    const next = chain.then(() => run(trigger));
    chain = next.catch(() => undefined);
    return next;
  };

  return {
    reload,
    watch({ signal = true, file: onFile = true, debounceMs = 200 } = {}) {
      const fire = (trigger: string) =>
        void reload(trigger).catch((err: Error) => logger.error({ err: err.message, trigger }, 'config reload failed; the running config stays'));
      const onHup = () => fire('SIGHUP');
      if (signal) process.on('SIGHUP', onHup);
      let watcher: FSWatcher | undefined;
      let timer: NodeJS.Timeout | undefined;
      if (onFile) {
        // Editors save by writing a new file and renaming it: watch the directory, not the inode.
        watcher = watch(dirname(file), (_event, name) => {
          if (name !== null && name !== basename(file)) return;
          clearTimeout(timer);
          timer = setTimeout(() => fire('file change'), debounceMs);
        });
        watcher.on('error', (err) => logger.warn({ err: err.message }, 'config file watch failed; SIGHUP still reloads'));
      }
      return () => {
        if (signal) process.off('SIGHUP', onHup);
        clearTimeout(timer);
        watcher?.close();
      };
    },
  };
}

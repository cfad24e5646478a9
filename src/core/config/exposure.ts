import { isIP } from 'node:net';
import { formatPath } from '../model/index.js';
import type { HubConfig } from './load.js';
import { envReferences } from './provenance.js';

/** Tokens published in this repository's example configs: anyone can read them. */
export const WELL_KNOWN_TOKENS: readonly string[] = ['local-admin-token-change-me'];

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (h.startsWith('::ffff:')) return isLoopback(h.slice('::ffff:'.length));
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * Why this config must not listen where it says, or undefined. Beyond loopback, a token whose
 * value is written in the config file (a `${VAR:-default}` fallback) or published in the examples
 * lets anyone in: the message names the variable to set.
 */
export function exposureProblem(config: HubConfig): string | undefined {
  const { host } = config.server;
  if (isLoopback(host)) return undefined;
  const refs = envReferences(config);
  for (const [i, token] of config.auth.tokens.entries()) {
    if (token.token === undefined) continue;
    const path = ['auth', 'tokens', i, 'token'];
    const ref = refs.find((r) => formatPath(r.path) === formatPath(path));
    const fromFile = ref?.fromDefault === true;
    if (!fromFile && !WELL_KNOWN_TOKENS.includes(token.token)) continue;
    const fix = ref
      ? `set ${ref.variable} to a secret of your own (e.g. openssl rand -hex 24)`
      : `replace it with a \${VARIABLE} reference and set that variable`;
    return (
      `refusing to listen on ${host} (beyond loopback) with a well-known ${token.role} token: ` +
      `${formatPath(path)} (token "${token.name}") is ${fromFile ? "the config file's default" : 'a published example value'}; ` +
      `${fix}, or bind server.host to 127.0.0.1`
    );
  }
  return undefined;
}

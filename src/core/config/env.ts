import type { Issue } from '../model/index.js';
import { formatPath } from '../model/index.js';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** One `${VAR}` reference in the config and what it became. */
export interface EnvReference {
  path: PropertyKey[];
  variable: string;
  /** The value it resolved to. */
  value: string;
  /** True when the variable was unset and the `:-default` written in the file was used. */
  fromDefault: boolean;
}

export interface EnvResolution {
  value: unknown;
  issues: Issue[];
  /** Every reference resolved: what came from the environment is a secret wherever it shows. */
  references: EnvReference[];
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed config tree.
 * A missing variable is an issue that names the variable and the key; no value is ever printed.
 * `skip(path)` leaves a subtree unresolved (a disabled connector need not have its secrets set).
 */
export function resolveEnv(
  tree: unknown,
  env: Record<string, string | undefined>,
  skip: (path: readonly PropertyKey[]) => boolean = () => false,
): EnvResolution {
  const issues: Issue[] = [];
  const references: EnvReference[] = [];
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (skip(path)) return node;
    if (typeof node === 'string') {
      return node.replace(REFERENCE, (whole, name: string, fallback: string | undefined) => {
        const value = env[name];
        if (value !== undefined && value !== '') {
          references.push({ path, variable: name, value, fromDefault: false });
          return value;
        }
        if (fallback !== undefined) {
          references.push({ path, variable: name, value: fallback, fromDefault: true });
          return fallback;
        }
        issues.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
        return whole;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(tree, []), issues, references };
}

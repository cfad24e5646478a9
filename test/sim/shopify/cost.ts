/**
 * The simulator's model of Shopify's GraphQL cost limits, from the documented rules:
 * - A query's requested cost is computed from its text before it runs: an object field costs 1,
 *   a scalar 0, a connection or list with `first: N` costs 2 + N × its selection, a mutation 10.
 * - Calls spend from a leaky bucket (`maximumAvailable` points, refilled at `restoreRate` per
 *   second); a call whose requested cost exceeds what is available is THROTTLED and not run.
 * - A query above the single-query limit (1,000) is refused with MAX_COST_EXCEEDED.
 * https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits
 */

export const SINGLE_QUERY_MAX_COST = 1000;
export const MUTATION_COST = 10;

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface Field {
  name: string;
  args: string;
  children: Field[];
}

/** The requested cost of a GraphQL document, Shopify style. */
export function requestedCost(query: string, variables: Record<string, unknown> = {}): number {
  const body = query.slice(query.indexOf('{'));
  if (/^\s*mutation\b/.test(query)) return MUTATION_COST;
  const { fields } = parseSelection(body, 0);
  return fields.reduce((sum, f) => sum + fieldCost(f, variables), 0);
}

function fieldCost(field: Field, variables: Record<string, unknown>): number {
  if (field.children.length === 0) return 0;
  const first = pageSize(field.args, variables);
  const inner = field.children.filter((c) => c.name !== 'pageInfo').reduce((sum, c) => sum + itemCost(c, variables), 0);
  return first === null ? 1 + inner : 2 + first * inner;
}

/** Inside a connection, `nodes { … }` / `edges { node { … } }` is the per-item object. */
function itemCost(field: Field, variables: Record<string, unknown>): number {
  if (field.name === 'nodes' || field.name === 'edges' || field.name === 'node') {
    return field.children.reduce((sum, c) => sum + fieldCost(c, variables), field.name === 'edges' ? 0 : 1);
  }
  return fieldCost(field, variables);
}

function pageSize(args: string, variables: Record<string, unknown>): number | null {
  // `nodes(ids: [...])` costs per id, like a page of that many.
  const ids = /\bids\s*:\s*\$(\w+)/.exec(args);
  if (ids && Array.isArray(variables[ids[1] as string])) return (variables[ids[1] as string] as unknown[]).length;
  const match = /\b(?:first|last)\s*:\s*(\$?\w+)/.exec(args);
  if (!match) return null;
  const raw = match[1] as string;
  const value = raw.startsWith('$') ? variables[raw.slice(1)] : Number(raw);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A small recursive-descent reader of selection sets: `name(args) { … }`, commas and aliases ignored. */
function parseSelection(text: string, start: number): { fields: Field[]; end: number } {
  const fields: Field[] = [];
  let i = text.indexOf('{', start) + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '}') return { fields, end: i + 1 };
    if (/[\s,]/.test(ch)) {
      i += 1;
      continue;
    }
    const name = /^[A-Za-z_][\w]*(\s*:\s*[A-Za-z_][\w]*)?/.exec(text.slice(i));
    if (!name) {
      i += 1;
      continue;
    }
    const field: Field = { name: name[0].split(':').pop()?.trim() ?? name[0], args: '', children: [] };
    i += name[0].length;
    while (/\s/.test(text.charAt(i))) i += 1;
    if (text.charAt(i) === '(') {
      const close = text.indexOf(')', i);
      field.args = text.slice(i + 1, close);
      i = close + 1;
      while (/\s/.test(text.charAt(i))) i += 1;
    }
    if (text.charAt(i) === '{') {
      const inner = parseSelection(text, i);
      field.children = inner.fields;
      i = inner.end;
    }
    fields.push(field);
  }
  return { fields, end: i };
}

/** The server side of the cost bucket. */
export class ThrottleBucket {
  private available: number;
  private at: number;

  constructor(
    public maximumAvailable = 1000,
    public restoreRate = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.available = maximumAvailable;
    this.at = now();
  }

  status(): ThrottleStatus {
    const elapsed = Math.max(0, this.now() - this.at) / 1000;
    this.available = Math.min(this.maximumAvailable, this.available + elapsed * this.restoreRate);
    this.at = this.now();
    return { maximumAvailable: this.maximumAvailable, currentlyAvailable: Math.floor(this.available), restoreRate: this.restoreRate };
  }

  /** Takes `cost` points if available; false means THROTTLED. */
  take(cost: number): boolean {
    if (this.status().currentlyAvailable < cost) return false;
    this.available -= cost;
    return true;
  }

  /** Gives back what a call did not use (actual below requested). */
  refund(points: number): void {
    this.status();
    this.available = Math.min(this.maximumAvailable, this.available + points);
  }

  /** Reshapes the bucket (a smaller plan, a slower refill) and optionally its current level. */
  configure(options: { maximumAvailable?: number; restoreRate?: number; currentlyAvailable?: number }): void {
    this.status();
    if (options.maximumAvailable !== undefined) this.maximumAvailable = options.maximumAvailable;
    if (options.restoreRate !== undefined) this.restoreRate = options.restoreRate;
    this.available = Math.min(this.maximumAvailable, options.currentlyAvailable ?? this.available);
  }
}

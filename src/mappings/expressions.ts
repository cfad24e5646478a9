import jsonata from 'jsonata';

/** A compiled JSONata expression; compiled once per distinct source text and shared. */
export type Expression = ReturnType<typeof jsonata>;

const compiled = new Map<string, Expression>();

/**
 * Compiles a JSONata expression, or returns the one compiled before from the same text. Config
 * validation calls this, so a running hub never compiles on the hot path. Throws on bad syntax.
 */
export function compileExpression(source: string): Expression {
  let expr = compiled.get(source);
  if (!expr) {
    expr = jsonata(source);
    compiled.set(source, expr);
  }
  return expr;
}

/** The syntax error of an expression, or null when it compiles. */
export function expressionError(source: string): string | null {
  try {
    compileExpression(source);
    return null;
  } catch (err) {
    const e = err as { message?: string; position?: number };
    return `invalid JSONata expression "${source}": ${e.message ?? String(err)}${e.position !== undefined ? ` at ${e.position}` : ''}`;
  }
}

/** Variables every expression can read besides its input: `$root`, `$receivedAt`, `$connectorId`, `$headers`. */
export interface ExpressionBindings {
  root: unknown;
  receivedAt: string;
  connectorId: string;
  [name: string]: unknown;
}

/**
 * Evaluates an expression; JSONata sequences come back as plain arrays and "no match" as undefined.
 * Runtime errors (e.g. `$number("x")`) are returned as a message, not thrown, so the caller can
 * name the field.
 */
export async function evaluate(source: string, input: unknown, bindings: ExpressionBindings): Promise<{ value: unknown } | { error: string }> {
  try {
    const value: unknown = await compileExpression(source).evaluate(input, bindings);
    return { value: Array.isArray(value) ? [...value] : value };
  } catch (err) {
    return { error: (err as Error).message ?? String(err) };
  }
}

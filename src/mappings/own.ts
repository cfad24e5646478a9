/**
 * A table lookup keyed by payload data: only the table's own entries count, so `constructor`,
 * `__proto__` or `toString` are unknown keys like any other, never inherited members.
 */
export function ownValue<V>(table: Readonly<Record<string, V>> | null | undefined, key: string): V | undefined {
  return table != null && Object.hasOwn(table, key) ? table[key] : undefined;
}

import { errorDetails } from '../http/response.js';

/** Small pieces of the Walmart HTTP exchange: query strings, multipart files, wait headers, error text. */

export function toQuery(query: Record<string, string | number | undefined> | undefined): string {
  const entries = Object.entries(query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}

export function multipart(file: { name: string; content: string }): FormData {
  const form = new FormData();
  form.append('file', new Blob([file.content], { type: 'application/json' }), file.name);
  return form;
}

/** `x-next-replenishment-time`: epoch milliseconds (or seconds), or an HTTP date. */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n < 1e11 ? n * 1000 : n;
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

/** Provider error text through an allow-list (`code`, `field`, `description`), truncated; never whole bodies. */
export function describeErrors(body: unknown): string {
  const raw = (body as { errors?: unknown } | undefined)?.errors;
  const list = Array.isArray(raw) ? raw : Array.isArray((raw as { error?: unknown } | undefined)?.error) ? (raw as { error: unknown[] }).error : [];
  return errorDetails(
    list.map((e) => {
      const x = e as { code?: unknown; field?: unknown; description?: unknown };
      return [x.code, x.field, x.description];
    }),
  );
}

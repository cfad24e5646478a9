import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import axios, { isAxiosError } from 'axios';
import { z } from 'zod';
import { AuthError, ContractError, RateLimitedError, UpstreamUnavailableError } from '../../../core/errors.js';
import { classifyHttpError, toHubError } from '../../http/classify-http-error.js';
import type { ShopifyClient } from '../client.js';

/** https://shopify.dev/docs/api/admin-graphql/2025-07/mutations/bulkOperationRunQuery */
export const BULK_OPERATION_RUN_QUERY = `mutation bulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

/** A bulk operation read back by id. https://shopify.dev/docs/api/admin-graphql/2025-07/objects/BulkOperation */
export const BULK_OPERATION_STATUS = `query bulkOperationStatus($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode objectCount url } }
}`;

const RunSchema = z.object({
  bulkOperationRunQuery: z.object({
    bulkOperation: z.object({ id: z.string(), status: z.string() }).nullable(),
    userErrors: z.array(z.object({ field: z.array(z.string()).nullable().optional(), message: z.string(), code: z.string().nullable().optional() })),
  }),
});
const StatusSchema = z.object({
  node: z
    .object({
      id: z.string(),
      status: z.string(),
      errorCode: z.string().nullable().optional(),
      objectCount: z.union([z.string(), z.number()]).optional(),
      url: z.string().nullable().optional(),
    })
    .nullable(),
});

export interface BulkOptions {
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Longest wait for the export to finish (default 30 minutes). */
  maxWaitMs?: number;
  /** Timeout of the file download's connection and of each pause in it. */
  requestTimeoutMs: number;
}

/**
 * Runs a bulk query and waits for it: the query runs on Shopify's side without the cost limit
 * (one bulk query per shop and app at a time before 2026-01), and its result is a JSONL file.
 * Polls `node(id:)` from 250 ms, doubling to 5 s. Returns the file URL, or null when the query
 * matched nothing (Shopify gives no file then).
 * https://shopify.dev/docs/api/usage/bulk-operations/queries
 */
export async function runBulkQuery(client: ShopifyClient, connectorId: string, query: string, options: BulkOptions): Promise<string | null> {
  const run = await client.graphql({
    name: 'bulkOperationRunQuery',
    query: BULK_OPERATION_RUN_QUERY,
    variables: { query },
    data: RunSchema,
    idempotent: false,
    estimatedCost: 10,
  });
  const { bulkOperation, userErrors } = run.bulkOperationRunQuery;
  if (userErrors.some((e) => e.code === 'OPERATION_IN_PROGRESS')) {
    throw new RateLimitedError(`${connectorId}: another bulk query of this app is running on the shop`, { connectorId, retryAfterMs: 60_000 });
  }
  if (userErrors.length > 0 || !bulkOperation) {
    throw new ContractError(
      `${connectorId}: bulkOperationRunQuery refused: ${userErrors
        .map((e) => e.message)
        .join('; ')
        .slice(0, 300)}`,
      { connectorId },
    );
  }
  const deadline = options.now() + (options.maxWaitMs ?? 30 * 60_000);
  for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
    await options.sleep(wait);
    const { node } = await client.graphql({
      name: 'bulkOperationStatus',
      query: BULK_OPERATION_STATUS,
      variables: { id: bulkOperation.id },
      data: StatusSchema,
      idempotent: true,
      estimatedCost: 1,
    });
    if (!node) throw new ContractError(`${connectorId}: bulk operation ${bulkOperation.id} not found`, { connectorId });
    if (node.status === 'COMPLETED') return node.url ?? null;
    if (node.status === 'FAILED' || node.status === 'CANCELED' || node.status === 'CANCELING' || node.status === 'EXPIRED') {
      const message = `${connectorId}: bulk operation ${bulkOperation.id} ${node.status.toLowerCase()} (${node.errorCode ?? 'no error code'})`;
      throw node.errorCode === 'ACCESS_DENIED' ? new AuthError(message, { connectorId }) : new UpstreamUnavailableError(message, { connectorId });
    }
    if (options.now() > deadline)
      throw new UpstreamUnavailableError(`${connectorId}: bulk operation ${bulkOperation.id} still ${node.status} after the wait limit`, { connectorId });
  }
}

/**
 * Streams a bulk result file line by line, parsed: the file can hold the whole catalogue, so it is
 * never read into memory at once. The URL is a signed storage link: no access token is sent.
 * https://shopify.dev/docs/api/usage/bulk-operations/queries#download-result-data
 */
export async function* readJsonl(url: string, connectorId: string, requestTimeoutMs: number): AsyncGenerator<{ line: number; value: unknown }> {
  let stream: Readable;
  try {
    const response = await axios.get<Readable>(url, { responseType: 'stream', timeout: requestTimeoutMs, validateStatus: () => true });
    if (response.status < 200 || response.status >= 300) {
      response.data.destroy();
      const action = classifyHttpError({ status: response.status, headers: response.headers as Record<string, string> });
      throw toHubError(action, `${connectorId}: bulk result download: HTTP ${response.status}`, { connectorId });
    }
    stream = response.data;
  } catch (err) {
    if (!isAxiosError(err)) throw err;
    throw toHubError({ retryable: true, code: 'network_error' }, `${connectorId}: bulk result download failed (${err.code ?? 'ERR_NETWORK'})`, { connectorId });
  }
  // A download that stalls mid-file fails instead of hanging the run.
  (stream as Readable & { setTimeout?(ms: number, onTimeout: () => void): void }).setTimeout?.(requestTimeoutMs, () => stream.destroy(new Error('stalled')));
  let line = 0;
  try {
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line += 1;
      if (text.trim() === '') continue;
      try {
        yield { line, value: JSON.parse(text) as unknown };
      } catch (err) {
        if (err instanceof SyntaxError) throw new ContractError(`${connectorId}: bulk result line ${line} is not JSON`, { connectorId, field: `line ${line}` });
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof ContractError) throw err;
    throw new UpstreamUnavailableError(`${connectorId}: bulk result download broke off at line ${line}: ${(err as Error).message}`, { connectorId });
  } finally {
    stream.destroy();
  }
}

import { ContractError, UpstreamUnavailableError } from '../../../core/errors.js';
import type { PushFailure } from '../../types.js';
import type { AmazonClient } from '../client.js';
import type { AmazonSpSettings } from '../config.js';
import {
  CreateFeedDocumentResponseSchema,
  CreateFeedResponseSchema,
  FeedDocumentSchema,
  FeedSchema,
  type ListingsFeedReport,
  ListingsFeedReportSchema,
} from '../shapes.js';
import type { PushDeps } from './push-availability.js';
import { type StockItem, quantityPatch } from './stock-items.js';

/** A JSON_LISTINGS_FEED holds at most 25,000 messages. https://developer-docs.amazon.com/sp-api/changelog/update-feed-size-and-rate-limit-changes-for-the-json_listings_feed */
export const MAX_FEED_MESSAGES = 25_000;

const CONTENT_TYPE = 'application/json; charset=UTF-8';

/**
 * Many SKUs in one JSON_LISTINGS_FEED of PATCH messages, then the processing report read back:
 * an ERROR issue fails its message's SKU only; every other SKU is set.
 * Steps: createFeedDocument → upload to the presigned URL → createFeed → getFeed until DONE →
 * getFeedDocument → download the report (gzip when announced).
 * https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-use-case-guide
 * Feed format: https://developer-docs.amazon.com/sp-api/docs/listings-feed-type-values
 */
export async function pushByFeed(
  client: AmazonClient,
  settings: AmazonSpSettings,
  connectorId: string,
  items: StockItem[],
  failures: PushFailure[],
  deps: PushDeps,
): Promise<StockItem[]> {
  const feed: FeedCall = { client, settings, connectorId, failures, deps };
  const done: StockItem[] = [];
  for (let i = 0; i < items.length; i += MAX_FEED_MESSAGES) done.push(...(await oneFeed(feed, items.slice(i, i + MAX_FEED_MESSAGES))));
  return done;
}

/** What every feed of one push shares. */
interface FeedCall {
  client: AmazonClient;
  settings: AmazonSpSettings;
  connectorId: string;
  failures: PushFailure[];
  deps: PushDeps;
}

async function oneFeed({ client, settings, connectorId, failures, deps }: FeedCall, items: StockItem[]): Promise<StockItem[]> {
  const document = {
    header: { sellerId: settings.sellerId, version: '2.0', issueLocale: 'en_US' },
    messages: items.map((item, i) => ({
      messageId: i + 1,
      sku: item.sellerSku,
      operationType: 'PATCH',
      productType: item.productType,
      patches: quantityPatch(settings, item.quantity),
    })),
  };
  const upload = await client.call({
    operation: 'createFeedDocument',
    method: 'POST',
    path: '/feeds/2021-06-30/documents',
    body: { contentType: CONTENT_TYPE },
    response: CreateFeedDocumentResponseSchema,
    idempotent: true,
  });
  await client.upload(upload.url, CONTENT_TYPE, JSON.stringify(document));
  const { feedId } = await client.call({
    operation: 'createFeed',
    method: 'POST',
    path: '/feeds/2021-06-30/feeds',
    body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [settings.marketplaceId], inputFeedDocumentId: upload.feedDocumentId },
    response: CreateFeedResponseSchema,
    idempotent: false,
  });
  const feed = await waitForFeed(client, settings, connectorId, feedId, deps);
  if (feed.processingStatus === 'CANCELLED')
    throw new UpstreamUnavailableError(`${connectorId}: listings feed ${feedId} was cancelled`, { connectorId, step: 'push' });
  const report = feed.resultFeedDocumentId ? await readReport(client, connectorId, feed.resultFeedDocumentId) : undefined;
  if (feed.processingStatus === 'FATAL' || !report) {
    const reason = report?.issues[0]?.message.slice(0, 200) ?? 'no processing report';
    for (const item of items)
      failures.push({
        sku: item.sku,
        error: new ContractError(`${connectorId}: listings feed ${feedId} failed (${feed.processingStatus}): ${reason}`, { connectorId, step: 'push' }),
      });
    return [];
  }
  const errorsByMessage = new Map<number, string>();
  for (const issue of report.issues) {
    if (issue.severity !== 'ERROR' || errorsByMessage.has(issue.messageId)) continue;
    errorsByMessage.set(issue.messageId, `${issue.code} ${issue.message}`.slice(0, 300));
  }
  const done: StockItem[] = [];
  items.forEach((item, i) => {
    const error = errorsByMessage.get(i + 1);
    if (error === undefined) return void done.push(item);
    failures.push({
      sku: item.sku,
      error: new ContractError(`${connectorId}: listings feed ${feedId} rejected seller SKU ${item.sellerSku}: ${error}`, {
        connectorId,
        step: 'push',
        field: 'externalIds.sellerSku',
        value: item.sellerSku,
      }),
    });
  });
  return done;
}

/** getFeed every `feedPollMs` until the feed is processed; past `feedMaxWaitMs` the push is retried later. */
async function waitForFeed(client: AmazonClient, settings: AmazonSpSettings, connectorId: string, feedId: string, deps: PushDeps) {
  const deadline = deps.now() + settings.feedMaxWaitMs;
  for (;;) {
    const feed = await client.call({
      operation: 'getFeed',
      method: 'GET',
      path: `/feeds/2021-06-30/feeds/${encodeURIComponent(feedId)}`,
      response: FeedSchema,
      idempotent: true,
    });
    if (feed.processingStatus === 'DONE' || feed.processingStatus === 'FATAL' || feed.processingStatus === 'CANCELLED') return feed;
    if (deps.now() + settings.feedPollMs > deadline) {
      throw new UpstreamUnavailableError(`${connectorId}: listings feed ${feedId} still ${feed.processingStatus} after ${settings.feedMaxWaitMs} ms`, {
        connectorId,
        step: 'push',
        retryAfterMs: settings.feedPollMs,
      });
    }
    await deps.sleep(settings.feedPollMs);
  }
}

async function readReport(client: AmazonClient, connectorId: string, documentId: string): Promise<ListingsFeedReport> {
  const doc = await client.call({
    operation: 'getFeedDocument',
    method: 'GET',
    path: `/feeds/2021-06-30/documents/${encodeURIComponent(documentId)}`,
    response: FeedDocumentSchema,
    idempotent: true,
  });
  const text = await client.download(doc.url, doc.compressionAlgorithm === 'GZIP');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ContractError(`${connectorId}: listings feed report ${documentId} is not JSON`, { connectorId, step: 'push' });
  }
  const report = ListingsFeedReportSchema.safeParse(parsed);
  if (!report.success) throw new ContractError(`${connectorId}: listings feed report ${documentId} has an unexpected shape`, { connectorId, step: 'push' });
  return report.data;
}

import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { HubBudgets } from '../../queues/budgets.js';
import { z } from 'zod';
import type { HubConfig } from '../../core/config/load.js';
import type { Role } from '../../core/config/schema.js';
import type { ErpContext } from '../../core/erp/context.js';
import type { Logger } from '../../core/logger.js';
import type { Db } from '../../core/store/index.js';
import type { Catalog } from '../../queues/catalog.js';
import type { BoundConnector } from '../../queues/bind.js';
import type { HubQueues } from '../../queues/runtime.js';
import type { AlertMonitor } from '../alerts.js';
import type { QueueHistory } from '../queue-history.js';
import type { HubMetrics } from '../../core/metrics.js';
import type { Principal } from './auth.js';
import type { RedisReads } from './redis-reads.js';

/** What ops handlers work with: the same services the CLI opens, plus the API process's monitors. */
export interface OpsDeps {
  config: HubConfig;
  db: Db;
  redis: Redis;
  queues: HubQueues;
  connectors: ReadonlyMap<string, BoundConnector>;
  catalog: Catalog;
  erp: ErpContext;
  metrics: HubMetrics;
  logger: Logger;
  history: QueueHistory;
  alerts: AlertMonitor;
  /** Connector budgets (left per window, changes held); absent in consoles built without a hub. */
  budgets?: HubBudgets;
  /** Redis for ops reads and operator commands: fails fast when Redis is down, with the last good answers. */
  reads: RedisReads;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Absent only on public routes. */
  principal: Principal | undefined;
  /** `api:<token name>`, for audit rows written by domain functions. */
  actor: string;
  deps: OpsDeps;
  req: Request;
  res: Response;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

/**
 * One ops API operation. The express routes and the OpenAPI document are both built from these,
 * so a route cannot exist undocumented.
 */
export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: 'get' | 'post' | 'delete';
  /** Path below /api in OpenAPI form: `/dead-letters/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Least role allowed; `public` needs no token. */
  role: Role | 'public';
  /** Audit action of a mutating route (`dead-letter.replay`). Required for post and delete. */
  action?: string;
  /** Audit target from the path parameters (`connector:shopify-eu`). */
  target?: (params: z.output<P>) => string;
  /**
   * The domain function called writes its own audit rows on success (replay and discard do, per
   * entry); the router then records only refusals and failures.
   */
  auditsItself?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** The response body on success; documents it and lets tests check real responses against it. */
  response: z.ZodType;
  /** Status of a success (200 unless told). */
  status?: number;
  /** Answers this route gives besides success, 400, 401/403, 404, 413 and 500, each with when. */
  errors?: Partial<Record<409 | 429 | 502 | 503, string>>;
  /** A success body for the document (default: one built from `response`; tests check it parses). */
  example?: unknown;
  handler(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

/** A route with its types erased, as the router and the OpenAPI builder see it. */
export type OpsRoute = RouteSpec<AnyObject, AnyObject, z.ZodType>;

/** Declares a route with its handler typed from its zod schemas. */
export function defineRoute<P extends AnyObject = z.ZodObject<{}>, Q extends AnyObject = z.ZodObject<{}>, B extends z.ZodType = z.ZodUndefined>(
  spec: RouteSpec<P, Q, B>,
): OpsRoute {
  if (spec.method !== 'get' && !spec.action) throw new Error(`${spec.method} ${spec.path} needs an audit action`);
  return spec;
}

/** `/dead-letters/{id}` → `/dead-letters/:id`. */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** A positive integer id in a path. */
export const IdParam = z.object({ id: z.coerce.number().int().positive() });

import { isAxiosError } from 'axios';
import type { z } from 'zod';
import { ContractError, RateLimitedError } from '../../core/errors.js';
import { zodIssues } from '../../core/model/index.js';
import { retryInCall } from '../http/retry.js';
import { classifyHttpError, toHubError } from '../http/classify-http-error.js';
import { textHttp } from '../http/transport.js';
import type { ClientDeps } from '../types.js';
import { QBO_BASE_URLS, type QuickBooksConfig } from './config.js';
import { parseQboJson, stringifyQboJson } from './money.js';
import { type ConnectorState, TokenManager, memoryState } from './oauth.js';
import { QboFaultSchema } from './shapes.js';

/** A Fault answer of the API, with its QuickBooks error code (`5010` stale object, `6240` duplicate name, ...). */
export class QboFaultError extends ContractError {
  constructor(
    message: string,
    readonly faultCode: string,
    readonly status: number,
    connectorId: string,
  ) {
    super(message, { connectorId, code: status === 404 ? 'not_found' : 'contract_rejected' });
  }
}

/** QuickBooks error codes. https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/handling-common-errors */
export const QBO_STALE_OBJECT = '5010';
export const QBO_DUPLICATE_NAME = '6240';

export interface QboResponse<T> {
  entity: T;
  /** The response text as QuickBooks sent it (stored as the inbox body of a fetched entity). */
  raw: string;
}

/** The only part of the connector that speaks HTTP: the Accounting API of one company. */
export interface QboClient {
  readonly realmId: string;
  readonly tokens: TokenManager;
  readonly state: ConnectorState;
  /** GET one entity (`Invoice`, `Payment`, ...) by id. */
  read<T>(entity: string, id: string, schema: z.ZodType<T>): Promise<QboResponse<T>>;
  /** A query (`select * from Invoice where DocNumber = '1001'`), the entities of `entity` it returns. */
  query<T>(statement: string, entity: string, schema: z.ZodType<T>): Promise<T[]>;
  /**
   * POST a create or (with Id, SyncToken, sparse) an update. `requestId` makes the call idempotent
   * on QuickBooks' side: a resend with the same id gets the first answer, never a second entity.
   */
  write<T>(entity: string, body: Record<string, unknown>, requestId: string, schema: z.ZodType<T>): Promise<QboResponse<T>>;
}

/**
 * Builds the client of one instance. URLs: `<base>/v3/company/<realmId>/<entity>[/<id>]` with
 * `minorversion`; base is `settings.baseUrl` or the environment's host.
 * - A 401 refreshes the access token once and resends (the same requestid, so a write is safe).
 * - 5xx and network failures are retried in-call; writes too, since every write carries a requestid.
 * - 429 becomes RateLimitedError with the documented 60 s wait; a Fault becomes QboFaultError.
 * https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
 * https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles
 */
export function createQboClient(config: QuickBooksConfig & { id: string }, deps: ClientDeps & { state?: ConnectorState }): QboClient {
  const { settings } = config;
  const id = config.id;
  const now = deps.now ?? Date.now;
  const state = deps.state ?? memoryState();
  if (!deps.state) deps.logger.warn({ connectorId: id }, 'quickbooks: no durable connector state; a rotated refresh token lives only in this process');
  const tokens = new TokenManager(config, { state, logger: deps.logger, now, timeoutMs: settings.requestTimeoutMs });
  const base = `${(settings.baseUrl ?? QBO_BASE_URLS[settings.environment]).replace(/\/+$/, '')}/v3/company/${settings.realmId}`;
  const http = textHttp(settings.requestTimeoutMs);

  async function send(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
    body: string | undefined,
    what: string,
  ): Promise<{ status: number; text: string }> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await tokens.accessToken();
      let res;
      try {
        res = await http.request<string>({
          method,
          url: `${base}/${path}`,
          params: { ...params, minorversion: settings.minorVersion },
          data: body,
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
        });
      } catch (err) {
        const code = isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK';
        throw toHubError({ retryable: true, code: 'network_error' }, `${id}: ${what}: request failed (${code})`, { connectorId: id });
      }
      if (res.status === 401 && attempt === 0) {
        tokens.invalidate(token);
        continue;
      }
      return { status: res.status, text: typeof res.data === 'string' ? res.data : '' };
    }
  }

  async function call(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
    body: string | undefined,
    what: string,
  ): Promise<{ parsed: unknown; text: string }> {
    return retryInCall(
      async () => {
        const { status, text } = await send(method, path, params, body, what);
        const parsed = parse(text);
        if (status >= 200 && status < 300) {
          if (parsed === undefined) throw new ContractError(`${id}: ${what}: response is not JSON`, { connectorId: id });
          return { parsed, text };
        }
        if (status === 429) throw new RateLimitedError(`${id}: ${what}: throttled by QuickBooks`, { connectorId: id, retryAfterMs: 60_000 });
        const fault = QboFaultSchema.safeParse(parsed);
        const first = fault.success ? fault.data.Fault.Error[0] : undefined;
        // Provider text through an allow-list: the error code and Message, never Detail (it may quote customer data).
        const reason = first ? `${first.Message ?? 'error'} (code ${String(first.code ?? '?')})` : `HTTP ${status}`;
        if (status >= 400 && status < 500 && status !== 401 && status !== 403 && first) {
          throw new QboFaultError(`${id}: ${what}: ${reason}`, String(first.code ?? ''), status, id);
        }
        throw toHubError(classifyHttpError({ status }, { now: now() }), `${id}: ${what}: ${reason}`, { connectorId: id });
      },
      // Every call here is a read or a write carrying a requestid, so a resend is safe.
      { idempotent: true },
    );
  }

  function shape<T>(value: unknown, entity: string, schema: z.ZodType<T>, what: string): T {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issue = zodIssues(result.error)[0];
    throw new ContractError(`${id}: ${what}: unexpected ${entity} shape at ${issue?.path}: ${issue?.message}`, {
      connectorId: id,
      field: `${entity}.${issue?.path}`,
    });
  }

  return {
    realmId: settings.realmId,
    tokens,
    state,
    // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice#read-an-invoice
    async read(entity, entityId, schema) {
      const what = `read ${entity} ${entityId}`;
      const { parsed, text } = await call('GET', `${entity.toLowerCase()}/${encodeURIComponent(entityId)}`, {}, undefined, what);
      return { entity: shape((parsed as Record<string, unknown>)[entity], entity, schema, what), raw: text };
    },
    // https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
    async query(statement, entity, schema) {
      const { parsed } = await call('GET', 'query', { query: statement }, undefined, `query ${entity}`);
      const rows = (parsed as { QueryResponse?: Record<string, unknown> }).QueryResponse?.[entity];
      return Array.isArray(rows) ? rows.map((r, i) => shape(r, `${entity}[${i}]`, schema, `query ${entity}`)) : [];
    },
    async write(entity, payload, requestId, schema) {
      const what = `${payload['Id'] ? 'update' : 'create'} ${entity}`;
      const { parsed, text } = await call('POST', entity.toLowerCase(), { requestid: requestId }, stringifyQboJson(payload), what);
      return { entity: shape((parsed as Record<string, unknown>)[entity], entity, schema, what), raw: text };
    },
  };
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return parseQboJson(text);
  } catch {
    return undefined;
  }
}

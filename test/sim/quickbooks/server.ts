import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signQuickBooks } from '../../../src/connectors/quickbooks/verify.js';

// A QuickBooks Online simulator built from the documented shapes: the OAuth token endpoint with
// refresh-token rotation, invoices, sales receipts, credit memos, customers, items, payments, the
// query endpoint, requestid replay, SyncToken checks, and signed webhooks in both formats.
// https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features

type Entity = Record<string, unknown> & { Id: string; SyncToken: string };
const KINDS: Record<string, string> = {
  invoice: 'Invoice',
  salesreceipt: 'SalesReceipt',
  creditmemo: 'CreditMemo',
  customer: 'Customer',
  item: 'Item',
  payment: 'Payment',
};

export interface QboSimulator {
  url: string;
  realmId: string;
  clientId: string;
  clientSecret: string;
  verifierToken: string;
  /** The refresh token the simulator currently honours (it rotates on every refresh). */
  refreshToken: string;
  entities: Map<string, Map<string, Entity>>;
  counters: { refreshes: number; creates: Record<string, number>; replays: number };
  /** Adds an entity as if made in QuickBooks; returns it. */
  put(kind: string, fields: Record<string, unknown>): Entity;
  /** Answers the next `count` API calls (not token refreshes) with `status`; `clear()` drops what is left. */
  faults: { next(count: number, fault: { status: number }): void; clear(): void };
  /** Posts a signed notification naming these entities to `url`, in either format. */
  notify(url: string, refs: { entity: string; id: string; operation: string }[], format: 'legacy' | 'cloudevents', signWith?: string): Promise<number>;
  close(): Promise<void>;
}

export async function startQboSimulator(options: { realmId?: string; refreshToken?: string } = {}): Promise<QboSimulator> {
  const realmId = options.realmId ?? '9130350000000001';
  const entities = new Map<string, Map<string, Entity>>(Object.values(KINDS).map((k) => [k, new Map()]));
  const replies = new Map<string, string>();
  const access = new Set<string>();
  let nextId = 100;
  const counters = { refreshes: 0, creates: {} as Record<string, number>, replays: 0 };
  const sim = { refreshToken: options.refreshToken ?? 'rt-initial', previous: '' };
  const pending: { status: number }[] = [];

  const put = (kind: string, fields: Record<string, unknown>): Entity => {
    const now = new Date().toISOString();
    const e = {
      ...fields,
      Id: String((fields['Id'] as string | undefined) ?? nextId++),
      SyncToken: '0',
      MetaData: { CreateTime: now, LastUpdatedTime: now },
    } as Entity;
    if (Array.isArray(e['Line'])) {
      e['Line'] = (e['Line'] as Record<string, unknown>[]).map((l, i) => ({ Id: String(i + 1), LineNum: i + 1, ...l }));
      const total =
        (e['Line'] as { Amount?: number; DetailType?: string }[])
          .filter((l) => l.DetailType !== 'SubTotalLineDetail')
          .reduce((a, l) => a + Math.round((l.Amount ?? 0) * 100), 0) / 100;
      const tax = Number((e['TxnTaxDetail'] as { TotalTax?: number } | undefined)?.TotalTax ?? 0);
      e['TotalAmt'] ??= Math.round((total + tax) * 100) / 100;
      e['Balance'] ??= e['TotalAmt'];
    }
    entities.get(kind)!.set(e.Id, e);
    return e;
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const fault = (code: string, message: string) => ({
    Fault: { Error: [{ Message: message, code }], type: 'ValidationFault' },
    time: new Date().toISOString(),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    // https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
    if (url.pathname === '/oauth2/v1/tokens/bearer') {
      const form = new URLSearchParams(body);
      const basic = `Basic ${Buffer.from(`sim-client:sim-secret`).toString('base64')}`;
      if (req.headers.authorization !== basic) return send(res, 401, { error: 'invalid_client' });
      const given = form.get('refresh_token');
      if (given !== sim.refreshToken && given !== sim.previous) return send(res, 400, { error: 'invalid_grant' });
      counters.refreshes += 1;
      sim.previous = given === sim.refreshToken ? sim.refreshToken : sim.previous;
      sim.refreshToken = `rt-${randomUUID().slice(0, 8)}`;
      const token = `at-${randomUUID()}`;
      access.add(token);
      return send(res, 200, {
        access_token: token,
        refresh_token: sim.refreshToken,
        expires_in: 3600,
        x_refresh_token_expires_in: 8726400,
        token_type: 'bearer',
      });
    }
    const injected = pending.shift();
    if (injected) return send(res, injected.status, injected.status === 429 ? { error: 'throttled' } : fault(String(injected.status), 'Injected fault'));
    const m = /^\/v3\/company\/(\d+)\/([a-z]+)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m || m[1] !== realmId) return send(res, 404, fault('610', 'Object Not Found'));
    if (!access.has((req.headers.authorization ?? '').replace(/^Bearer /, '')))
      return send(res, 401, { fault: { error: [{ message: 'AuthenticationFailed', code: '3200' }] } });
    const [, , resource = '', id] = m;
    if (resource === 'query') {
      // Only the simple form the connector sends: select * from <Entity> where <Field> = '<value>'.
      const q = /^select \* from (\w+) where (\w+) = '((?:[^'\\]|\\.)*)'$/i.exec(url.searchParams.get('query') ?? '');
      if (!q) return send(res, 400, fault('4000', 'Error parsing query'));
      const value = q[3]!.replace(/\\(.)/g, '$1');
      const rows = [...(entities.get(q[1]!)?.values() ?? [])].filter((e) => {
        const field = e[q[2]!];
        return (typeof field === 'object' && field !== null ? (field as { Address?: unknown }).Address : field) === value;
      });
      return send(res, 200, { QueryResponse: rows.length ? { [q[1]!]: rows, startPosition: 1, maxResults: rows.length } : {}, time: new Date().toISOString() });
    }
    const kind = KINDS[resource];
    if (!kind) return send(res, 400, fault('2010', 'Unsupported resource'));
    if (req.method === 'GET') {
      const e = id ? entities.get(kind)!.get(id) : undefined;
      return e ? send(res, 200, { [kind]: e, time: new Date().toISOString() }) : send(res, 400, fault('610', 'Object Not Found'));
    }
    const requestId = url.searchParams.get('requestid');
    const replayKey = requestId ? `${kind}:${requestId}` : undefined;
    if (replayKey && replies.has(replayKey)) {
      counters.replays += 1;
      return send(res, 200, replies.get(replayKey)!);
    }
    const payload = JSON.parse(body) as Record<string, unknown>;
    let saved: Entity;
    if (payload['Id']) {
      const current = entities.get(kind)!.get(JSON.stringify(payload['Id']).replace(/^"|"$/g, ''));
      if (!current) return send(res, 400, fault('610', 'Object Not Found'));
      if (payload['SyncToken'] !== current.SyncToken) return send(res, 400, fault('5010', 'Stale Object Error'));
      saved = { ...current, ...payload, SyncToken: String(Number(current.SyncToken) + 1) };
      delete saved['sparse'];
      entities.get(kind)!.set(saved.Id, saved);
    } else {
      if (kind === 'Customer' && [...entities.get('Customer')!.values()].some((c) => c['DisplayName'] === payload['DisplayName'])) {
        return send(res, 400, fault('6240', 'Duplicate Name Exists Error'));
      }
      saved = put(kind, payload);
      counters.creates[kind] = (counters.creates[kind] ?? 0) + 1;
    }
    const text = JSON.stringify({ [kind]: saved, time: new Date().toISOString() });
    if (replayKey) replies.set(replayKey, text);
    return send(res, 200, text);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: Error) => send(res, 500, { error: err.message })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const verifierToken = 'sim-verifier-token';
  return {
    url,
    realmId,
    clientId: 'sim-client',
    clientSecret: 'sim-secret',
    verifierToken,
    get refreshToken() {
      return sim.refreshToken;
    },
    entities,
    counters,
    put,
    faults: {
      next(count, f) {
        for (let i = 0; i < count; i += 1) pending.push(f);
      },
      clear() {
        pending.length = 0;
      },
    },
    async notify(target, refs, format, signWith = verifierToken) {
      const time = new Date().toISOString();
      // https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks (both payload formats)
      const body =
        format === 'legacy'
          ? {
              eventNotifications: [
                { realmId, dataChangeEvent: { entities: refs.map((r) => ({ name: r.entity, id: r.id, operation: r.operation, lastUpdated: time })) } },
              ],
            }
          : refs.map((r) => ({
              specversion: '1.0',
              id: randomUUID(),
              source: 'intuit.sim',
              type: `qbo.${r.entity.toLowerCase()}.${{ Create: 'created', Update: 'updated', Delete: 'deleted', Void: 'voided' }[r.operation] ?? 'updated'}.v1`,
              datacontenttype: 'application/json',
              time,
              intuitentityid: r.id,
              intuitaccountid: realmId,
              data: {},
            }));
      const raw = JSON.stringify(body);
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'intuit-signature': signQuickBooks(raw, signWith) },
        body: raw,
      });
      return res.status;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

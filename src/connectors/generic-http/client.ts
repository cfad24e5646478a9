import axios, { AxiosError, type AxiosResponse } from 'axios';
import { ContractError, NetworkError, type HubError } from '../../core/errors.js';
import { evaluate, type ExpressionBindings } from '../../mappings/expressions.js';
import { classifyHttpError, toHubError } from '../http/classify-http-error.js';
import type { AvailabilityUpdate, ConnectorClient, PushResult } from '../types.js';
import type { GenericHttpConfig, HttpRequestSpec } from './config.js';

type Instance = GenericHttpConfig & { id: string };

async function render(template: string, input: unknown, bindings: ExpressionBindings, encode: boolean): Promise<string> {
  let out = '';
  let last = 0;
  for (const match of template.matchAll(/\{\{(.+?)\}\}/g)) {
    const result = await evaluate(match[1]!.trim(), input, bindings);
    if ('error' in result || result.value === undefined) {
      throw new ContractError(`template "${template}": {{${match[1]}}} yields nothing${'error' in result ? ` (${result.error})` : ''}`, { field: 'settings' });
    }
    const text = typeof result.value === 'string' ? result.value : JSON.stringify(result.value);
    // encodeURIComponent leaves "." alone, and the URL parser resolves "." and ".." segments: a SKU
    // of ".." would climb the path on the same host.
    if (encode && /^\.{1,2}$/.test(text)) {
      throw new ContractError(`template "${template}": {{${match[1]}}} is a dot segment ("${text}"), refused`, { field: 'settings' });
    }
    if (!encode && /[\r\n\0]/.test(text)) {
      throw new ContractError(`template "${template}": {{${match[1]}}} holds a line break or NUL, refused in a header`, { field: 'settings' });
    }
    out += template.slice(last, match.index) + (encode ? encodeURIComponent(text) : text);
    last = match.index + match[0].length;
  }
  return out + template.slice(last);
}

/** Refuses a rendered URL whose path has a "." or ".." segment (also as %2e), which the URL parser would resolve away. */
function assertNoDotSegments(url: string, connectorId: string, what: string): void {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split(/[?#]/)[0] ?? '';
  if (path.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) {
    throw new ContractError(`${connectorId}: the URL for ${what} has a "." or ".." path segment; refused`, { connectorId, field: 'settings.url' });
  }
}

/** Sends one request built from `spec` and `input`; resolves on success, throws a classified HubError otherwise. */
async function send(instance: Instance, spec: HttpRequestSpec, input: unknown, what: string): Promise<void> {
  const bindings: ExpressionBindings = { root: input, receivedAt: '', connectorId: instance.id, credentials: instance.credentials };
  const url = await render(spec.url, input, bindings, true);
  assertNoDotSegments(url, instance.id, what);
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(spec.headers)) headers[name.toLowerCase()] = await render(template, input, bindings, false);
  let body: string | undefined;
  if (spec.body) {
    const result = await evaluate(spec.body, input, bindings);
    if ('error' in result)
      throw new ContractError(`${instance.id}: body expression failed for ${what}: ${result.error}`, { connectorId: instance.id, field: 'settings.body' });
    body = JSON.stringify(result.value);
    headers['content-type'] ??= 'application/json';
  }
  // axios, as every connector: one HTTP stack, one set of network error codes.
  let res: AxiosResponse<string>;
  try {
    res = await axios.request<string>({
      url,
      method: spec.method,
      headers,
      data: body,
      timeout: instance.settings.timeoutMs,
      responseType: 'text',
      transformResponse: (raw: string) => raw,
      validateStatus: () => true,
      maxRedirects: 0,
    });
  } catch (err) {
    const e = err as AxiosError;
    const code = e.code === 'ECONNABORTED' || e.code === AxiosError.ETIMEDOUT ? 'ETIMEDOUT' : (e.code ?? 'ECONNRESET');
    throw new NetworkError(`${instance.id}: ${spec.method} for ${what} failed: ${code}`, { connectorId: instance.id, cause: err });
  }
  const text = typeof res.data === 'string' ? res.data : '';
  const responseHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined && v !== null) responseHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  const statusOk = spec.success.status ? spec.success.status.includes(res.status) : res.status >= 200 && res.status < 300;
  if (!statusOk) {
    const classification = classifyHttpError({ status: res.status, headers: responseHeaders }, { retryAfterHeaders: instance.settings.retryAfterHeaders });
    // Only the status goes into the message: response bodies may echo customer data.
    throw toHubError(classification, `${instance.id}: ${spec.method} for ${what} answered ${res.status}`, { connectorId: instance.id, step: 'push' });
  }
  if (spec.success.expression) {
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // a non-JSON body stays text for the expression
    }
    const verdict = await evaluate(spec.success.expression, { status: res.status, headers: responseHeaders, body: parsed }, bindings);
    if (!('value' in verdict) || verdict.value !== true) {
      throw new ContractError(`${instance.id}: ${what} answered ${res.status} but success.expression "${spec.success.expression}" is not true`, {
        connectorId: instance.id,
        step: 'push',
      });
    }
  }
}

/** The run-time client of one generic-http instance: a pusher per configured request spec. */
export function createGenericHttpClient(instance: Instance): ConnectorClient {
  const { availability, fulfillment } = instance.settings;
  const client: ConnectorClient = {};
  if (availability) {
    client.pushAvailability = async (updates: AvailabilityUpdate[]): Promise<PushResult> => {
      if (availability.batch) {
        await send(instance, availability, { items: updates }, `${updates.length} SKUs`);
        return { pushed: updates.length, calls: 1, failures: [] };
      }
      const failures: { sku: string; error: HubError }[] = [];
      let calls = 0;
      for (const update of updates) {
        calls += 1;
        try {
          await send(instance, availability, update, `SKU ${update.sku}`);
        } catch (err) {
          // One rejected SKU (e.g. unknown there) must not hold the others back; retryable failures retry the batch, and sets are idempotent.
          if (err instanceof ContractError) failures.push({ sku: update.sku, error: err });
          else throw err;
        }
      }
      return { pushed: updates.length - failures.length, calls, failures };
    };
  }
  if (fulfillment) {
    client.pushFulfillment = async (shipment, externalIds) =>
      send(instance, fulfillment, { ...shipment, externalIds }, `shipment ${shipment.externalShipmentId}`);
  }
  return client;
}

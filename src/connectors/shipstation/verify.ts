import { constantTimeEqual } from '../http/signatures.js';
import { InvalidSignatureError, ValidationError } from '../../core/errors.js';
import type { VerifiedDelivery, WebhookRequest } from '../types.js';
import type { ShipStationConfig } from './config.js';
import { ShipStationWebhookSchema } from './shapes.js';

/** Header that carries the webhook token until the ingress passes the URL's query parameters. */
export const WEBHOOK_TOKEN_HEADER = 'x-hub-webhook-token';
/** Query parameter of the registered webhook URL that carries the token: `/webhooks/<id>?token=...`. */
export const WEBHOOK_TOKEN_PARAM = 'token';

/** A webhook request, with the URL's query parameters once the ingress passes them. */
export type TokenWebhookRequest = WebhookRequest & { query?: Record<string, string | undefined> };

/**
 * Authenticates a ShipStation webhook and names it. ShipStation signs nothing, so the URL
 * registered with it carries a secret token (`?token=<credentials.webhookToken>`), compared in
 * constant time; the `x-hub-webhook-token` header is accepted too. The delivery's key is its
 * `resource_url` (one per notified batch), so ShipStation's redelivery of a notification is a duplicate.
 * https://docs.shipstation.com/apis/shipstation-v1/docs/models/webhook
 */
export function verifyShipStationWebhook(request: TokenWebhookRequest, config: ShipStationConfig): VerifiedDelivery {
  const headerToken = Object.entries(request.headers).find(([k]) => k.toLowerCase() === WEBHOOK_TOKEN_HEADER)?.[1];
  const token = request.query?.[WEBHOOK_TOKEN_PARAM] ?? headerToken;
  if (!token) throw refuse('no webhook token in the URL or the x-hub-webhook-token header');
  if (!constantTimeEqual(token, config.credentials.webhookToken)) throw refuse('webhook token does not match');

  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    throw new ValidationError('shipstation webhook: body is not JSON', { step: 'verify', field: 'body' });
  }
  const parsed = ShipStationWebhookSchema.safeParse(body);
  if (!parsed.success) {
    throw new ValidationError('shipstation webhook: body needs resource_url and resource_type', {
      step: 'verify',
      field: 'resource_url',
      code: 'missing_field',
    });
  }
  const { resource_type: topic, resource_url: url } = parsed.data;
  return { dedupKey: `${topic}:${url}`, topic };
}

function refuse(reason: string): InvalidSignatureError {
  return new InvalidSignatureError(`shipstation webhook refused: ${reason}`, { step: 'verify' });
}

import { deterministicEventId } from '../../http/signatures.js';
import { ValidationError } from '../../../core/errors.js';
import type { CanonicalEventInput } from '../../../core/model/index.js';
import { finalize, parseShape } from '../../http/normalize.js';
import type { Normalizer } from '../../types.js';
import { hubCarrier } from '../carriers.js';
import { type EasyPostConfig, settingsOf } from '../config.js';
import { EasyPostEventSchema } from '../shapes.js';

export const TRACKER_UPDATED = 'tracker.updated';

/**
 * tracker.updated → `shipment.tracking.updated` with the package's status (`result.status`:
 * `in_transit`, `out_for_delivery`, `delivered`, ...), never the Event's own delivery status.
 * The shipment is named by tracking code and carrier: a tracker created from a tracking code has
 * no EasyPost shipment id, and the hub's shipment id is not EasyPost's. Only the tracking number,
 * carrier and status are carried over: the tracker's URLs embed access tokens. Events of the other
 * mode (test vs production) are acknowledged and ignored.
 * https://docs.easypost.com/docs/events, https://docs.easypost.com/docs/trackers
 */
export const normalizeTrackerUpdated: Normalizer<EasyPostConfig> = (body, ctx) => {
  const event = parseShape(EasyPostEventSchema, body, ctx, TRACKER_UPDATED);
  const tracker = event.result;
  const mode = tracker.mode ?? event.mode;
  if (mode && mode !== settingsOf(ctx.config).mode) return [];
  const updatedAt = utc(tracker.updated_at, 'result.updated_at', ctx.connectorId);
  const company = hubCarrier(tracker.carrier);
  const candidate: CanonicalEventInput = {
    id: deterministicEventId(ctx.connectorId, event.id),
    type: 'shipment.tracking.updated',
    idempotencyKey: `${ctx.connectorId}:event:${event.id}`,
    source: { connector: ctx.connectorId, connectorType: ctx.connectorType, externalId: tracker.id, version: updatedAt },
    occurredAt: updatedAt,
    data: { tracking: { number: tracker.tracking_code, company }, status: tracker.status },
  };
  return finalize([candidate], ctx, TRACKER_UPDATED);
};

function utc(value: string, field: string, connectorId: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new ValidationError(`${connectorId}: ${TRACKER_UPDATED}: ${field} "${value}" is not a timestamp`, { connectorId, step: 'normalize', field });
  return new Date(ms).toISOString();
}

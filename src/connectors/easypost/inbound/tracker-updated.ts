import { deterministicEventId } from '../../http/signatures.js';
import { ValidationError } from '../../../core/errors.js';
import { type CanonicalEvent, CanonicalEventSchema, zodIssues } from '../../../core/model/index.js';
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
  const parsed = EasyPostEventSchema.safeParse(body);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    throw new ValidationError(`${ctx.connectorId}: ${TRACKER_UPDATED} payload: ${issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      connectorId: ctx.connectorId,
      step: 'normalize',
      field: issues[0]?.path,
      code: issues[0]?.message.includes('undefined') ? 'missing_field' : 'invalid_value',
    });
  }
  const event = parsed.data;
  const tracker = event.result;
  const mode = tracker.mode ?? event.mode;
  if (mode && mode !== settingsOf(ctx.config).mode) return [];
  const updatedAt = utc(tracker.updated_at, 'result.updated_at', ctx.connectorId);
  const company = hubCarrier(tracker.carrier);
  const candidate = {
    id: deterministicEventId(ctx.connectorId, event.id),
    type: 'shipment.tracking.updated',
    idempotencyKey: `${ctx.connectorId}:event:${event.id}`,
    source: { connector: ctx.connectorId, connectorType: ctx.connectorType, externalId: tracker.id, version: updatedAt },
    occurredAt: updatedAt,
    data: { tracking: { number: tracker.tracking_code, company }, status: tracker.status },
  };
  const result = CanonicalEventSchema.safeParse(candidate);
  if (!result.success) {
    const issues = zodIssues(result.error);
    throw new ValidationError(`${ctx.connectorId}: ${TRACKER_UPDATED} gives an invalid event: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      connectorId: ctx.connectorId,
      step: 'normalize',
      field: issues[0]?.path,
    });
  }
  return [result.data];
};

function utc(value: string, field: string, connectorId: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ValidationError(`${connectorId}: ${TRACKER_UPDATED}: ${field} "${value}" is not a timestamp`, { connectorId, step: 'normalize', field });
  return new Date(ms).toISOString();
}


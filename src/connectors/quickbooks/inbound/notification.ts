import { ValidationError } from '../../../core/errors.js';
import { zodIssues } from '../../../core/model/index.js';
import { QboCloudEventsSchema, QboLegacyNotificationSchema } from '../shapes.js';
import { ownValue } from '../../../mappings/own.js';

/** One entity a notification names, after collapsing repeats. */
export interface QboEntityRef {
  /** QuickBooks entity name as the API spells it: `Invoice`, `SalesReceipt`, `Payment`. */
  entity: string;
  id: string;
  /** `Create`, `Update`, `Delete`, `Void`, `Merge`, `Emailed`. */
  operation: string;
  /** Latest change time the notification gives for it (ISO UTC), if any. */
  lastUpdated?: string;
}

/** CloudEvents names entities in lower case; the API path and the legacy envelope use these. */
const ENTITY_NAMES: Record<string, string> = Object.fromEntries(
  [
    'Account',
    'Bill',
    'BillPayment',
    'Class',
    'CreditMemo',
    'Customer',
    'Department',
    'Deposit',
    'Employee',
    'Estimate',
    'Invoice',
    'Item',
    'JournalEntry',
    'Payment',
    'PaymentMethod',
    'Purchase',
    'PurchaseOrder',
    'RefundReceipt',
    'SalesReceipt',
    'TaxAgency',
    'Term',
    'TimeActivity',
    'Transfer',
    'Vendor',
    'VendorCredit',
  ].map((n) => [n.toLowerCase(), n]),
);
const OPERATIONS: Record<string, string> = { created: 'Create', updated: 'Update', deleted: 'Delete', voided: 'Void', merged: 'Merge', emailed: 'Emailed' };

/**
 * The entities of a notification for one company, in either format, collapsed: an entity named
 * several times (created, then updated, in one batch) is listed once with its latest change, and a
 * delete wins over anything else. Entities of other companies (realmIds) are left out.
 * https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
 * https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/data-objects
 */
export function readNotification(body: unknown, realmId: string, connectorId: string): QboEntityRef[] {
  const refs: QboEntityRef[] = [];
  if (Array.isArray(body)) {
    const parsed = QboCloudEventsSchema.safeParse(body);
    if (!parsed.success) throw invalid(connectorId, parsed.error);
    for (const e of parsed.data) {
      if (e.intuitaccountid !== realmId) continue;
      const [, entity = '', operation = ''] = e.type.toLowerCase().split('.');
      refs.push({
        entity: ownValue(ENTITY_NAMES, entity) ?? entity,
        id: e.intuitentityid,
        operation: ownValue(OPERATIONS, operation) ?? operation,
        ...instant(e.time),
      });
    }
  } else {
    const parsed = QboLegacyNotificationSchema.safeParse(body);
    if (!parsed.success) throw invalid(connectorId, parsed.error);
    for (const n of parsed.data.eventNotifications) {
      if (n.realmId !== realmId) continue;
      for (const e of n.dataChangeEvent.entities) refs.push({ entity: e.name, id: e.id, operation: e.operation, ...instant(e.lastUpdated) });
    }
  }
  return collapse(refs);
}

function collapse(refs: QboEntityRef[]): QboEntityRef[] {
  const byKey = new Map<string, QboEntityRef>();
  for (const ref of refs) {
    const key = `${ref.entity}/${ref.id}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, ref);
      continue;
    }
    const later = (ref.lastUpdated ?? '') >= (seen.lastUpdated ?? '') ? ref : seen;
    const operation = seen.operation === 'Delete' || ref.operation === 'Delete' ? 'Delete' : later.operation;
    byKey.set(key, { ...later, operation });
  }
  return [...byKey.values()];
}

function instant(value: string | undefined): { lastUpdated?: string } {
  const t = value ? Date.parse(value) : Number.NaN;
  return Number.isFinite(t) ? { lastUpdated: new Date(t).toISOString() } : {};
}

function invalid(connectorId: string, error: Parameters<typeof zodIssues>[0]): ValidationError {
  const issue = zodIssues(error)[0];
  return new ValidationError(
    `${connectorId}: notification is neither an eventNotifications envelope nor a CloudEvents array: ${issue?.path}: ${issue?.message}`,
    {
      connectorId,
      field: issue?.path,
      code: 'invalid_value',
    },
  );
}

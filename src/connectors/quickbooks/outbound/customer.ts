import { createHash } from 'node:crypto';
import { ValidationError } from '../../../core/errors.js';
import type { Customer } from '../../../core/model/index.js';
import { type QboClient, QBO_DUPLICATE_NAME, QboFaultError } from '../client.js';
import type { QuickBooksSettings } from '../config.js';
import { QboCustomerSchema } from '../shapes.js';
import { quote, requestIdFor } from './documents.js';

/**
 * The QuickBooks customer of an order: remembered in the state, else found by e-mail or
 * DisplayName, else created (idempotent requestid). DisplayName is unique in QuickBooks, so a
 * create that meets "duplicate name" (6240) looks the name up again instead of failing.
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 */
export async function findOrCreateCustomer(
  client: QboClient,
  settings: QuickBooksSettings,
  connectorId: string,
  customer: Customer | undefined,
  orderNumber: string,
): Promise<string> {
  const email = customer?.email?.trim();
  const name = customer?.name?.trim() || email;
  if (!name) {
    if (settings.defaultCustomerId) return settings.defaultCustomerId;
    throw new ValidationError(`${connectorId}: order ${orderNumber} names no customer and settings.defaultCustomerId is not set`, {
      connectorId,
      field: 'customer',
    });
  }
  // The state key is a hash: it must not carry the e-mail address.
  const key = `customer:${createHash('sha256')
    .update((email ?? name).toLowerCase())
    .digest('hex')
    .slice(0, 32)}`;
  const known = await client.state.get(key);
  if (known) return known;
  const find = async (): Promise<string | undefined> => {
    const byEmail = email ? await client.query(`select * from Customer where PrimaryEmailAddr = ${quote(email)}`, 'Customer', QboCustomerSchema) : [];
    const rows = byEmail.length > 0 ? byEmail : await client.query(`select * from Customer where DisplayName = ${quote(name)}`, 'Customer', QboCustomerSchema);
    return rows[0]?.Id;
  };
  let id = await find();
  if (!id) {
    try {
      const created = await client.write(
        'Customer',
        { DisplayName: name.slice(0, 500), ...(email ? { PrimaryEmailAddr: { Address: email } } : {}) },
        requestIdFor(connectorId, key),
        QboCustomerSchema,
      );
      id = created.entity.Id;
    } catch (err) {
      if (!(err instanceof QboFaultError && err.faultCode === QBO_DUPLICATE_NAME)) throw err;
      id = await find();
      if (!id) throw err;
    }
  }
  await client.state.set(key, id);
  return id;
}

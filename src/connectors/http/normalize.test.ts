import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MappingError, type MappingIssue, ValidationError } from '../../core/errors.js';
import { amountText, decimalOf, sumAmounts, unitPriceOf } from './money.js';
import { assertMapped, envelope, finalize, invalid, mapSku, parseShape } from './normalize.js';

const ctx = { connectorId: 'shop-a', connectorType: 'test' };
const Line = z.object({ sku: z.string(), qty: z.number().int() });

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('normalize kit', () => {
  it('parseShape names connector, topic and field under the page prefix; a missing key is missing_field', () => {
    const err = caught(() => parseShape(Line, { qty: 1 }, ctx, 'orders', 'orders[2]'));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'missing_field', connectorId: 'shop-a', field: 'orders[2].sku' });
    expect((err as Error).message).toBe('shop-a: orders payload: orders[2].sku: required');
  });

  it('parseShape keeps a numeric offending value but never a string one', () => {
    expect(caught(() => parseShape(Line, { sku: 'A', qty: 1.5 }, ctx, 'orders'))).toMatchObject({ code: 'invalid_value', field: 'qty', value: 1.5 });
    expect(caught(() => parseShape(Line, { sku: 42, qty: 'jane@example.com' }, ctx, 'orders'))).not.toHaveProperty('value', 'jane@example.com');
  });

  it('finalize refuses an event the model rejects, naming the event field', () => {
    const event = {
      ...envelope(ctx, 'orders', 'order.cancelled', '1', null, 'order.cancelled:1'),
      type: 'order.cancelled' as const,
      occurredAt: 'yesterday',
      data: {},
    };
    expect(caught(() => finalize([event as never], ctx, 'orders'))).toBeInstanceOf(ValidationError);
  });

  it('envelope ids are deterministic and fall back to the key when the source has no version', () => {
    const a = envelope(ctx, 'orders', 'order.cancelled', '1', null, 'k1');
    expect(envelope(ctx, 'orders', 'order.cancelled', '1', null, 'k1').id).toBe(a.id);
    expect(envelope(ctx, 'orders', 'order.cancelled', '1', null, 'k2').id).not.toBe(a.id);
    expect(a).toMatchObject({ idempotencyKey: 'shop-a:k1', source: { connector: 'shop-a', externalId: '1', version: null } });
  });

  it('mapSku resolves by SKU or external id, else records why; assertMapped throws them all', () => {
    const lookup = {
      sku: (ref: { sku?: string | null; externalIds?: Readonly<Record<string, string | null | undefined>> }) =>
        ref.sku === 'KNOWN' || ref.externalIds?.['asin'] === 'B0' ? 'ERP-1' : null,
      location: () => null,
    };
    const issues: MappingIssue[] = [];
    expect(mapSku({ lookup }, { sku: ' KNOWN ' }, { where: 'line 1', field: 'l[0].sku', issues })).toBe('ERP-1');
    expect(mapSku({ lookup }, { sku: null, externalIds: { asin: 'B0' } }, { where: 'line 2', field: 'l[1].sku', issues })).toBe('ERP-1');
    expect(mapSku({ lookup }, { sku: '' }, { where: 'line 3', field: 'l[2].sku', issues })).toBeNull();
    expect(mapSku({ lookup }, { sku: 'NOPE' }, { where: 'line 4', field: 'l[3].sku', issues, label: 'SellerSKU' })).toBeNull();
    expect(issues.map((i) => [i.code, i.field, i.message])).toEqual([
      ['missing_field', 'l[2].sku', 'line 3 has no SKU'],
      ['unknown_sku', 'l[3].sku', 'line 4 has unknown SellerSKU "NOPE"'],
    ]);
    expect(caught(() => assertMapped(issues, ctx))).toBeInstanceOf(MappingError);
    expect(invalid(ctx, 'orders', 'x', 'bad', { code: 'missing_field', value: 'secret' })).toMatchObject({
      code: 'missing_field',
      field: 'x',
      value: undefined,
    });
  });
});

describe('money kit', () => {
  it('divides a line total exactly, keeping the written scale, rounding half-even at the cap', () => {
    expect(unitPriceOf({ amount: '30.00', currency: 'USD' }, 3)).toEqual({ amount: '10.00', currency: 'USD' });
    expect(unitPriceOf({ amount: '10.00', currency: 'USD' }, 3, 4).amount).toBe('3.3333');
    expect(unitPriceOf({ amount: '1.00', currency: 'USD' }, 8, 4).amount).toBe('0.125');
  });

  it('sums at the widest written scale and writes amounts with at least cents', () => {
    expect(sumAmounts(['0.1', '0.2', '1.005'])).toBe('1.305');
    expect(sumAmounts(['19.90', '0.10'])).toBe('20.00');
    expect(amountText(decimalOf(10))).toBe('10.00');
    expect(amountText(decimalOf('0.125'))).toBe('0.125');
  });
});

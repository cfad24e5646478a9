import { z } from 'zod';
import { ExternalIdSchema, IsoUtcSchema, MoneySchema, PositiveQuantitySchema, SkuSchema, SlugSchema } from './primitives.js';

export const InvoiceLineSchema = z.object({
  sku: SkuSchema.nullable(),
  description: z.string().default(''),
  quantity: PositiveQuantitySchema,
  unitPrice: MoneySchema,
  tax: MoneySchema.optional(),
});
export type InvoiceLine = z.infer<typeof InvoiceLineSchema>;

/** An invoice posted to (or by) an accounting system for an order. */
export const InvoiceSchema = z.object({
  externalInvoiceId: ExternalIdSchema,
  channel: SlugSchema.optional(),
  externalOrderId: ExternalIdSchema.optional(),
  postedAt: IsoUtcSchema,
  total: MoneySchema,
  lines: z.array(InvoiceLineSchema).min(1, 'an invoice needs at least one line'),
});
export type Invoice = z.infer<typeof InvoiceSchema>;

/**
 * A payment an accounting system recorded against an invoice (one event per invoice the payment
 * applies to). `balance` is what the invoice still owes after it, as that system says.
 */
export const InvoicePaymentSchema = z.object({
  externalInvoiceId: ExternalIdSchema,
  externalPaymentId: ExternalIdSchema,
  channel: SlugSchema.optional(),
  externalOrderId: ExternalIdSchema.optional(),
  amount: MoneySchema,
  paidAt: IsoUtcSchema,
  balance: MoneySchema.optional(),
});
export type InvoicePayment = z.infer<typeof InvoicePaymentSchema>;

-- Payments an accounting system recorded against invoices (invoice.payment.recorded), once per
-- (connector, payment, invoice); the invoice row keeps the balance the latest payment reported.
CREATE TABLE invoice_payment (
  connector text NOT NULL,
  external_payment_id text NOT NULL,
  external_invoice_id text NOT NULL,
  amount numeric NOT NULL,
  currency text NOT NULL,
  paid_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector, external_payment_id, external_invoice_id)
);
CREATE INDEX invoice_payment_invoice_idx ON invoice_payment (connector, external_invoice_id);

ALTER TABLE invoice ADD COLUMN balance numeric;

-- The order-to-cash flow. The ERP core writes a flow_outbox row in the transaction that moves an
-- order to its next hop (allocated: push to the 3PL; shipped: create a tracker, book the invoice;
-- refunded: book a credit memo). The relay routes each row to a connector's outbound queue.
CREATE TABLE flow_outbox (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('order', 'tracker', 'invoice', 'credit-memo')),
  channel text NOT NULL,
  external_order_id text NOT NULL,
  -- The allocation's location (order), the shipment's location (tracker, invoice).
  location text,
  -- The shipment (tracker, invoice) or the refund (credit-memo) as canonical data.
  payload jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Every hop an order made: when, through which connector, under which external id (the 3PL's
-- order id, the carrier's tracker id, the accounting document id). One row per (order, hop, ref):
-- a retried or replayed step finds its hop recorded and records nothing new.
CREATE TABLE order_hop (
  order_id bigint NOT NULL REFERENCES sales_order (id),
  hop text NOT NULL,
  -- What the hop is about within the order: a location, a shipment id, a refund id, or ''.
  ref text NOT NULL DEFAULT '',
  connector text,
  external_id text,
  detail text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, hop, ref)
);
CREATE INDEX order_hop_at_idx ON order_hop (hop, at);

-- A shipment the carrier reported delivered; the order closes once all its shipments are.
ALTER TABLE shipment ADD COLUMN delivered_at timestamptz;

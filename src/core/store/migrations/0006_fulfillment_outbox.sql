-- Shipments confirmed by one system (a 3PL, a warehouse) that must be recorded as fulfilments in
-- the channel the order came from. Written in the transaction that applies the shipment.
CREATE TABLE fulfillment_outbox (
  id bigserial PRIMARY KEY,
  connector_id text NOT NULL,
  shipment jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

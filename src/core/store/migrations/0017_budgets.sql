-- Availability changes a connector's budget made wait (revisions per listing per day, feeds per
-- hour): the latest value per (connector, channel, SKU) and when its slot comes (epoch ms of the
-- hub's clock). Written and read by the outbox relay (src/queues/budget-gate.ts) in the
-- transaction that moves outbox rows, so a held change survives restarts and is never lost.
CREATE TABLE availability_held (
  connector_id text NOT NULL,
  channel text NOT NULL,
  sku text NOT NULL,
  available integer NOT NULL,
  version bigint NOT NULL,
  due_ms bigint NOT NULL,
  held_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector_id, channel, sku)
);
CREATE INDEX availability_held_due_idx ON availability_held (connector_id, due_ms);

-- Durable key-value state per connector instance (rotated refresh tokens, cursors a client keeps).
CREATE TABLE connector_state (
  connector_id text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector_id, key)
);

-- Requests on orders that the channel has not carried out (a buyer asks to cancel): kept for an operator.
CREATE TABLE order_request (
  id bigserial PRIMARY KEY,
  channel text NOT NULL,
  external_order_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('cancellation')),
  requested_at timestamptz NOT NULL,
  requested_by text NOT NULL,
  reason text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  event_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel, external_order_id, kind, requested_at)
);

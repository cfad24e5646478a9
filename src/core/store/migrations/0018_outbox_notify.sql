-- Outbox writes wake the relay: every statement that inserts into an outbox raises
-- NOTIFY hub_outbox (payload: the schema, so hubs sharing one PostgreSQL database ignore each
-- other's). PostgreSQL delivers it at commit, once per transaction, and never for a rollback;
-- a trigger costs the apply no extra round trip.
CREATE FUNCTION hub_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hub_outbox', TG_TABLE_SCHEMA);
  RETURN NULL;
END
$$;

CREATE TRIGGER availability_outbox_notify AFTER INSERT ON availability_outbox FOR EACH STATEMENT EXECUTE FUNCTION hub_outbox_notify();
CREATE TRIGGER fulfillment_outbox_notify AFTER INSERT ON fulfillment_outbox FOR EACH STATEMENT EXECUTE FUNCTION hub_outbox_notify();
CREATE TRIGGER flow_outbox_notify AFTER INSERT ON flow_outbox FOR EACH STATEMENT EXECUTE FUNCTION hub_outbox_notify();

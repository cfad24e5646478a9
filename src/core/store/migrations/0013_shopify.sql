-- What a channel's reported level is (a signed `available`, below zero when oversold, or an `onHand`
-- count) and the hub channel it belongs to, so views show it beside that channel's availableToSell.
ALTER TABLE inventory_report ADD COLUMN figure text NOT NULL DEFAULT 'onHand';
ALTER TABLE inventory_report ADD COLUMN channel text;


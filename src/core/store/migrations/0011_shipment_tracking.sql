-- Carrier trackers created from a tracking code know no shipment id: their updates find the
-- shipment by tracking number (shipment.tracking.updated without externalShipmentId).
CREATE INDEX IF NOT EXISTS shipment_tracking_number ON shipment ((tracking->>'number'));

-- The dispatcher's claim reads per webhook: its due deliveries in order, and how many are in flight.
-- Without these it sorted every pending row on each claim (18 ms at 5,000 pending, growing).
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (webhook_id, next_attempt_at, id)
  WHERE status = 'pending';
-- A claim sets locked_until and recording the attempt clears it, so this index holds only attempts in flight.
CREATE INDEX webhook_deliveries_in_flight_idx ON webhook_deliveries (webhook_id)
  WHERE status = 'pending' AND locked_until IS NOT NULL;

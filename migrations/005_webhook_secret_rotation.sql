-- After a rotation the previous secret keeps signing (alongside the new one) for a while, so a receiver
-- can switch secrets without rejecting deliveries in between (Standard Webhooks allows several signatures).
ALTER TABLE webhooks
  ADD COLUMN previous_secret text,
  ADD COLUMN previous_secret_expires_at timestamptz;

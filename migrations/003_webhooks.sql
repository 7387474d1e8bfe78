-- Webhooks (issue 4). PostgreSQL is the truth for every delivery: the KV queue only rings the
-- doorbell, so a restart or a lost message never loses an event.
CREATE TABLE webhooks (
  id serial PRIMARY KEY,
  url varchar(1000) NOT NULL,
  -- One or more of the event types, or '*' for all of them.
  event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
  enabled boolean NOT NULL DEFAULT true,
  secret text NOT NULL,
  -- Why the app turned the webhook off (410 Gone, too many failures); cleared when re-enabled.
  disabled_reason text,
  -- Deliveries that ended failed (every retry used up) since the last success.
  consecutive_failures integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One message to one webhook. Its id is the `webhook-id` header, the same on every attempt, and
-- its body is stored as the exact bytes that are signed and sent.
CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  webhook_id integer NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_type text NOT NULL,
  body text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- Set while an attempt is in flight; an instance that dies mid-attempt lets it lapse.
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at DESC);

-- One row per attempt (the brief's table, plus what a person needs to debug a receiver).
CREATE TABLE webhook_logs (
  id bigserial PRIMARY KEY,
  webhook_id integer NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  delivery_id text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  event_type text NOT NULL,
  attempt integer NOT NULL,
  response_status integer,
  response_time_ms integer NOT NULL,
  -- timeout, refused, dns, tls, redirect, http, blocked, network; null on success.
  error_kind text,
  error_message text,
  response_excerpt text,
  next_retry_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_logs_webhook_idx ON webhook_logs (webhook_id, created_at DESC);

-- Queues an event for every enabled webhook that wants it; returns how many deliveries it made.
-- A function, so the import worker (postgres.js) and the product routes (kysely) record events
-- the same way, inside the transaction of the change that caused them.
CREATE FUNCTION record_webhook_event(p_type text, p_body text) RETURNS integer LANGUAGE sql AS $$
  WITH queued AS (
    INSERT INTO webhook_deliveries (id, webhook_id, event_type, body)
    SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), w.id, p_type, p_body
    FROM webhooks w
    WHERE w.enabled AND (p_type = ANY (w.event_types) OR '*' = ANY (w.event_types))
    RETURNING 1
  )
  SELECT count(*)::integer FROM queued
$$;

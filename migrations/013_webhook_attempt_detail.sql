-- Each attempt keeps the whole exchange, as GitHub's "Recent deliveries" shows it (issue 12): the
-- request as sent (URL and headers; the body is the delivery's, the same bytes on every attempt) and
-- the response (headers, and the body up to the first 16 KB — core/webhooks/sender.ts says so).
-- Headers are [name, value] pairs in the order they went over the wire, hence arrays, not objects.
-- Attempts logged before this migration have only `response_excerpt` (its first 1 KB); it is read as
-- their body, and new attempts leave it empty. Drop it once the 30-day retention has passed.
ALTER TABLE webhook_logs
  ADD COLUMN request_url text,
  ADD COLUMN request_headers jsonb,
  ADD COLUMN response_headers jsonb,
  ADD COLUMN response_body text,
  ADD COLUMN response_body_truncated boolean NOT NULL DEFAULT false;
-- The log pages by (created_at, id), newest first, from a given attempt on: an index on the whole key lets
-- a page start at its cursor instead of reading past every newer attempt. It serves what the index it
-- replaces served too (latest attempt per webhook, attempts in the last hour).
CREATE INDEX webhook_logs_webhook_page_idx ON webhook_logs (webhook_id, created_at DESC, id DESC);
DROP INDEX webhook_logs_webhook_idx;
-- The same, within one event type (the log's event filter).
CREATE INDEX webhook_logs_webhook_event_idx ON webhook_logs (webhook_id, event_type, created_at DESC, id DESC);

-- Rate-limit counters shared by every app process (issue: rate limits). One row per bucket
-- ("api-token:12", "login-account:ann@example.com", …) and window: the window starts at the bucket's
-- first hit and ends `window_end`; a hit after that starts a new window in the same row.
-- UNLOGGED: a hit commits without waiting for a WAL flush (0.14 ms instead of ~3 ms here); a crash
-- or a failover empties the table, which only forgives recent hits.
CREATE UNLOGGED TABLE rate_limit_counters (
  bucket text NOT NULL,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (bucket)
);
-- Pruning deletes rows whose window ended a while ago.
CREATE INDEX rate_limit_counters_window_end_idx ON rate_limit_counters (window_end);

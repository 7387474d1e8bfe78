-- Who changed what, and when: one row per change made through the API or the pages (issue: audit log).
-- actor_label keeps the email or token name as it was, so renaming or deleting the actor rewrites no history.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'token', 'system')),
  actor_id integer,
  actor_label text NOT NULL,
  action text NOT NULL,
  target_type text,
  target_id text,
  summary text NOT NULL DEFAULT '',
  request_id text
);
-- Newest first, paged by id (keyset: WHERE id < $before ORDER BY id DESC LIMIT n): the primary key's
-- index serves that scan backwards, so no second index is needed (ids grow with time).

-- First-admin setup links (issue 10): kept in the database, so a link printed by one instance opens on
-- every instance that shares it. Only the secret's SHA-256 is stored, never the secret. Each start-up of
-- an install without an account adds a link; one UPDATE … WHERE used_at IS NULL AND expires_at > now()
-- claims a link in the transaction that creates the first admin, and closes the others with it.
CREATE TABLE setup_links (
  secret_hash text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

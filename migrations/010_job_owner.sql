-- Several instances (issue 10): each machine keeps uploads on its own volume, so an import may run
-- only on the instance that received its file. owner_instance is that instance's id (kept in its
-- DATA_DIR); NULL (delete-all runs, and imports recorded before this migration) lets any instance
-- claim the job.
ALTER TABLE import_jobs ADD COLUMN owner_instance text;
-- The instance that claimed the job last (the one running it while it is processing), for operators
-- and for the tests that check each job ran where its file is.
ALTER TABLE import_jobs ADD COLUMN claimed_by text;

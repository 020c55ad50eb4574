// Indexes for the OpenAlex importer's bookkeeping (docs/import.md): a full-text index (whitespace
// tokens) to find the works still waiting for a cited work (Work.pendingReferences, ' W1 W2 '), resume
// checkpoints, and the one lock node import batches take in turn (ingest/versions). Parameters: none. Applied by `bzgraph db migrate`.
// Example: bzgraph db migrate
// Development databases of before 2026-11-26 hold a TEXT index of the same property under the old
// name `work_pending_references`; it is dropped (a no-op on any other database).
DROP INDEX work_pending_references IF EXISTS;
CREATE FULLTEXT INDEX work_pending_ids IF NOT EXISTS FOR (n:Work) ON EACH [n.pendingReferences]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: false}};
CREATE CONSTRAINT import_checkpoint_id IF NOT EXISTS FOR (n:ImportCheckpoint) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT import_lock_id IF NOT EXISTS FOR (n:ImportLock) REQUIRE n.id IS UNIQUE

// Indexes for the OpenAlex importer's bookkeeping (docs/import.md): a text index to find the works
// still waiting for a cited work (Work.pendingReferences, ' W1 W2 '), and resume checkpoints.
// Parameters: none. Applied by `bzgraph db migrate`.
// Example: bzgraph db migrate
CREATE TEXT INDEX work_pending_references IF NOT EXISTS FOR (n:Work) ON (n.pendingReferences);
CREATE CONSTRAINT import_checkpoint_id IF NOT EXISTS FOR (n:ImportCheckpoint) REQUIRE n.id IS UNIQUE

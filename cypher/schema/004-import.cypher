// Indexes for the OpenAlex importer's bookkeeping (docs/import.md): a full-text index (whitespace
// tokens) to find the works still waiting for a cited work (Work.pendingReferences, ' W1 W2 '), and
// resume checkpoints. Parameters: none. Applied by `bzgraph db migrate`.
// Example: bzgraph db migrate
CREATE FULLTEXT INDEX work_pending_references IF NOT EXISTS FOR (n:Work) ON EACH [n.pendingReferences]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: false}};
CREATE CONSTRAINT import_checkpoint_id IF NOT EXISTS FOR (n:ImportCheckpoint) REQUIRE n.id IS UNIQUE

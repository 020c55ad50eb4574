// Constraints for the OpenAlex importer's bookkeeping nodes (docs/import.md): citations waiting for
// their cited work, and per-file resume checkpoints. Parameters: none. Applied by `bzgraph db migrate`.
// Example: bzgraph db migrate
CREATE CONSTRAINT unresolved_work_id IF NOT EXISTS FOR (n:UnresolvedWork) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT import_checkpoint_id IF NOT EXISTS FOR (n:ImportCheckpoint) REQUIRE n.id IS UNIQUE

// Takes the import lock, then reads the versions (OpenAlex's updated_date) and fingerprints of the stored copies of the works
// and Author records an import batch brings: a copy older than the stored one is left out of the batch, and so is the very
// copy the graph holds (the same version and fingerprint: bzgraph/ingest/load.py fingerprint).
// Parameters: $works LIST<STRING> (work ids); $authors LIST<STRING> (ids of the batch's Author records).
// Returns: one row: works, authors LIST<MAP{id, version, hash}> (copies stored without a version are left out; hash is
// null for a copy imported before fingerprints were kept).
// First it takes the import lock until commit: batches of imports running at once take turns, so each
// reads the versions the one before it committed and an older copy never overwrites a newer one.
// Example: bzgraph cypher ingest/versions --write --param 'works=["W2741809807"]' --param 'authors=["A5010401681"]'
MERGE (lock:ImportLock {id: 'openalex'})
SET lock._lock = true REMOVE lock._lock  // an exclusive lock until commit
WITH lock
CALL () {
  UNWIND $works AS id
  MATCH (w:Work {id: id})
  WHERE w.importVersion IS NOT NULL
  RETURN collect({id: w.id, version: w.importVersion, hash: w.importHash}) AS works
}
CALL () {
  UNWIND $authors AS id
  MATCH (r:Researcher {id: id})
  WHERE r.recordVersion IS NOT NULL
  RETURN collect({id: r.id, version: r.recordVersion, hash: r.recordHash}) AS authors
}
RETURN works, authors

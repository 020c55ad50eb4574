// The versions (OpenAlex's updated_date) of the stored copies of the works and Author records an
// import batch brings: a copy older than the stored one is left out of the batch.
// Parameters: $works LIST<STRING> (work ids); $authors LIST<STRING> (ids of the batch's Author records).
// Returns: one row: works, authors LIST<MAP{id, version}> (copies stored without a version are left out).
// Example: bzgraph cypher ingest/versions --param 'works=["W2741809807"]' --param 'authors=["A5010401681"]'
CALL () {
  UNWIND $works AS id
  MATCH (w:Work {id: id})
  WHERE w.importVersion IS NOT NULL
  RETURN collect({id: w.id, version: w.importVersion}) AS works
}
CALL () {
  UNWIND $authors AS id
  MATCH (r:Researcher {id: id})
  WHERE r.recordVersion IS NOT NULL
  RETURN collect({id: r.id, version: r.recordVersion}) AS authors
}
RETURN works, authors

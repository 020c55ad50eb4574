// Marks researchers whose trust must be recomputed once the import's writes are done (:TrustPending),
// so a researcher touched by many batches is recomputed once, and a killed import still finishes it.
// Parameters: $ids LIST<STRING> (researcher ids).
// Example: bzgraph cypher ingest/trust-mark --param 'ids=["A5010401681"]'
UNWIND $ids AS id
MATCH (r:Researcher {id: id})
SET r:TrustPending
RETURN count(r) AS marked

// Clears the trust-recompute mark of researchers whose trust was just recomputed.
// Parameters: $ids LIST<STRING>.
// Example: bzgraph cypher ingest/trust-done --param 'ids=["A5010401681"]'
UNWIND $ids AS id
MATCH (r:TrustPending {id: id})
REMOVE r:TrustPending
RETURN count(r) AS cleared

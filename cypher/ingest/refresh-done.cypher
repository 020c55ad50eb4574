// Clears the refresh mark of nodes whose explore lists were just recomputed (in the same transaction).
// Parameters: $ids LIST<STRING>.
// Example: bzgraph cypher ingest/refresh-done --write --param 'ids=["A5010401681"]'
UNWIND $ids AS id
MATCH (n:Entity {id: id}) // the id index; RefreshPending has none
WHERE n:RefreshPending
REMOVE n:RefreshPending
RETURN count(n) AS cleared

// Tests only: deletes the test nodes written by testing/lock.
// Parameters: $ids LIST<STRING>.
// Example: bzgraph cypher testing/unlock --write --param 'ids=["lock-a","lock-b"]'
MATCH (m:TestMarker)
WHERE m.id IN $ids
DETACH DELETE m

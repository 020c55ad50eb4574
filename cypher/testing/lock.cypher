// Tests only: writes a test node, creating it if needed, so that the transaction holds its write lock until it ends.
// Parameters: $id STRING.
// Example: bzgraph cypher testing/lock --write --param id=lock-a
MERGE (m:TestMarker {id: $id})
SET m.locked = coalesce(m.locked, 0) + 1

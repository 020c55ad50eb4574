// Tests only: takes a researcher's write lock, held until the transaction ends (as the account actions take it).
// Parameters: $id STRING.
// Example: bzgraph cypher testing/lock-researcher --write --param id=bzr-leon-bungert
MATCH (r:Researcher {id: $id})
SET r._lock = true REMOVE r._lock
RETURN r.id AS id

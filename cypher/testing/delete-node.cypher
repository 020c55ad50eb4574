// Tests only: deletes one node and its relationships, without refreshing anything derived from it (as an import
// batch deleting an orphan leaves its neighbours' explore lists until their refresh).
// Parameters: $id STRING.
// Example: bzgraph cypher testing/delete-node --write --param id=t-r1
MATCH (n:Entity {id: $id})
DETACH DELETE n

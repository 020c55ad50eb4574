// Sets properties of a node as given (null removes one): the tests' way to give a node the state an older version
// of bzgraph left (an import's names and version bookkeeping before 2026-11-29, say).
// Parameters: $id STRING, $props MAP.
// Example: bzgraph cypher testing/set-properties --write --param id=bzr-leon-bungert --param 'props={"bio":null}'
MATCH (n:Entity {id: $id})
SET n += $props
RETURN n.id AS id

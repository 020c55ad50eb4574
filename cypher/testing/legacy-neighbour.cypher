// Adds a NEIGHBOUR relationship as versions before 2026-11-27 kept them, from one node to another, and counts
// the node's NEIGHBOUR relationships; explore/refresh must remove them.
// Parameters: $from STRING, $to STRING (node ids), $add BOOLEAN (false: only count).
// Example: bzgraph cypher testing/legacy-neighbour --write --param from=bzr-leon-bungert --param to=bzw-arxiv-1710.05705 --param add=false
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
CALL (a, b) {
  WITH a, b WHERE $add
  CREATE (a)-[:NEIGHBOUR {kind: 'WORK', via: 'AUTHORED', weight: 1.0, rank: 0}]->(b)
}
RETURN COUNT { (a)-[:NEIGHBOUR]->() } AS neighbourRelationships

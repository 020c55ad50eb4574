// Adds citations between existing works, for tests that generate small graphs.
// Parameters: $cites LIST<MAP{source, target}> (work ids).
// Example: bzgraph cypher testing/cites --write --param 'cites=[{"source":"t-w1","target":"t-w2"}]'
UNWIND $cites AS c
MATCH (a:Work {id: c.source}), (b:Work {id: c.target})
MERGE (a)-[:CITES]->(b)
RETURN count(*) AS cites

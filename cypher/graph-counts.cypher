// Node counts per label and relationship counts per type, for a quick look at the whole graph.
// Parameters: none.
// Example: bzgraph cypher graph-counts
CALL db.labels() YIELD label
CALL (label) {
  MATCH (n) WHERE label IN labels(n)
  RETURN count(n) AS count
}
RETURN 'node' AS kind, label AS name, count
UNION ALL
CALL db.relationshipTypes() YIELD relationshipType AS type
CALL (type) {
  MATCH ()-[r]->() WHERE type(r) = type
  RETURN count(r) AS count
}
RETURN 'relationship' AS kind, type AS name, count

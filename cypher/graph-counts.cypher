// Node counts per label and relationship counts per type, for a quick look at the whole graph.
// One scan of the nodes counts every label (and one of the relationships every type), so the counts are of the
// same nodes: a node created meanwhile is counted under all its labels or under none (the API shows non-moderators
// the `Entity` count less the accounts' labels, which stays exact that way). Labels and types that exist but have
// nothing any more count 0.
// Parameters: none.
// Example: bzgraph cypher graph-counts
CALL () {
  MATCH (n)
  UNWIND labels(n) AS label
  WITH label, count(*) AS count
  RETURN collect({name: label, count: count}) AS counted
}
CALL db.labels() YIELD label
RETURN 'node' AS kind, label AS name, coalesce([c IN counted WHERE c.name = label | c.count][0], 0) AS count
UNION ALL
CALL () {
  MATCH ()-[r]->()
  WITH type(r) AS type, count(*) AS count
  RETURN collect({name: type, count: count}) AS counted
}
CALL db.relationshipTypes() YIELD relationshipType AS type
RETURN 'relationship' AS kind, type AS name, coalesce([c IN counted WHERE c.name = type | c.count][0], 0) AS count

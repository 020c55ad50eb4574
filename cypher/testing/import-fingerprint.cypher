// Every node (labels, properties) and relationship (type, ends, properties) whose ids start with one
// of the prefixes: what the import tests compare for idempotency and resumability.
// Parameters: $prefixes LIST<STRING> (e.g. ["W", "A", "I", "T", "S"] for all OpenAlex nodes).
// Example: bzgraph cypher testing/import-fingerprint --param 'prefixes=["W91"]' --json
CALL () {
  MATCH (n) WHERE any(p IN $prefixes WHERE n.id STARTS WITH p)
  RETURN collect([labels(n), n {.*, date: toString(n.date)}]) AS nodes
}
CALL () {
  MATCH (a)-[r]->(b)
  WHERE any(p IN $prefixes WHERE a.id STARTS WITH p) OR any(p IN $prefixes WHERE b.id STARTS WITH p)
  RETURN collect([type(r), a.id, b.id, properties(r)]) AS relationships
}
RETURN nodes, relationships

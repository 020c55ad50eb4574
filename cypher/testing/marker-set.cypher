// Writes a marker node, so tests can check that data survives a restart.
// Parameters: $value (STRING).
// Example: bzgraph cypher testing/marker-set --write --param value=kept
MERGE (m:TestMarker {id: 'marker'})
SET m.value = $value
RETURN m.value AS value

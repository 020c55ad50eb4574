// Reads the marker node written by testing/marker-set.
// Parameters: none.
// Example: bzgraph cypher testing/marker-get
MATCH (m:TestMarker {id: 'marker'})
RETURN m.value AS value

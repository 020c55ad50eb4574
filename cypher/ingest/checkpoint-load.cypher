// How far an earlier, interrupted import got in each of these files.
// Parameters: $keys LIST<STRING> (file keys: path, size and modification time hashed).
// Example: bzgraph cypher ingest/checkpoint-load --param 'keys=["abc"]'
MATCH (c:ImportCheckpoint) WHERE c.id IN $keys
RETURN c.id AS key, c.position AS position

// Forgets the checkpoints of files whose import finished.
// Parameters: $keys LIST<STRING>.
// Example: bzgraph cypher ingest/checkpoint-clear --write --param 'keys=["abc"]'
MATCH (c:ImportCheckpoint) WHERE c.id IN $keys
DELETE c
RETURN count(*) AS cleared

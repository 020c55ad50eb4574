// Records how far an import got in each file (written in the same transaction as the batch).
// Parameters: $files LIST<MAP{key, path, position INTEGER}> (position = records done).
// Example: bzgraph cypher ingest/checkpoint-save --write --param 'files=[{"key":"abc","path":"works.jsonl.gz","position":500}]'
UNWIND $files AS f
MERGE (c:ImportCheckpoint {id: f.key})
SET c.path = f.path, c.position = f.position
RETURN count(c) AS saved

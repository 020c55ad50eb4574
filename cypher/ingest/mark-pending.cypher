// Marks nodes an import batch touched (and the works citing or cited by its works) :RefreshPending:
// their explore neighbour lists (explore/refresh) are recomputed once each when the import's writes
// are done (trust is recomputed in each batch); a killed import leaves the marks for the rerun to finish.
// Parameters: $ids LIST<STRING> (researcher, work, topic and institution ids).
// Example: bzgraph cypher ingest/mark-pending --write --param 'ids=["A5010401681"]'
UNWIND $ids AS id
MATCH (n:Entity {id: id})
SET n:RefreshPending
WITH n WHERE n:Work
OPTIONAL MATCH (n)-[:CITES]-(m:Work)
SET m:RefreshPending
RETURN count(DISTINCT n) AS works

// Up to $limit nodes waiting for their trust / explore refresh after an import (see ingest/mark-pending).
// Parameters: $limit INTEGER.
// Example: bzgraph cypher ingest/refresh-pending --param limit=1000
MATCH (n:RefreshPending)
RETURN n.id AS id
LIMIT $limit

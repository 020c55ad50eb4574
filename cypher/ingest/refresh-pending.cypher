// Up to $limit ids of nodes waiting for their explore refresh after an import (see ingest/mark-pending),
// as one list: one row streams far faster than one row per id.
// Parameters: $limit INTEGER.
// Example: bzgraph cypher ingest/refresh-pending --param limit=1000
MATCH (n:RefreshPending)
WITH n LIMIT $limit
RETURN collect(n.id) AS ids

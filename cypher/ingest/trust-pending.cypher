// Up to $limit researchers waiting for a trust recompute after an import (see ingest/trust-mark).
// Parameters: $limit INTEGER.
// Example: bzgraph cypher ingest/trust-pending --param limit=1000
MATCH (r:TrustPending)
RETURN r.id AS id
LIMIT $limit

// Upserts AFFILIATED_WITH edges of an import batch; `years` becomes the sorted union of the years seen.
// Parameters: $affiliations LIST<MAP{researcher, institution, years LIST<INTEGER>}>.
// Returns: counts LIST<MAP{kind,created,updated}>.
// Example: bzgraph cypher ingest/affiliations --write --param 'affiliations=[{"researcher":"A5010401681","institution":"I201726411","years":[2003]}]'
UNWIND $affiliations AS row
MATCH (r:Researcher {id: row.researcher}), (i:Institution {id: row.institution})
MERGE (r)-[a:AFFILIATED_WITH]->(i)
WITH a, row, a.years AS old
SET a.years = COLLECT { UNWIND coalesce(old, []) + row.years AS y WITH DISTINCT y RETURN y ORDER BY y }
RETURN [{kind: 'AFFILIATED_WITH', created: count(CASE WHEN old IS NULL THEN 1 END),
         updated: count(CASE WHEN old IS NOT NULL AND old <> a.years THEN 1 END)}] AS counts

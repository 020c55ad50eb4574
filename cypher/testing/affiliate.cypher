// Affiliates a test researcher with an institution (created if missing) in the given years.
// Parameters: $id STRING (researcher id), $institution STRING (institution id), $name STRING, $years LIST<INTEGER>.
// Example: bzgraph cypher testing/affiliate --write --param id=t-r1 --param institution=t-i1 --param name=Institute --param 'years=[2010,2023]'
MATCH (r:Researcher {id: $id})
MERGE (i:Institution:Entity {id: $institution}) ON CREATE SET i.name = $name
MERGE (r)-[a:AFFILIATED_WITH]->(i)
SET a.years = $years
RETURN r.id AS id, i.id AS institution, a.years AS years

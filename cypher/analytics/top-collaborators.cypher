// Top collaborators of a researcher: co-authors ranked by the number of works they share.
// Parameters: $id STRING (researcher id), $limit INTEGER? 0.. (rows, default 10).
// Columns: id, name, sharedWorks, firstYear, lastYear.
// Example: bzgraph cypher analytics/top-collaborators --param id=bzr-leon-bungert --param limit=5
MATCH (r:Researcher {id: $id})-[:AUTHORED]->(w:Work)<-[:AUTHORED]-(c:Researcher)
WHERE c <> r
WITH c, count(DISTINCT w) AS sharedWorks, min(w.year) AS firstYear, max(w.year) AS lastYear
RETURN c.id AS id, c.name AS name, sharedWorks, firstYear, lastYear
ORDER BY sharedWorks DESC, name ASC, id ASC
LIMIT coalesce($limit, 10)

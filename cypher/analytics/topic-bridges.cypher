// Researchers who bridge two topics: authors of works in both, ranked by the smaller of their two work counts.
// Parameters: $a STRING, $b STRING (topic ids), $limit INTEGER? 0.. (rows, default 10).
// Columns: id, name, worksInA, worksInB, worksInBoth (works having both topics).
// Example: bzgraph cypher analytics/topic-bridges --param a=bzt-nonlinear-eigenvalue-problems --param b=bzt-gradient-flows
MATCH (:Topic {id: $a})<-[:HAS_TOPIC]-(:Work)<-[:AUTHORED]-(r:Researcher)
WITH DISTINCT r
WHERE EXISTS { (r)-[:AUTHORED]->(:Work)-[:HAS_TOPIC]->(:Topic {id: $b}) }
WITH r,
     COUNT { (r)-[:AUTHORED]->(:Work)-[:HAS_TOPIC]->(:Topic {id: $a}) } AS worksInA,
     COUNT { (r)-[:AUTHORED]->(:Work)-[:HAS_TOPIC]->(:Topic {id: $b}) } AS worksInB,
     COUNT { MATCH (r)-[:AUTHORED]->(w:Work)-[:HAS_TOPIC]->(:Topic {id: $a})
             WHERE EXISTS { (w)-[:HAS_TOPIC]->(:Topic {id: $b}) } } AS worksInBoth
RETURN r.id AS id, r.name AS name, worksInA, worksInB, worksInBoth
ORDER BY CASE WHEN worksInA < worksInB THEN worksInA ELSE worksInB END DESC, worksInA + worksInB DESC,
         name ASC, id ASC
LIMIT coalesce($limit, 10)

// Researchers who bridge two topics: authors of works in both, ranked by the smaller of their two work counts.
// Parameters: $a STRING, $b STRING (topic ids), $limit INTEGER? 0.. (rows, default 10).
// Columns: id, name, worksInA, worksInB, worksInBoth (works having both topics).
// Example: bzgraph cypher analytics/topic-bridges --param a=bzt-nonlinear-eigenvalue-problems --param b=bzt-gradient-flows
// the two topics are bound once; each candidate's works and their topics are read once, compared by node (asking
// each count of every topic's id read the candidate's works four times)
MATCH (ta:Topic {id: $a}), (tb:Topic {id: $b})
MATCH (ta)<-[:HAS_TOPIC]-(:Work)<-[:AUTHORED]-(r:Researcher)
WITH DISTINCT ta, tb, r
CALL (ta, tb, r) {
  MATCH (r)-[:AUTHORED]->(w:Work)-[:HAS_TOPIC]->(t:Topic)
  WHERE t = ta OR t = tb
  WITH w, collect(t) AS ts
  WITH ta IN ts AS inA, tb IN ts AS inB
  RETURN sum(CASE WHEN inA THEN 1 ELSE 0 END) AS worksInA, sum(CASE WHEN inB THEN 1 ELSE 0 END) AS worksInB,
         sum(CASE WHEN inA AND inB THEN 1 ELSE 0 END) AS worksInBoth
}
WITH r, worksInA, worksInB, worksInBoth WHERE worksInB > 0
RETURN r.id AS id, r.name AS name, worksInA, worksInB, worksInBoth
ORDER BY CASE WHEN worksInA < worksInB THEN worksInA ELSE worksInB END DESC, worksInA + worksInB DESC,
         name ASC, id ASC
LIMIT coalesce($limit, 10)

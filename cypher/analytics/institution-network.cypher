// An institution's collaboration network: the other institutions whose researchers co-author works with its researchers.
// Parameters: $id STRING (institution id), $limit INTEGER? 0.. (rows, default 25).
// Columns: id, name, country, sharedWorks (distinct works with an author at each), researchers (authors at $id
//   on those works), partnerResearchers (authors at the partner on those works).
// Example: bzgraph cypher analytics/institution-network --param id=I27837315 --param limit=10
MATCH (home:Institution {id: $id})<-[:AFFILIATED_WITH]-(r:Researcher)-[:AUTHORED]->(w:Work)
      <-[:AUTHORED]-(p:Researcher)-[:AFFILIATED_WITH]->(partner:Institution)
WHERE partner <> home AND p <> r
WITH partner, count(DISTINCT w) AS sharedWorks, count(DISTINCT r) AS researchers,
     count(DISTINCT p) AS partnerResearchers
RETURN partner.id AS id, partner.name AS name, partner.country AS country, sharedWorks, researchers,
       partnerResearchers
ORDER BY sharedWorks DESC, name ASC, id ASC
LIMIT coalesce($limit, 25)

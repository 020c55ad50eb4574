// An institution's collaboration network: the other institutions whose researchers co-author works with its researchers.
// Parameters: $id STRING (institution id), $limit INTEGER? 0.. (rows, default 25).
// Columns: id, name, country, sharedWorks (distinct works with an author at each), researchers (authors at $id
//   on those works), partnerResearchers (authors at the partner on those works). "At" means as the work's own
//   author list says (AUTHORED.institutions), not wherever a researcher was ever affiliated.
// Example: bzgraph cypher analytics/institution-network --param id=I27837315 --param limit=10
MATCH (home:Institution {id: $id})<-[:AFFILIATED_WITH]-(r:Researcher)-[a:AUTHORED]->(w:Work)
WHERE $id IN a.institutions
MATCH (w)<-[b:AUTHORED]-(p:Researcher)
WHERE p <> r
UNWIND b.institutions AS partnerId
WITH w, r, p, partnerId
WHERE partnerId <> $id
MATCH (partner:Institution {id: partnerId})
WITH partner, count(DISTINCT w) AS sharedWorks, count(DISTINCT r) AS researchers,
     count(DISTINCT p) AS partnerResearchers
RETURN partner.id AS id, partner.name AS name, partner.country AS country, sharedWorks, researchers,
       partnerResearchers
ORDER BY sharedWorks DESC, name ASC, id ASC
LIMIT coalesce($limit, 25)

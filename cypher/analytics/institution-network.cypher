// An institution's collaboration network: the other institutions whose researchers co-author works with its researchers.
// Parameters: $id STRING (institution id), $limit INTEGER? 0.. (rows, default 25).
// Columns: id, name, country, sharedWorks (distinct works with an author at each), researchers (authors at $id
//   on those works), partnerResearchers (authors at the partner on those works). "At" means as the work's own
//   author list says (AUTHORED.institutions), not wherever a researcher was ever affiliated.
// Example: bzgraph cypher analytics/institution-network --param id=I27837315 --param limit=10
MATCH (home:Institution {id: $id})<-[:AFFILIATED_WITH]-(r:Researcher)-[a:AUTHORED]->(w:Work)
WHERE $id IN a.institutions
// a shared work: an author at $id and another author at the partner (each work read once, with its authors at $id:
// once per such author, a work of many authors was read as many times)
WITH w, collect(r) AS homes
MATCH (w)<-[b:AUTHORED]-(p:Researcher)
WHERE size(homes) > 1 OR p <> homes[0]
UNWIND b.institutions AS partnerId
WITH w, partnerId
WHERE partnerId <> $id
WITH partnerId, collect(DISTINCT w) AS works
MATCH (partner:Institution {id: partnerId})
CALL (partner, works) {
  // everyone the shared works list at either end (one listed at both counts at both)
  UNWIND works AS w
  MATCH (w)<-[x:AUTHORED]-(q:Researcher)
  RETURN count(DISTINCT CASE WHEN $id IN x.institutions THEN q END) AS researchers,
         count(DISTINCT CASE WHEN partner.id IN x.institutions THEN q END) AS partnerResearchers
}
RETURN partner.id AS id, partner.name AS name, partner.country AS country, size(works) AS sharedWorks, researchers,
       partnerResearchers
ORDER BY sharedWorks DESC, name ASC, id ASC
LIMIT coalesce($limit, 25)

// Co-authorship communities around a researcher: their co-authors grouped into the connected groups
// they form by writing together, the researcher left out (who would join everyone).
// Parameters: $id STRING (researcher id), $limit INTEGER? 0.. (communities, default 20).
// Columns: community (1 = largest), size, members (LIST<MAP{id, name}>, by name), worksWithCenter
//   (distinct works the researcher wrote with members of the community). Ties: worksWithCenter, then
//   the smallest member id.
// Example: bzgraph cypher analytics/coauthor-communities --param id=bzr-leon-bungert
MATCH (center:Researcher {id: $id})
CALL (center) {
  MATCH (center)-[:AUTHORED]->(:Work)<-[:AUTHORED]-(c:Researcher)
  WHERE c <> center
  RETURN collect(DISTINCT c) AS coauthors
}
// Every work that two or more of the co-authors wrote (with the researcher or without) links them:
// read once per co-author's works, never walked as paths.
CALL (coauthors) {
  UNWIND coauthors AS c
  MATCH (c)-[:AUTHORED]->(w:Work)
  WITH w, collect(c.id) AS together
  WHERE size(together) >= 2
  RETURN collect(together) AS links
}
// The connected groups: each link merges every group it touches into one.
WITH center, coauthors,
     reduce(groups = [], link IN links |
       [g IN groups WHERE none(x IN link WHERE x IN g)]
       + [reduce(merged = link, g IN [g IN groups WHERE any(x IN link WHERE x IN g)] |
            merged + [x IN g WHERE NOT x IN merged])]) AS linked
WITH center, coauthors, linked, reduce(ids = [], g IN linked | ids + g) AS inLinks
UNWIND linked + [c IN coauthors WHERE NOT c.id IN inLinks | [c.id]] AS ids
WITH center, [c IN coauthors WHERE c.id IN ids] AS members,
     reduce(smallest = ids[0], x IN ids | CASE WHEN x < smallest THEN x ELSE smallest END) AS key
WITH center, members, size(members) AS size, key,
     COUNT { MATCH (center)-[:AUTHORED]->(w:Work)<-[:AUTHORED]-(m:Researcher) WHERE m IN members
             RETURN DISTINCT w } AS worksWithCenter
ORDER BY size DESC, worksWithCenter DESC, key ASC
LIMIT coalesce($limit, 20)
WITH collect({size: size, members: members, worksWithCenter: worksWithCenter}) AS found
UNWIND range(0, size(found) - 1) AS i
WITH i, found[i] AS c
RETURN i + 1 AS community, c.size AS size,
       COLLECT { UNWIND c.members AS m RETURN {id: m.id, name: m.name} ORDER BY m.name, m.id } AS members,
       c.worksWithCenter AS worksWithCenter
ORDER BY community

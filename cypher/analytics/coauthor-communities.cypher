// Co-authorship communities around a researcher: their co-authors grouped into the connected groups
// they form by writing together, the researcher left out (who would join everyone).
// Parameters: $id STRING (researcher id), $limit INTEGER? 0.. (communities, default 20).
// Columns: community (1 = largest), size, members (LIST<MAP{id, name}>, by name), worksWithCenter
//   (distinct works the researcher wrote with members of the community).
// Example: bzgraph cypher analytics/coauthor-communities --param id=bzr-leon-bungert
MATCH (center:Researcher {id: $id})
CALL (center) {
  MATCH (center)-[:AUTHORED]->(:Work)<-[:AUTHORED]-(c:Researcher)
  WHERE c <> center
  RETURN collect(DISTINCT c) AS coauthors
}
UNWIND coauthors AS member
CALL (center, member, coauthors) {
  MATCH ANY SHORTEST (member)((:Researcher)-[:AUTHORED]->(:Work)<-[:AUTHORED]-(next:Researcher)
        WHERE next <> center AND next IN coauthors)*(reached)
  RETURN min(reached.id) AS key
}
WITH center, key, collect(member) AS members
WITH center, members, size(members) AS size,
     COUNT { MATCH (center)-[:AUTHORED]->(w:Work)<-[:AUTHORED]-(m:Researcher) WHERE m IN members
             RETURN DISTINCT w } AS worksWithCenter,
     key
ORDER BY size DESC, worksWithCenter DESC, key ASC
LIMIT coalesce($limit, 20)
WITH collect({size: size, members: members, worksWithCenter: worksWithCenter}) AS found
UNWIND range(0, size(found) - 1) AS i
WITH i, found[i] AS c
RETURN i + 1 AS community, c.size AS size,
       COLLECT { UNWIND c.members AS m RETURN {id: m.id, name: m.name} ORDER BY m.name, m.id } AS members,
       c.worksWithCenter AS worksWithCenter
ORDER BY community

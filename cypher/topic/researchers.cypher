// A page of the researchers working on each of many topics: the most works with the topic first, then by name
// (nameKey: case, accents, apostrophes and dashes aside), then id. A researcher's works on a topic are those they
// authored that have it (as explore's WORKS_ON weight and a profile's topics count them).
// Parameters: $ids LIST<STRING> (topic ids); $first INT (page size); $afterWorks INT?, $afterName STRING?,
//   $afterId STRING? (the keyset position of the last researcher of the page before, all null for the first page;
//   $afterName is the sort name).
// Returns: one row per topic found: id, totalCount, members (at most $first + 1, each with the researcher, their
//   works on the topic and sortName: a row beyond $first means there is a next page).
// Example: bzgraph cypher topic/researchers --param 'ids=["bzt-gradient-flows"]' --param first=5 --param afterWorks=null --param afterName=null --param afterId=null
UNWIND $ids AS topicId
MATCH (t:Topic {id: topicId})
CALL (t) {
  OPTIONAL MATCH (r:Researcher)-[:AUTHORED]->(w:Work)-[:HAS_TOPIC]->(t)
  WITH r, count(DISTINCT w) AS works
  WITH r, works, left(coalesce(r.nameKey, toLower(coalesce(r.name, ''))), 300) AS n
  WHERE r IS NOT NULL AND (
    $afterId IS NULL
    OR works < $afterWorks
    OR (works = $afterWorks AND n > $afterName)
    OR (works = $afterWorks AND n = $afterName AND r.id > $afterId))
  WITH r, works, n ORDER BY works DESC, n ASC, r.id ASC
  LIMIT $first + 1
  RETURN collect({researcher: r {.id, .name, .aliases, .orcid, .bio, .openToCollaborate, .trustScore, .trustTier, .verificationLevel, .trustKeys, .trustLabels, .trustValues, .trustPoints, .trustMaxPoints},
                  works: works, sortName: n}) AS members
}
RETURN t.id AS id, COUNT { MATCH (r:Researcher)-[:AUTHORED]->(:Work)-[:HAS_TOPIC]->(t) RETURN DISTINCT r } AS totalCount, members

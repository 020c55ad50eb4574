// A page of the researchers working on each of many topics: the most works with the topic first, then by name
// (nameKey: case, accents, apostrophes and dashes aside), then id. A researcher's works on a topic are those they
// authored that have it (as explore's WORKS_ON weight and a profile's topics count them).
// Parameters: $ids LIST<STRING> (topic ids); $first INT (page size); $afterCount INT?, $afterName STRING?,
//   $afterId STRING? (the keyset position of the last researcher of the page before, all null for the first page;
//   $afterName is the sort name).
// Returns: one row per topic found: id, totalCount, members (at most $first + 1, each with the researcher, count
//   (their works on the topic) and sortName: a row beyond $first means there is a next page).
// Example: bzgraph cypher topic/researchers --param 'ids=["bzt-gradient-flows"]' --param first=5 --param afterCount=null --param afterName=null --param afterId=null
UNWIND $ids AS topicId
MATCH (t:Topic {id: topicId})
CALL (t) {
  // one pass over the topic's authorships gives the page and the total (its cost follows the topic's works and
  // their authors, not the page: the API runs it as a heavy query)
  OPTIONAL MATCH (r:Researcher)-[:AUTHORED]->(w:Work)-[:HAS_TOPIC]->(t)
  WITH r, count(DISTINCT w) AS works
  WHERE r IS NOT NULL
  WITH r, works, left(coalesce(r.nameKey, toLower(coalesce(r.name, ''))), 300) AS n
  ORDER BY works DESC, n ASC, r.id ASC
  WITH collect({r: r, works: works, n: n}) AS ranked
  WITH size(ranked) AS totalCount,
       [x IN ranked WHERE $afterId IS NULL
                       OR x.works < $afterCount
                       OR (x.works = $afterCount AND x.n > $afterName)
                       OR (x.works = $afterCount AND x.n = $afterName AND x.r.id > $afterId)][..$first + 1] AS page
  CALL (page) {
    UNWIND page AS x
    WITH x, x.r AS r
    RETURN collect({researcher: r {.id, .name, .aliases, .orcid, .bio, .openToCollaborate, .trustScore, .trustTier,
                                   .verificationLevel, .trustKeys, .trustLabels, .trustValues, .trustPoints,
                                   .trustMaxPoints},
                    count: x.works, sortName: x.n}) AS members
  }
  RETURN totalCount, members
}
RETURN t.id AS id, totalCount, members

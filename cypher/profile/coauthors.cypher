// A page of the co-authors of each of many researchers: everyone who shares a work with them, the most shared works
// first, then by name (nameKey: case, accents, apostrophes and dashes aside), then id. Those sharing at least two are
// the profile's close collaborators (profile/researchers), in the same order.
// Parameters: $ids LIST<STRING> (researcher ids); $first INT (page size); $afterCount INT?, $afterName STRING?,
//   $afterId STRING? (the keyset position of the last co-author of the page before, all null for the first page;
//   $afterName is the sort name).
// Returns: one row per researcher found: id, totalCount, members (at most $first + 1, each with the researcher, count
//   (the works shared) and sortName: a row beyond $first means there is a next page).
// Example: bzgraph cypher profile/coauthors --param 'ids=["bzr-leon-bungert"]' --param first=5 --param afterCount=null --param afterName=null --param afterId=null
UNWIND $ids AS researcherId
MATCH (r:Researcher {id: researcherId})
CALL (r) {
  OPTIONAL MATCH (r)-[:AUTHORED]->(w:Work)<-[:AUTHORED]-(c:Researcher)
  WHERE c <> r
  WITH c, count(DISTINCT w) AS shared
  WHERE c IS NOT NULL
  WITH c, shared, left(coalesce(c.nameKey, toLower(coalesce(c.name, ''))), 300) AS n
  ORDER BY shared DESC, n ASC, c.id ASC
  WITH collect({c: c, shared: shared, n: n}) AS ranked
  WITH size(ranked) AS totalCount,
       [x IN ranked WHERE $afterId IS NULL
                       OR x.shared < $afterCount
                       OR (x.shared = $afterCount AND x.n > $afterName)
                       OR (x.shared = $afterCount AND x.n = $afterName AND x.c.id > $afterId)][..$first + 1] AS page
  CALL (page) {
    UNWIND page AS x
    WITH x, x.c AS c
    RETURN collect({researcher: c {.id, .name, .aliases, .orcid, .bio, .openToCollaborate, .trustScore, .trustTier,
                                   .verificationLevel, .trustKeys, .trustLabels, .trustValues, .trustPoints,
                                   .trustMaxPoints},
                    count: x.shared, sortName: x.n}) AS members
  }
  RETURN totalCount, members
}
RETURN r.id AS id, totalCount, members

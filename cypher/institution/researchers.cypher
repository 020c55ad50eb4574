// A page of the researchers affiliated with each of many institutions: the most recently seen there first
// (the latest year of the affiliation), then by name (nameKey: case, accents,
// apostrophes and dashes aside), then id.
// Parameters: $ids LIST<STRING> (institution ids); $first INT (page size); $afterYear INT?, $afterName STRING?,
//   $afterId STRING? (the keyset position of the last researcher of the page before, all null for the
//   first page; $afterName is the sort name).
// Returns: one row per institution found: id, totalCount, members (at most $first + 1, each with the
//   researcher, the years the affiliation was seen, sortYear and sortName: a row beyond $first means
//   there is a next page).
// Example: bzgraph cypher institution/researchers --param 'ids=["I201726411"]' --param first=5 --param afterYear=null --param afterName=null --param afterId=null
UNWIND $ids AS institutionId
MATCH (i:Institution {id: institutionId})
CALL (i) {
  OPTIONAL MATCH (r:Researcher)-[a:AFFILIATED_WITH]->(i)
  WITH r, a, reduce(latest = -10000, year IN coalesce(a.years, []) | CASE WHEN year > latest THEN year ELSE latest END) AS y,
       left(coalesce(r.nameKey, toLower(coalesce(r.name, ''))), 300) AS n
  WHERE r IS NOT NULL AND (
    $afterId IS NULL
    OR y < $afterYear
    OR (y = $afterYear AND n > $afterName)
    OR (y = $afterYear AND n = $afterName AND r.id > $afterId))
  WITH r, a, y, n ORDER BY y DESC, n ASC, r.id ASC
  LIMIT $first + 1
  RETURN collect({researcher: r {.id, .name, .aliases, .orcid, .bio, .openToCollaborate, .trustScore, .trustTier, .verificationLevel, .trustKeys, .trustLabels, .trustValues, .trustPoints, .trustMaxPoints}, years: coalesce(a.years, []),
                  sortYear: y, sortName: n}) AS members
}
RETURN i.id AS id, COUNT { (:Researcher)-[:AFFILIATED_WITH]->(i) } AS totalCount, members

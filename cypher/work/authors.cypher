// The ordered author lists of works: researchers with records (the first $max, and how many in all) and raw names
// without (the first $max).
// Parameters: $ids LIST<STRING> (work ids), $max INTEGER (the most authors with records returned per work).
// Example: bzgraph cypher work/authors --param 'ids=["bzw-arxiv-2105.04319"]' --param max=1000
UNWIND $ids AS workId
MATCH (w:Work {id: workId})
OPTIONAL MATCH (r:Researcher)-[a:AUTHORED]->(w)
WITH w, r, a ORDER BY a.position ASC, r.name ASC
WITH w, collect(CASE WHEN r IS NULL THEN null ELSE {position: a.position, researcher: r} END) AS listed
CALL (listed) {
  // only the first $max are read out (a work of 5,000 authors asked for its first 20 read all of them)
  UNWIND listed[..$max] AS x
  WITH x.position AS position, x.researcher AS r
  RETURN collect({position: position, researcher: r {.id, .name, .aliases, .orcid, .bio, .openToCollaborate, .trustScore,
                  .trustTier, .verificationLevel, .trustKeys, .trustLabels, .trustValues, .trustPoints,
                  .trustMaxPoints}}) AS authors
}
RETURN w.id AS id, authors, size(listed) AS authorCount,
       coalesce(w.rawAuthorNames, [])[..$max] AS rawAuthorNames

// The ordered author lists of works: researchers with records (the first $max, and how many in all) and raw names
// without (the first $max).
// Parameters: $ids LIST<STRING> (work ids), $max INTEGER (the most authors with records returned per work).
// Example: bzgraph cypher work/authors --param 'ids=["bzw-arxiv-2105.04319"]' --param max=1000
UNWIND $ids AS workId
MATCH (w:Work {id: workId})
OPTIONAL MATCH (r:Researcher)-[a:AUTHORED]->(w)
WITH w, r, a ORDER BY a.position ASC, r.name ASC
WITH w, collect(CASE WHEN r IS NULL THEN null ELSE {position: a.position, researcher: r {.id, .name, .aliases, .orcid, .bio, .openToCollaborate, .trustScore, .trustTier, .verificationLevel, .trustKeys, .trustLabels, .trustValues, .trustPoints, .trustMaxPoints}} END) AS authors
RETURN w.id AS id, authors[..$max] AS authors, size(authors) AS authorCount,
       coalesce(w.rawAuthorNames, [])[..$max] AS rawAuthorNames

// The ordered author lists of works, researchers with records and raw names without.
// Parameters: $ids LIST<STRING> (work ids).
// Example: bzgraph cypher work/authors --param 'ids=["bzw-arxiv-2105.04319"]'
UNWIND $ids AS workId
MATCH (w:Work {id: workId})
OPTIONAL MATCH (r:Researcher)-[a:AUTHORED]->(w)
WITH w, r, a ORDER BY a.position ASC, r.name ASC
RETURN w.id AS id,
       [x IN collect(CASE WHEN r IS NULL THEN null ELSE {position: a.position, researcher: r {.id, .name, .aliases, .orcid, .bio}} END)] AS authors,
       coalesce(w.rawAuthorNames, []) AS rawAuthorNames

// The topics of works, strongest first.
// Parameters: $ids LIST<STRING> (work ids).
// Example: bzgraph cypher work/topics --param 'ids=["bzw-arxiv-2105.04319"]'
UNWIND $ids AS workId
MATCH (w:Work {id: workId})
OPTIONAL MATCH (w)-[h:HAS_TOPIC]->(t:Topic)
WITH w, h, t ORDER BY h.score DESC, t.name ASC
RETURN w.id AS id,
       collect(CASE WHEN t IS NULL THEN null ELSE {score: h.score, topic: t {.id, .name, .subfield, .field, .domain, .worksCount}} END) AS topics

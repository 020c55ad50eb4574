// The venue of each of many works: the journal, repository or conference of its primary location (PUBLISHED_IN).
// Parameters: $ids LIST<STRING> (work ids).
// Returns: one row per work with a venue: id (the work's) and source {id, name, type, issn}.
// Example: bzgraph cypher work/source --param 'ids=["bzw-arxiv-2105.04319"]'
UNWIND $ids AS workId
MATCH (:Work {id: workId})-[:PUBLISHED_IN]->(s:Source)
RETURN workId AS id, s {.id, .name, .type, .issn} AS source

// Every work of the seed's reference researcher with its venue, for the foundation tests.
// Parameters: none.
// Example: bzgraph cypher testing/works-with-venue
MATCH (:Researcher {id: 'bzr-leon-bungert'})-[:AUTHORED]->(w:Work)
OPTIONAL MATCH (w)-[:PUBLISHED_IN]->(s:Source)
RETURN w.id AS id, w.title AS title, w.type AS type, w.year AS year, s.name AS venue, w.abstract AS abstract
ORDER BY w.year DESC, w.title

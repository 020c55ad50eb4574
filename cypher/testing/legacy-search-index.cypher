// Tests only: creates the topic search index as versions before 2026-11-27 made it (no accent folding),
// so tests can check that the migrations replace it.
// Parameters: none.
// Example: bzgraph cypher testing/legacy-search-index --write
CREATE FULLTEXT INDEX search_topic IF NOT EXISTS FOR (n:Topic) ON EACH [n.name]

// Tests only: the full-text indexes, with their analyzer, so tests can check what the migrations leave.
// Parameters: none.
// Example: bzgraph cypher testing/fulltext-indexes
SHOW FULLTEXT INDEXES YIELD name, options
RETURN name, options.indexConfig.`fulltext.analyzer` AS analyzer
ORDER BY name

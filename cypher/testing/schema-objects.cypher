// Tests only: every index (constraints show as the indexes that back them), so tests can compare the schema before and after migrating.
// Parameters: none.
// Example: bzgraph cypher testing/schema-objects
SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state
RETURN name, type, entityType, labelsOrTypes, properties, state
ORDER BY name

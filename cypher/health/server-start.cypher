// When the Neo4j server now answering started (its JVM's start, milliseconds since the epoch): a server started since
// the API prepared (migrations applied, queries planned) is cold, and may be empty, so /readyz says 503 until the API
// has prepared again (bzgraph/app.py). Null where the server does not say (a managed service may refuse JMX).
// Parameters: none.
// Example: bzgraph cypher health/server-start
CALL dbms.queryJmx('java.lang:type=Runtime') YIELD attributes
RETURN attributes.StartTime.value AS startedAt

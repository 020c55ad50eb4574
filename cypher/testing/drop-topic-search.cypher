// Tests only: drops the topic full-text index, as a database the migrations have not reached yet would lack it.
// Parameters: none. (bzgraph db migrate creates it again.)
// Example: bzgraph cypher testing/drop-topic-search --write
DROP INDEX search_topic_spelled IF EXISTS

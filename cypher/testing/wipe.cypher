// Deletes every node and relationship. Used by the test suite before it seeds; never by the API.
// Parameters: none.
// Example: bzgraph cypher testing/wipe --write   # destroys all data!
MATCH (n)
DETACH DELETE n

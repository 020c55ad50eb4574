// Deletes every node and relationship, in batches. Used by the test suite before it seeds; never by the API.
// Parameters: none.
// Example: bzgraph cypher testing/wipe   (destroys all data!)
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS

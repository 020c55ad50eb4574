// Waits until every index is online, so the first query after a migration can use them.
// Parameters: none. Run last by `bzgraph db migrate`.
// Example: bzgraph db migrate
CALL db.awaitIndexes(300)

// Tests only: terminates the running transactions whose query contains $text, as an operator would.
// Parameters: $text STRING.
// Returns: one row per transaction terminated: terminated (its id), message.
// Example: bzgraph cypher testing/terminate-running --write --param text=slow-read
SHOW TRANSACTIONS YIELD transactionId, currentQuery
WHERE currentQuery CONTAINS $text AND NOT currentQuery CONTAINS 'SHOW TRANSACTIONS'
TERMINATE TRANSACTIONS transactionId
YIELD transactionId AS terminated, message
RETURN terminated, message

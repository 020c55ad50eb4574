// Tests only: terminates every transaction that waits for a lock another holds, as an operator would.
// Returns: one row per transaction terminated: terminated (its id), message.
// Example: bzgraph cypher testing/terminate-blocked --write
SHOW TRANSACTIONS YIELD transactionId, status
WHERE status STARTS WITH 'Blocked'
TERMINATE TRANSACTIONS transactionId
YIELD transactionId AS terminated, message
RETURN terminated, message

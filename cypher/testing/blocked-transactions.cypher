// Tests only: how many transactions wait for a lock another holds (status "Blocked by: ...").
// Returns: blocked INTEGER.
// Example: bzgraph cypher testing/blocked-transactions
SHOW TRANSACTIONS YIELD status
WHERE status STARTS WITH 'Blocked'
RETURN count(*) AS blocked

// Builds one list of $n texts in memory: a transaction that needs about $n x 50 bytes (tests of db.memory.transaction.max).
// Parameters: $n INTEGER.
// Example: bzgraph cypher testing/memory-hog --param n=1000
UNWIND range(1, $n) AS i
RETURN size(collect(toString(i))) AS size

// Tests only: a read that runs for a long while (counts through $n numbers), for an operator to stop.
// Parameters: $n INTEGER.
// Example: bzgraph cypher testing/slow-read --param n=1000
UNWIND range(1, $n) AS x
WITH x WHERE x % 7 = 0  // slow-read
RETURN count(x) AS n

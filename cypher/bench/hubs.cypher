// Benchmark input: the $first researchers, works, topics and institutions with the most neighbours (explore's hubs).
// Parameters: $first INTEGER.
// Example: bzgraph cypher bench/hubs --param first=9
MATCH (n:Entity)
WHERE (n:Researcher OR n:Work OR n:Topic OR n:Institution) AND n.neighbourTotals IS NOT NULL
WITH n, reduce(total = 0, t IN n.neighbourTotals | total + t) AS neighbours
ORDER BY neighbours DESC, n.id ASC
LIMIT $first
RETURN n.id AS id, neighbours

// Ids of every node explore can center on, in pages, for rebuilding all neighbour lists (`bzgraph explore refresh`).
// Parameters: $after STRING (last id of the previous page; '' for the first), $first INTEGER.
// Example: bzgraph cypher explore/node-ids --param after= --param first=1000
MATCH (n:Entity)
WHERE n.id > $after AND (n:Researcher OR n:Work OR n:Topic OR n:Institution)
RETURN n.id AS id
ORDER BY id
LIMIT $first

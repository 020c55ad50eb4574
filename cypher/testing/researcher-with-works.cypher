// Creates (or extends) a test researcher with the given works (their id, title and year; citedByCount 0), first author
// of each.
// Parameters: $id STRING, $name STRING, $works LIST<MAP{id, title, year}>.
// Example: bzgraph cypher testing/researcher-with-works --write --param id=t-r1 --param name=Test --param 'works=[{"id":"t-w1","title":"A","year":2020}]'
MERGE (r:Researcher:Entity {id: $id})
SET r.name = $name, r.nameKey = null, r.aliases = coalesce(r.aliases, []), r.openToCollaborate = coalesce(r.openToCollaborate, false)
WITH r
UNWIND $works AS w
MERGE (n:Work:Entity {id: w.id})
SET n.title = w.title, n.year = w.year, n.type = 'article', n.citedByCount = 0
MERGE (r)-[a:AUTHORED]->(n)
SET a.position = 1
RETURN count(n) AS works

// Returns a researcher's node, one AUTHORED relationship, a path and nested lists and maps of them, raw: the database layer must convert them as Record.data() does.
// Parameters: $id STRING (a researcher with at least one work).
// Example: bzgraph cypher testing/graph-values --param id=bzr-leon-bungert
MATCH p = (r:Researcher {id: $id})-[a:AUTHORED]->(w:Work)
WITH r, a, w, p ORDER BY w.id LIMIT 1
RETURN r AS node, a AS relationship, p AS path,
       {node: w, list: [r, w, 1, 'x', null, 2.5, true], date: date('2024-05-01')} AS nested,
       [[r], [p]] AS lists

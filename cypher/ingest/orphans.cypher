// Deletes the imported nodes an import batch left without any relationship: researchers with no work
// and no Author record of their own, and venues, topics and institutions no work or researcher names
// any more (only newer copies of records name what they named).
// Parameters: $researchers, $sources, $topics, $institutions LIST<STRING> (ids that lost a relationship;
//   repeats count once).
// Returns: counts LIST<MAP{kind,deleted}>; deleted LIST<STRING> (their ids).
// Example: bzgraph cypher ingest/orphans --write --param 'researchers=["A5010401681"]' --param 'sources=[]' --param 'topics=[]' --param 'institutions=[]'
CALL () {
  UNWIND $researchers AS id
  WITH DISTINCT id
  MATCH (n:Researcher {id: id})
  WHERE n.seenVersion IS NOT NULL AND n.recordVersion IS NULL
  SET n._lock = true REMOVE n._lock  // locked before the check: a follow or claim (they lock it too) waits
  WITH n, id WHERE NOT EXISTS { (n)--() }
  DELETE n
  RETURN collect(id) AS researchers
}
CALL () {
  UNWIND $sources + $topics + $institutions AS id
  WITH DISTINCT id
  MATCH (n:Entity {id: id})
  WHERE (n:Source OR n:Topic OR n:Institution) AND n.importVersion IS NOT NULL AND NOT EXISTS { (n)--() }
  WITH n, id, [label IN labels(n) WHERE label <> 'Entity'][0] AS kind
  DELETE n
  RETURN collect(kind) AS kinds, collect(id) AS entities
}
RETURN [kind IN ['Researcher', 'Source', 'Topic', 'Institution'] |
         {kind: kind, deleted: CASE kind WHEN 'Researcher' THEN size(researchers)
                                         ELSE size([k IN kinds WHERE k = kind]) END}] AS counts,
       researchers + entities AS deleted

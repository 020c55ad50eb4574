// Refreshes the derived counts of the graph model on touched nodes: worksCount of researchers and
// topics, researchersCount of institutions. Run in every import batch (then trust/recompute).
// Parameters: $researchers, $topics, $institutions LIST<STRING> (ids).
// Example: bzgraph cypher ingest/derived --write --param 'researchers=["A5010401681"]' --param 'topics=[]' --param 'institutions=[]'
CALL () {
  UNWIND $researchers AS id
  MATCH (n:Researcher {id: id})
  SET n.worksCount = COUNT { (n)-[:AUTHORED]->(:Work) }
}
CALL () {
  UNWIND $topics AS id
  MATCH (n:Topic {id: id})
  SET n.worksCount = COUNT { (n)<-[:HAS_TOPIC]-(:Work) }
}
CALL () {
  UNWIND $institutions AS id
  MATCH (n:Institution {id: id})
  SET n.researchersCount = COUNT { (n)<-[:AFFILIATED_WITH]-(:Researcher) }
}
RETURN size($researchers) AS researchers, size($topics) AS topics, size($institutions) AS institutions

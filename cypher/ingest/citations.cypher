// Links an import batch's works by citation: CITES to referenced works already in the graph; a
// CITES_UNRESOLVED placeholder (:UnresolvedWork) for the others, turned into CITES when that work
// arrives. Run after ingest/works for the same batch.
// Parameters: $works LIST<MAP{id, references LIST<STRING>}>.
// Returns: counts LIST<MAP{kind,created,updated,deleted}> for CITES.
// Example: bzgraph cypher ingest/citations --param 'works=[{"id":"W1","references":["W2"]}]'
CALL () {
  // Citations that were waiting for these works.
  UNWIND $works AS row
  MATCH (u:UnresolvedWork {id: row.id})
  MATCH (w:Work {id: row.id})
  OPTIONAL MATCH (citing:Work)-[:CITES_UNRESOLVED]->(u)
  CALL (citing, w) {
    WITH citing, w WHERE citing IS NOT NULL
    MERGE (citing)-[:CITES]->(w)
  }
  WITH u, count(citing) AS resolved
  DETACH DELETE u
  RETURN sum(resolved) AS resolved
}
CALL () {
  // References no longer in a work's record.
  UNWIND $works AS row
  MATCH (w:Work {id: row.id})-[c:CITES|CITES_UNRESOLVED]->(target)
  WHERE NOT target.id IN row.references
  DELETE c
  WITH target, count(*) AS n, sum(CASE WHEN target:Work THEN 1 ELSE 0 END) AS cites
  CALL (target) {
    WITH target WHERE target:UnresolvedWork AND NOT EXISTS { (target)<-[:CITES_UNRESOLVED]-() }
    DELETE target
  }
  RETURN sum(cites) AS citesDeleted
}
CALL () {
  UNWIND $works AS row
  MATCH (w:Work {id: row.id})
  UNWIND row.references AS ref
  OPTIONAL MATCH (cited:Work {id: ref})
  WITH w, ref, cited,
       CASE WHEN cited IS NULL THEN false ELSE EXISTS { (w)-[:CITES]->(cited) } END AS existed
  CALL (w, cited) {
    WITH w, cited WHERE cited IS NOT NULL
    MERGE (w)-[:CITES]->(cited)
  }
  CALL (w, cited, ref) {
    WITH w, ref WHERE cited IS NULL
    MERGE (u:UnresolvedWork {id: ref})
    MERGE (w)-[:CITES_UNRESOLVED]->(u)
  }
  RETURN count(CASE WHEN cited IS NOT NULL AND NOT existed THEN 1 END) AS citesCreated
}
RETURN [{kind: 'CITES', created: resolved + citesCreated, updated: 0, deleted: citesDeleted}] AS counts

// Links an import batch's works by citation: CITES to referenced works already in the graph; the
// others are kept in the citing work's `pendingReferences` (' W1 W2 ', full-text indexed) and turned into
// CITES when that work arrives. Run after ingest/works for the same batch.
// Parameters: $works LIST<MAP{id, references LIST<STRING>}>.
// Returns: counts LIST<MAP{kind,created,updated,deleted}> for CITES.
// Example: bzgraph cypher ingest/citations --param 'works=[{"id":"W1","references":["W2"]}]'
CALL () {
  // Citations that were waiting for these works.
  UNWIND $works AS row
  MATCH (w:Work {id: row.id})
  CALL db.index.fulltext.queryNodes('work_pending_ids', row.id) YIELD node AS citing
  WITH w, citing, ' ' + row.id + ' ' AS token
  WHERE citing.pendingReferences CONTAINS token
  MERGE (citing)-[:CITES]->(w)
  WITH citing, token, replace(citing.pendingReferences, token, ' ') AS rest
  SET citing.pendingReferences = CASE WHEN trim(rest) = '' THEN null ELSE rest END
  RETURN count(*) AS resolved
}
CALL () {
  // References no longer in a work's record.
  UNWIND $works AS row
  MATCH (:Work {id: row.id})-[c:CITES]->(cited:Work)
  WHERE NOT cited.id IN row.references
  DELETE c
  RETURN count(*) AS citesDeleted
}
CALL () {
  UNWIND $works AS row
  MATCH (w:Work {id: row.id})
  WITH w, row, COUNT { (w)-[:CITES]->() } AS before
  // each reference is looked up once: the works found are cited, the others wait
  CALL (w, row) {
    UNWIND row.references AS ref
    MATCH (cited:Work {id: ref})
    MERGE (w)-[:CITES]->(cited)
    RETURN collect(ref) AS found
  }
  WITH w, before, [ref IN row.references WHERE NOT ref IN found] AS missing
  SET w.pendingReferences = CASE WHEN size(missing) = 0 THEN null
                                 ELSE reduce(s = ' ', ref IN missing | s + ref + ' ') END
  RETURN sum(COUNT { (w)-[:CITES]->() } - before) AS citesCreated
}
RETURN [{kind: 'CITES', created: resolved + citesCreated, updated: 0, deleted: citesDeleted}] AS counts

// Links an import batch's works by citation: CITES to referenced works already in the graph; the
// others are kept in the citing work's `pendingReferences` (' W1 W2 ', full-text indexed) and turned into
// CITES when that work arrives. Run after ingest/works for the same batch.
// Parameters: $works LIST<MAP{id, references LIST<STRING>}>.
// Returns: counts LIST<MAP{kind,created,updated,deleted}> for CITES; uncited LIST<STRING> (works a
//   deleted CITES pointed at: their explore lists need a refresh).
// Example: bzgraph cypher ingest/citations --write --param 'works=[{"id":"W1","references":["W2"]}]'
CALL () {
  // Citations that were waiting for these works: one full-text query per 500 of them (an OR of
  // quoted ids, under Lucene's clause limit), then the exact token check on each hit.
  UNWIND range(0, size($works) - 1, 500) AS start
  WITH [row IN $works[start..start + 500] | row.id] AS ids
  CALL db.index.fulltext.queryNodes('work_pending_ids',
    reduce(q = '', id IN ids | q + ' "' + replace(replace(id, '\\', '\\\\'), '"', '\\"') + '"'))
    YIELD node AS citing
  UNWIND [id IN ids WHERE citing.pendingReferences CONTAINS ' ' + id + ' '] AS id
  MATCH (w:Work {id: id})
  MERGE (citing)-[:CITES]->(w)
  WITH citing, collect(' ' + id + ' ') AS tokens
  WITH citing, tokens, reduce(rest = citing.pendingReferences, token IN tokens | replace(rest, token, ' ')) AS rest
  SET citing.pendingReferences = CASE WHEN trim(rest) = '' THEN null ELSE rest END
  RETURN sum(size(tokens)) AS resolved
}
CALL () {
  // References no longer in a work's record (the works they pointed at need a refresh too).
  UNWIND $works AS row
  MATCH (:Work {id: row.id})-[c:CITES]->(cited:Work)
  WHERE NOT cited.id IN row.references
  WITH c, cited.id AS citedId
  DELETE c
  RETURN count(*) AS citesDeleted, collect(DISTINCT citedId) AS uncited
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
RETURN [{kind: 'CITES', created: resolved + citesCreated, updated: 0, deleted: citesDeleted}] AS counts, uncited

// The citation neighbourhood of a work: what it cites and what cites it, one or two citation steps away.
// Parameters: $id STRING (work id), $hops INTEGER? 1..2 (default 1), $limit INTEGER? 0.. (rows, default 100).
// Columns: id, title, year, direction (REFERENCE: reached along CITES; CITING: reached against it),
//   distance (fewest steps), citedByCount. A work in a citation cycle appears once per direction.
//   $limit counts both directions together, REFERENCE rows first.
// Example: bzgraph cypher analytics/citation-neighbourhood --param id=W4404794745 --param hops=2
MATCH (w:Work {id: $id})
CALL (w) {
  MATCH p = (w)-[:CITES*1..2]->(x:Work)
  WHERE x <> w AND length(p) <= coalesce($hops, 1)
  RETURN x, 'REFERENCE' AS direction, min(length(p)) AS distance
  UNION
  MATCH p = (w)<-[:CITES*1..2]-(x:Work)
  WHERE x <> w AND length(p) <= coalesce($hops, 1)
  RETURN x, 'CITING' AS direction, min(length(p)) AS distance
}
RETURN x.id AS id, x.title AS title, x.year AS year, direction, distance, x.citedByCount AS citedByCount
ORDER BY direction DESC, distance ASC, citedByCount DESC, id ASC
LIMIT coalesce($limit, 100)

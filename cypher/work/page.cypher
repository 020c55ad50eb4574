// A page of the works each of many nodes leads to, newest first (year, then title as a reader files it, then id: as profile/researchers orders works).
// Parameters: $ids LIST<STRING> (the nodes: works, or topics); $via STRING, one of 'references' (the works
//   each work cites), 'citedBy' (the works citing each work) or 'topic' (the works about each topic);
//   $first INT (page size); $afterYear INT?, $afterTitle STRING?, $afterId STRING? (the keyset position
//   of the last work of the page before, all null for the first page; $afterTitle is the sort title).
// Returns: one row per node found: id, totalCount, works (at most $first + 1, each with sortYear and
//   sortTitle: a row beyond $first means there is a next page).
// Example: bzgraph cypher work/page --param 'ids=["bzt-gradient-flows"]' --param via=topic --param first=5 --param afterYear=null --param afterTitle=null --param afterId=null
UNWIND $ids AS nodeId
MATCH (n:Entity {id: nodeId})
CALL (n) {
  CALL (n) {
    MATCH (n:Work)-[:CITES]->(w:Work) WHERE $via = 'references' RETURN w
    UNION ALL
    MATCH (n:Work)<-[:CITES]-(w:Work) WHERE $via = 'citedBy' RETURN w
    UNION ALL
    MATCH (n:Topic)<-[:HAS_TOPIC]-(w:Work) WHERE $via = 'topic' RETURN w
  }
  WITH w, coalesce(w.year, -10000) AS y, coalesce(w.sortTitle, left(toLower(coalesce(w.title, '')), 300)) AS t
  WHERE $afterId IS NULL
     OR y < $afterYear
     OR (y = $afterYear AND t > $afterTitle)
     OR (y = $afterYear AND t = $afterTitle AND w.id > $afterId)
  WITH w, y, t ORDER BY y DESC, t ASC, w.id ASC
  LIMIT $first + 1  // the top of the order, not the whole list sorted: a topic may have many works
  OPTIONAL MATCH (w)-[:PUBLISHED_IN]->(s:Source)
  WITH w, y, t, s ORDER BY y DESC, t ASC, w.id ASC
  RETURN collect(w {.id, .type, .year, .title, .abstract, .doi, .arxivId, .language, .citedByCount,
                    date: toString(w.date), venue: s.name, sortYear: y, sortTitle: t}) AS works
}
RETURN n.id AS id,
       CASE $via
         WHEN 'references' THEN COUNT { (n)-[:CITES]->(:Work) }
         WHEN 'citedBy' THEN COUNT { (n)<-[:CITES]-(:Work) }
         WHEN 'topic' THEN COUNT { (n)<-[:HAS_TOPIC]-(:Work) }
         ELSE 0
       END AS totalCount, works

// The most cited works of a topic: by the source's citation count, then by citations within the graph.
// Parameters: $topic STRING (topic id), $limit INTEGER? 0.. (rows, default 10).
// Columns: id, title, year, citedByCount (as reported by the source), graphCitations (incoming CITES),
//   score (how strongly the work is about the topic).
// Example: bzgraph cypher analytics/most-cited-works --param topic=bzt-adversarial-robustness --param limit=5
MATCH (:Topic {id: $topic})<-[h:HAS_TOPIC]-(w:Work)
WITH w, h.score AS score, COUNT { (w)<-[:CITES]-(:Work) } AS graphCitations
RETURN w.id AS id, w.title AS title, w.year AS year, w.citedByCount AS citedByCount, graphCitations, score
ORDER BY citedByCount DESC, graphCitations DESC, year DESC, title ASC, id ASC
LIMIT coalesce($limit, 10)

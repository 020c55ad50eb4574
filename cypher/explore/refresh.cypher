// Recomputes the ranked neighbour lists that `explore` reads, for the given nodes (hub-safe explore, docs/explore.md).
// For each node: its heaviest $keep neighbours of each kind, all kinds together ordered by rank then id, are stored as
// the parallel list properties n.neighbourIds, .neighbourKinds, .neighbourWeights, .neighbourVias, .neighbourRanks
// (rank: the position within its kind's list), and n.neighbourTotals holds the exact number of neighbours per kind
// [RESEARCHER, WORK, TOPIC, INSTITUTION]. Explore reads a node's list with one property read; nothing is written
// per neighbour. (Older versions also kept (n)-[:NEIGHBOUR]->(m) relationships; a refresh removes them.)
// Weights: co-authors = shared works; a researcher's works = citations; a researcher's topics = their works on it;
// institutions = years affiliated; a work's authors = 1/position; a work's topics = topic score;
// cited and citing works = their citations; a topic's works = citations; a topic's researchers = their works on it;
// an institution's researchers = years affiliated. Ties are broken by id, so explore is deterministic.
// Parameters: $ids LIST<STRING>, $keep INTEGER (neighbours kept per kind, e.g. 200).
// Example: bzgraph cypher explore/refresh --write --param 'ids=["bzr-leon-bungert"]' --param keep=200
UNWIND $ids AS nodeId
MATCH (n:Entity {id: nodeId})
WHERE n:Researcher OR n:Work OR n:Topic OR n:Institution
CALL (n) {
  // relationships kept by older versions
  OPTIONAL MATCH (n)-[old:NEIGHBOUR]->()
  DELETE old
}
SET n.neighbourTotals = [0, 0, 0, 0], n.neighbourIds = null, n.neighbourKinds = null,
    n.neighbourWeights = null, n.neighbourVias = null, n.neighbourRanks = null
WITH n
// One node at a time: its neighbours are ranked and stored inside this subquery, so that a chunk of hubs (a work
// with thousands of authors makes each of them one) never sorts all their rows together.
CALL (n) {
  CALL (n) {
    WITH n WHERE n:Researcher
    MATCH (n)-[:AUTHORED]->(w:Work)<-[:AUTHORED]-(m:Researcher) WHERE m <> n
    RETURN m, 'RESEARCHER' AS kind, 'CO_AUTHORED' AS via, toFloat(count(DISTINCT w)) AS weight
    UNION ALL
    WITH n WHERE n:Researcher
    MATCH (n)-[:AUTHORED]->(m:Work)
    RETURN m, 'WORK' AS kind, 'AUTHORED' AS via, toFloat(coalesce(m.citedByCount, 0)) AS weight
    UNION ALL
    WITH n WHERE n:Researcher
    MATCH (n)-[:AUTHORED]->(w:Work)-[:HAS_TOPIC]->(m:Topic)
    RETURN m, 'TOPIC' AS kind, 'WORKS_ON' AS via, toFloat(count(DISTINCT w)) AS weight
    UNION ALL
    WITH n WHERE n:Researcher
    MATCH (n)-[a:AFFILIATED_WITH]->(m:Institution)
    RETURN m, 'INSTITUTION' AS kind, 'AFFILIATED_WITH' AS via, CASE WHEN size(coalesce(a.years, [])) = 0 THEN 1.0 ELSE toFloat(size(a.years)) END AS weight
    UNION ALL
    WITH n WHERE n:Work
    MATCH (m:Researcher)-[a:AUTHORED]->(n)
    RETURN m, 'RESEARCHER' AS kind, 'AUTHORED' AS via, 1.0 / coalesce(a.position, 1) AS weight
    UNION ALL
    WITH n WHERE n:Work
    MATCH (n)-[h:HAS_TOPIC]->(m:Topic)
    RETURN m, 'TOPIC' AS kind, 'HAS_TOPIC' AS via, toFloat(coalesce(h.score, 0)) AS weight
    UNION ALL
    WITH n WHERE n:Work
    MATCH (n)-[:CITES]->(m:Work)
    RETURN m, 'WORK' AS kind, 'CITES' AS via, toFloat(coalesce(m.citedByCount, 0)) AS weight
    UNION ALL
    WITH n WHERE n:Work
    MATCH (m:Work)-[:CITES]->(n)
    RETURN m, 'WORK' AS kind, 'CITED_BY' AS via, toFloat(coalesce(m.citedByCount, 0)) AS weight
    UNION ALL
    WITH n WHERE n:Topic
    MATCH (m:Work)-[:HAS_TOPIC]->(n)
    RETURN m, 'WORK' AS kind, 'HAS_TOPIC' AS via, toFloat(coalesce(m.citedByCount, 0)) AS weight
    UNION ALL
    WITH n WHERE n:Topic
    MATCH (m:Researcher)-[:AUTHORED]->(w:Work)-[:HAS_TOPIC]->(n)
    RETURN m, 'RESEARCHER' AS kind, 'WORKS_ON' AS via, toFloat(count(DISTINCT w)) AS weight
    UNION ALL
    WITH n WHERE n:Institution
    MATCH (m:Researcher)-[a:AFFILIATED_WITH]->(n)
    RETURN m, 'RESEARCHER' AS kind, 'AFFILIATED_WITH' AS via, CASE WHEN size(coalesce(a.years, [])) = 0 THEN 1.0 ELSE toFloat(size(a.years)) END AS weight
  }
  // A work may both cite and be cited by another: keep one reading per neighbour (both weigh the
  // other's citedByCount, so `via` decides: CITED_BY before CITES).
  WITH n, m, kind, via, weight ORDER BY weight DESC, via ASC
  WITH n, m, kind, head(collect({via: via, weight: weight})) AS best
  WITH n, kind, m, best ORDER BY best.weight DESC, m.id ASC
  WITH n, kind, collect({id: m.id, via: best.via, weight: best.weight}) AS ranked
  WITH n, collect([kind, size(ranked)]) AS totals,
       collect([i IN range(0, size(ranked[..$keep]) - 1) |
                {id: ranked[i].id, kind: kind, weight: ranked[i].weight, via: ranked[i].via, rank: i}]) AS kept
  CALL (kept) {
    UNWIND kept AS ofKind
    UNWIND ofKind AS x
    WITH x ORDER BY x.rank ASC, x.id ASC
    RETURN collect(x) AS ring
  }
  SET n.neighbourTotals = [k IN ['RESEARCHER', 'WORK', 'TOPIC', 'INSTITUTION'] |
                           coalesce(head([t IN totals WHERE t[0] = k | t[1]]), 0)],
      n.neighbourIds = [x IN ring | x.id], n.neighbourKinds = [x IN ring | x.kind],
      n.neighbourWeights = [x IN ring | x.weight], n.neighbourVias = [x IN ring | x.via],
      n.neighbourRanks = [x IN ring | x.rank]
}
RETURN count(n) AS refreshed

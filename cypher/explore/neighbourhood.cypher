// The bounded, deterministic subgraph around any node that `explore` draws (docs/explore.md).
// Reads only the ranked NEIGHBOUR lists kept by explore/refresh, so its cost depends on $limit, never on degree.
// Level 1: the center's neighbours, interleaved across kinds by rank (the heaviest of each kind first).
// Level 2 (depth 2): the neighbours of the shown level-1 nodes that are not the center's own, best rank first,
// filling the rest of $limit.
// Parameters: $id STRING, $depth INTEGER (1 or 2), $kinds LIST<STRING>? (null: all kinds), $limit INTEGER,
//   $firstLevel INTEGER (how many of $limit level 1 may take: $limit at depth 1, half of it at depth 2).
// Example: bzgraph cypher explore/neighbourhood --param id=bzr-leon-bungert --param depth=1 --param kinds=null --param limit=10 --param firstLevel=10
MATCH (c:Entity {id: $id})
WHERE c:Researcher OR c:Work OR c:Topic OR c:Institution
WITH c, ['RESEARCHER', 'WORK', 'TOPIC', 'INSTITUTION'] AS kindOrder
CALL (c, kindOrder) {
  OPTIONAL MATCH (c)-[e:NEIGHBOUR]->(m)
  WHERE $kinds IS NULL OR e.kind IN $kinds
  WITH e, m ORDER BY e.rank ASC, [i IN range(0, 3) WHERE kindOrder[i] = e.kind][0] ASC
  LIMIT $firstLevel
  RETURN collect(CASE WHEN m IS NULL THEN null ELSE {node: m, kind: e.kind, weight: e.weight, source: $id, via: e.via} END) AS level1
}
CALL (c, level1) {
  WITH c, level1 WHERE $depth >= 2 AND size(level1) > 0
  // the center and its own neighbours (at most 4 x the kept list length), read once
  WITH c, level1, COLLECT { MATCH (c)-[:NEIGHBOUR]->(x) RETURN elementId(x) } + [elementId(c)] AS own
  UNWIND level1 AS parent
  WITH c, level1, own, parent.node AS p
  CALL (p, own) {
    MATCH (p)-[e:NEIGHBOUR]->(m)
    WHERE ($kinds IS NULL OR e.kind IN $kinds) AND NOT elementId(m) IN own
    WITH e, m ORDER BY e.rank ASC, m.id ASC
    LIMIT $limit
    RETURN e, m
  }
  WITH m, e, p ORDER BY e.rank ASC, e.weight DESC, p.id ASC, m.id ASC
  WITH m, head(collect({kind: e.kind, weight: e.weight, source: p.id, via: e.via, rank: e.rank})) AS best
  WITH m, best ORDER BY best.rank ASC, best.weight DESC, m.id ASC
  RETURN collect({node: m, kind: best.kind, weight: best.weight, source: best.source, via: best.via}) AS candidates2
}
WITH c, level1, coalesce(candidates2, []) AS candidates2, kindOrder
WITH c, level1, candidates2[..($limit - size(level1))] AS level2, [x IN candidates2 | x.kind] AS found2, kindOrder
RETURN c {.id, label: coalesce(c.name, c.title, c.id),
          kind: [k IN kindOrder WHERE
                 (k = 'RESEARCHER' AND c:Researcher) OR (k = 'WORK' AND c:Work) OR
                 (k = 'TOPIC' AND c:Topic) OR (k = 'INSTITUTION' AND c:Institution)][0]} AS center,
       [x IN level1 + level2 | {id: x.node.id, label: coalesce(x.node.name, x.node.title, x.node.id),
                                kind: x.kind, weight: x.weight, source: x.source, via: x.via}] AS nodes,
       coalesce(c.neighbourTotals, [0, 0, 0, 0]) AS totals, kindOrder, found2

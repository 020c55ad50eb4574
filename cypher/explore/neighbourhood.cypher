// The bounded, deterministic subgraph around any node that `explore` draws (docs/explore.md).
// Reads only the ranked neighbour lists that explore/refresh keeps as list properties on each node (one property
// read per node, then an id lookup per node shown), so its cost depends on $limit, never on degree.
// Level 1: the center's neighbours, interleaved across kinds by rank (the heaviest of each kind first).
// Level 2 (depth 2): the neighbours of the shown level-1 nodes that are not the center's own, best rank first,
// filling the rest of $limit; read from the shown nodes' kept-list properties (one property read per node).
// Parameters: $id STRING, $depth INTEGER (1 or 2), $kinds LIST<STRING>? (null: all kinds), $limit INTEGER,
//   $firstLevel INTEGER (how many of $limit level 1 may take: $limit at depth 1, half of it at depth 2).
// Example: bzgraph cypher explore/neighbourhood --param id=bzr-leon-bungert --param depth=1 --param kinds=null --param limit=10 --param firstLevel=10
MATCH (c:Entity {id: $id})
WHERE c:Researcher OR c:Work OR c:Topic OR c:Institution
WITH c, ['RESEARCHER', 'WORK', 'TOPIC', 'INSTITUTION'] AS kindOrder
CALL (c, kindOrder) {
  // the center's kept list is one property read; only the nodes shown are looked up (by id)
  WITH c, kindOrder, coalesce(c.neighbourIds, []) AS ids, c.neighbourKinds AS kinds,
       c.neighbourWeights AS weights, c.neighbourVias AS vias, c.neighbourRanks AS ranks
  UNWIND [i IN range(0, size(ids) - 1) WHERE $kinds IS NULL OR kinds[i] IN $kinds] AS i
  // rank, then kind order: one neighbour per kind holds each rank, so the order is total
  WITH i, ids, kinds, weights, vias, ranks[i] * 4 + [k IN range(0, 3) WHERE kindOrder[k] = kinds[i]][0] AS position
  ORDER BY position ASC
  LIMIT $firstLevel
  MATCH (m:Entity {id: ids[i]})
  WITH m, kinds[i] AS kind, weights[i] AS weight, vias[i] AS via, position ORDER BY position ASC
  RETURN collect({node: m, kind: kind, weight: weight, source: $id, via: via}) AS level1
}
CALL (c, level1) {
  WITH c, level1 WHERE $depth >= 2 AND size(level1) > 0
  // the center and its own kept neighbours (at most 4 x the kept list length), by id
  WITH level1, coalesce(c.neighbourIds, []) + [c.id] AS own
  UNWIND level1 AS parent
  // each shown neighbour's kept list is one property read (explore/refresh keeps it ordered by rank, then id)
  WITH own, parent.node.id AS source, coalesce(parent.node.neighbourIds, []) AS ids,
       parent.node.neighbourKinds AS kinds, parent.node.neighbourWeights AS weights,
       parent.node.neighbourVias AS vias, parent.node.neighbourRanks AS ranks
  UNWIND [i IN range(0, size(ids) - 1)
          WHERE ($kinds IS NULL OR kinds[i] IN $kinds) AND NOT ids[i] IN own][..$limit] AS i
  WITH ids[i] AS id, {kind: kinds[i], weight: weights[i], source: source, via: vias[i], rank: ranks[i]} AS reading
  ORDER BY reading.rank ASC, reading.weight DESC, reading.source ASC, id ASC
  WITH id, head(collect(reading)) AS best
  ORDER BY best.rank ASC, best.weight DESC, id ASC
  RETURN collect(best {.kind, .weight, .source, .via, id: id}) AS candidates2
}
WITH c, level1, coalesce(candidates2, []) AS candidates2, kindOrder
CALL (level1, candidates2) {
  // only the shown second-ring nodes are looked up
  WITH candidates2[..($limit - size(level1))] AS shown
  UNWIND range(0, size(shown) - 1) AS i
  MATCH (m:Entity {id: shown[i].id})
  WITH i, shown[i] AS x, m ORDER BY i ASC
  RETURN collect({node: m, kind: x.kind, weight: x.weight, source: x.source, via: x.via}) AS level2
}
WITH c, level1, level2, [x IN candidates2 | x.kind] AS found2, kindOrder
RETURN c {.id, label: coalesce(c.name, c.title, c.id),
          kind: [k IN kindOrder WHERE
                 (k = 'RESEARCHER' AND c:Researcher) OR (k = 'WORK' AND c:Work) OR
                 (k = 'TOPIC' AND c:Topic) OR (k = 'INSTITUTION' AND c:Institution)][0]} AS center,
       [x IN level1 + level2 | {id: x.node.id, label: coalesce(x.node.name, x.node.title, x.node.id),
                                kind: x.kind, weight: x.weight, source: x.source, via: x.via}] AS nodes,
       coalesce(c.neighbourTotals, [0, 0, 0, 0]) AS totals, kindOrder, found2

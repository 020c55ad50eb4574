// The bounded, deterministic subgraph around any node that `explore` draws (docs/explore.md).
// Reads only the ranked neighbour lists that explore/refresh keeps as list properties on each node (one property
// read per node, then an id lookup per node shown), so its cost depends on $limit, never on degree.
// Level 1: the center's neighbours, interleaved across kinds by rank (the heaviest of each kind first).
// Level 2 (depth 2): the first $firstLevel of them are expanded; their neighbours that are not the center's own,
// best rank first, fill the rest of $limit; slots left over go back to further level-1 neighbours.
// A hub's list keeps only its heaviest neighbours of a kind: of a kind the center has more of than its list keeps,
// the second-ring candidates are checked in rank order until enough are found that are not its own neighbours, so
// that none of its own shows as second ring (the count of that kind may still include some beyond those checked).
// Returns found2: how many second-ring candidates there are per kind (in kindOrder), shown or not; leftOut: at depth 2,
//   whether neighbours that found2 cannot count were left out (of an expanded node beyond its kept list, or of a
//   level-1 node shown without being expanded); crossReadings: with $crossEdges, the kept lists' readings of shown
//   nodes by shown nodes (the edges among them), else [].
// Parameters: $id STRING, $depth INTEGER (1 or 2), $kinds LIST<STRING>? (null: all kinds), $limit INTEGER,
//   $firstLevel INTEGER (how many level-1 neighbours are expanded: $limit at depth 1, half of it at depth 2),
//   $crossEdges BOOLEAN (read the edges among the shown nodes too).
// Example: bzgraph cypher explore/neighbourhood --param id=bzr-leon-bungert --param depth=2 --param kinds=null --param limit=10 --param firstLevel=5 --param crossEdges=false
MATCH (c:Entity {id: $id})
WHERE c:Researcher OR c:Work OR c:Topic OR c:Institution
WITH c, ['RESEARCHER', 'WORK', 'TOPIC', 'INSTITUTION'] AS kindOrder,
     // the center's kind, as its position in kindOrder
     [k IN range(0, 3) WHERE (k = 0 AND c:Researcher) OR (k = 1 AND c:Work) OR (k = 2 AND c:Topic)
                             OR (k = 3 AND c:Institution)][0] AS centerKind
// the kinds of which the center has more neighbours than its list keeps
WITH c, kindOrder, centerKind, [k IN range(0, 3) WHERE coalesce(c.neighbourTotals, [0, 0, 0, 0])[k]
                      > size([x IN coalesce(c.neighbourKinds, []) WHERE x = kindOrder[k]]) | kindOrder[k]] AS partial
CALL (c, kindOrder) {
  // the center's kept list is one property read; entries only, nodes are looked up when shown
  WITH c, kindOrder, coalesce(c.neighbourIds, []) AS ids, c.neighbourKinds AS kinds,
       c.neighbourWeights AS weights, c.neighbourVias AS vias, c.neighbourRanks AS ranks
  UNWIND [i IN range(0, size(ids) - 1) WHERE $kinds IS NULL OR kinds[i] IN $kinds] AS i
  // rank, then kind order: one neighbour per kind holds each rank, so the order is total
  WITH i, ids, kinds, weights, vias, ranks[i] * 4 + [k IN range(0, 3) WHERE kindOrder[k] = kinds[i]][0] AS position
  ORDER BY position ASC
  LIMIT $limit
  RETURN collect({id: ids[i], kind: kinds[i], weight: weights[i], source: $id, via: vias[i]}) AS entries1
}
CALL (entries1) {
  // the first $firstLevel are shown (and expanded at depth 2)
  UNWIND range(0, size(entries1[..$firstLevel]) - 1) AS k
  WITH k, entries1[k] AS e
  MATCH (m:Entity {id: e.id})
  WITH k, e {.*, node: m} AS x ORDER BY k ASC
  RETURN collect(x) AS parents
}
CALL (c, parents, partial) {
  WITH c, parents, partial WHERE $depth >= 2 AND size(parents) > 0
  // the center and its own kept neighbours (at most 4 x the kept list length), by id
  WITH parents, coalesce(c.neighbourIds, []) + [c.id] AS own
  UNWIND parents AS parent
  // each expanded neighbour's kept list is one property read (ordered by rank, then id)
  WITH own, parent.id AS source, coalesce(parent.node.neighbourIds, []) AS ids,
       parent.node.neighbourKinds AS kinds, parent.node.neighbourWeights AS weights,
       parent.node.neighbourVias AS vias, parent.node.neighbourRanks AS ranks
  WITH source, ids, kinds, weights, vias, ranks,
       [i IN range(0, size(ids) - 1) WHERE ($kinds IS NULL OR kinds[i] IN $kinds) AND NOT ids[i] IN own] AS eligible
  RETURN collect({source: source, ids: ids, kinds: kinds, weights: weights, vias: vias, ranks: ranks,
                  eligible: eligible}) AS expanded2,
         collect([i IN eligible | kinds[i] + ' ' + ids[i]]) AS seen
}
CALL (c, centerKind, partial, expanded2) {
  // Each expanded list is read up to the rank of its reach-th eligible entry (more than $limit candidates rank at or
  // before it). Of a hub (partial kinds), many of the best entries are its own neighbours beyond its list, so it reads
  // further (a whole list of a kind, 200, at least), but first only to its $limit-th entry: that stretch gives the same
  // answer when the $limit-th candidate found not to be its own ranks before every list's cut (every reading at or
  // before that rank was read), and the longer stretch is read only when it does not.
  WITH c, centerKind, partial, expanded2,
       CASE WHEN size(partial) > 0 THEN [$limit, CASE WHEN $limit > 100 THEN 2 * $limit ELSE 200 END]
            ELSE [$limit] END AS reaches
  UNWIND reaches AS reach
  CALL (expanded2, reach) {
    UNWIND expanded2 AS list
    WITH list, CASE WHEN size(list.eligible) > reach THEN list.ranks[list.eligible[reach - 1]] END AS lastRank
    UNWIND [i IN list.eligible WHERE lastRank IS NULL OR list.ranks[i] <= lastRank |
            {id: list.ids[i], kind: list.kinds[i], weight: list.weights[i], source: list.source, via: list.vias[i],
             rank: list.ranks[i], cut: lastRank}] AS reading
    WITH reading ORDER BY reading.rank ASC, reading.weight DESC, reading.source ASC, reading.id ASC
    WITH reading.id AS id, head(collect(reading)) AS best, min(reading.cut) AS cut
    ORDER BY best.rank ASC, best.weight DESC, id ASC
    RETURN collect(best) AS candidates2, min(cut) AS firstCut
  }
  CALL (c, centerKind, partial, candidates2) {
    // The candidates, in rank order, that are not the center's own neighbours beyond its list (of a partial kind),
    // until $limit are found (more than the second ring's room): only as many are checked as that takes. Around a hub
    // most of the best candidates are its own neighbours. Neighbours are mutual: a candidate's list names the center,
    // unless it keeps only part of its neighbours of the center's kind (another hub; lists keep as many of a kind as
    // the center's keeps of a partial kind): then the graph decides, as explore/refresh defines neighbours.
    WITH c, centerKind, partial, candidates2, size([x IN coalesce(c.neighbourKinds, []) WHERE x = partial[0]]) AS keep
    UNWIND range(0, size(candidates2) - 1) AS i
    WITH c, centerKind, partial, keep, i, candidates2[i] AS e
    // only a candidate of a partial kind is looked up (a center that is no hub looks up none)
    WITH i, CASE WHEN NOT e.kind IN partial THEN false ELSE EXISTS {
           MATCH (m:Entity {id: e.id})
           WHERE CASE
                   WHEN coalesce(m.neighbourTotals[centerKind], 0) <= keep THEN c.id IN coalesce(m.neighbourIds, [])
                   WHEN c:Researcher AND e.kind = 'RESEARCHER' THEN EXISTS { (c)-[:AUTHORED]->(:Work)<-[:AUTHORED]-(m) }
                   WHEN c:Researcher AND e.kind = 'TOPIC' THEN EXISTS { (c)-[:AUTHORED]->(:Work)-[:HAS_TOPIC]->(m) }
                   WHEN c:Topic AND e.kind = 'RESEARCHER' THEN EXISTS { (m)-[:AUTHORED]->(:Work)-[:HAS_TOPIC]->(c) }
                   ELSE EXISTS { (c)-[:AUTHORED|HAS_TOPIC|CITES|AFFILIATED_WITH]-(m) }
                 END
         } END AS own
    WITH i WHERE NOT own
    LIMIT $limit
    RETURN collect(i) AS shownAt
  }
  WITH reach, reaches, candidates2, shownAt, firstCut
  WHERE firstCut IS NULL OR (size(shownAt) = $limit AND candidates2[shownAt[-1]].rank < firstCut) OR reach = reaches[-1]
  RETURN candidates2, shownAt
  LIMIT 1
}
// the candidates checked (all of them, unless $limit were found first) that are the center's own
WITH *, [i IN shownAt | candidates2[i]] AS shownable,
     CASE WHEN size(shownAt) < $limit THEN candidates2 ELSE candidates2[..shownAt[-1] + 1] END AS checked
WITH *, [e IN checked WHERE e.kind IN partial AND NOT e.id IN [x IN shownable | x.id] | e.id] AS ownBeyond
CALL (seen, ownBeyond) {
  // every second-ring candidate, shown or not, counted once: [kind, count] pairs
  UNWIND seen AS list
  UNWIND list AS key
  WITH DISTINCT key
  WHERE size(ownBeyond) = 0 OR NOT substring(key, size(split(key, ' ')[0]) + 1) IN ownBeyond
  WITH split(key, ' ')[0] AS kind, count(*) AS n
  RETURN collect([kind, n]) AS counted
}
CALL (parents, shownable) {
  // the second ring fills what the expanded neighbours leave of $limit; only the nodes shown are looked up
  WITH shownable[..($limit - size(parents))] AS shown
  UNWIND range(0, size(shown) - 1) AS i
  WITH i, shown[i] AS e
  MATCH (m:Entity {id: e.id})
  WITH i, e {.*, node: m} AS x ORDER BY i ASC
  RETURN collect(x) AS level2
}
CALL (entries1, parents, level2) {
  // room the second ring leaves goes back to the center's further neighbours (after the first $firstLevel entries,
  // also when a node of theirs is gone: deleted by an import batch, its neighbours' lists not yet refreshed)
  WITH entries1[size(entries1[..$firstLevel])..][..($limit - size(parents) - size(level2))] AS more
  UNWIND range(0, size(more) - 1) AS k
  WITH k, more[k] AS e
  MATCH (m:Entity {id: e.id})
  WITH k, e {.*, node: m} AS x ORDER BY k ASC
  RETURN collect(x) AS level1More
}
WITH c, parents, level1More, parents + level1More AS level1, level2, kindOrder, centerKind,
     [k IN kindOrder | coalesce([x IN counted WHERE x[0] = k | x[1]][0], 0)] AS found2,
     [k IN range(0, 3) WHERE $kinds IS NULL OR kindOrder[k] IN $kinds] AS wanted
// depth 2 also leaves out neighbours that found2 cannot count: those of an expanded node beyond its kept list
// of a kind, and those of a level-1 node shown without being expanded (room given back) that are not shown
// (each node's lists are read from the store once: a property read inside the loop over a list costs the list)
WITH *, [x IN level1 + level2 | x.id] + [c.id] AS shownIds, [k IN wanted | kindOrder[k]] AS wantedKinds,
     [p IN parents | {totals: coalesce(p.node.neighbourTotals, []), ids: coalesce(p.node.neighbourIds, []),
                      kinds: coalesce(p.node.neighbourKinds, [])}] AS expanded,
     [m IN level1More | {totals: coalesce(m.node.neighbourTotals, []), ids: coalesce(m.node.neighbourIds, []),
                         kinds: coalesce(m.node.neighbourKinds, [])}] AS unexpanded
WITH *, $depth >= 2 AND (
       any(p IN expanded WHERE any(k IN wanted WHERE
         reduce(s = 0, t IN p.totals | s + t) > size(p.ids)
         AND p.totals[k] > size([x IN p.kinds WHERE x = kindOrder[k]])))
       OR any(m IN unexpanded WHERE
         any(k IN wanted WHERE
           reduce(s = 0, t IN m.totals | s + t) > size(m.ids)
           AND m.totals[k] > size([x IN m.kinds WHERE x = kindOrder[k]]))
         OR any(i IN range(0, size(m.ids) - 1) WHERE m.kinds[i] IN wantedKinds AND NOT m.ids[i] IN shownIds))
     ) AS leftOut
CALL (c, level1, level2) {
  // With $crossEdges: every reading, in a shown node's kept list, of another shown node (the center's included). Each
  // edge among the shown nodes that either end's list holds is read here, from one end or both (the caller keeps one
  // reading an edge, and leaves out the edges each node was reached by); without it, nothing is read.
  WITH c, level1, level2 WHERE $crossEdges
  WITH [c.id] + [x IN level1 + level2 | x.node.id] AS shownIds, [c] + [x IN level1 + level2 | x.node] AS shownNodes
  // the shown ids as one text: a list entry is looked for in it (a native string search) before the list compare,
  // which costs a comparison per shown node and would run for every entry of every list (twice the time, around hubs)
  WITH shownIds, shownNodes, reduce(text = ' ', x IN shownIds | text + x + ' ') AS shownText
  UNWIND shownNodes AS n
  // each list is one property read (a property read inside the loop over a list costs the list)
  WITH shownIds, shownText, n.id AS source, coalesce(n.neighbourIds, []) AS ids, n.neighbourKinds AS kinds,
       n.neighbourWeights AS weights, n.neighbourVias AS vias
  UNWIND [i IN range(0, size(ids) - 1) WHERE shownText CONTAINS ' ' + ids[i] + ' ' AND ids[i] IN shownIds] AS i
  RETURN collect({source: source, id: ids[i], kind: kinds[i], weight: weights[i], via: vias[i]}) AS crossReadings
}
RETURN c {.id, label: coalesce(c.name, CASE WHEN c.title <> '' THEN c.title END, c.id),
          kind: kindOrder[centerKind]} AS center,
       [x IN level1 + level2 | {id: x.node.id, label: coalesce(x.node.name, CASE WHEN x.node.title <> '' THEN x.node.title END, x.node.id),
                                kind: x.kind, weight: x.weight, source: x.source, via: x.via}] AS nodes,
       coalesce(c.neighbourTotals, [0, 0, 0, 0]) AS totals, kindOrder, found2, leftOut, crossReadings

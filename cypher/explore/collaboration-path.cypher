// The shortest chain of co-authorships between two researchers, with up to 10 works joining each step (newest first)
// and how many works join it in all (sharedWorks).
// researchers is null when there is no chain within $maxHops co-authorships; no row when either researcher is unknown.
// Parameters: $source STRING, $target STRING (researcher ids), $maxHops INTEGER (1..8).
// Example: bzgraph cypher explore/collaboration-path --param source=bzr-tim-roith --param target=bzr-guy-gilboa --param maxHops=6
MATCH (a:Researcher {id: $source}), (b:Researcher {id: $target})
// 16 = 2 x the largest $maxHops (bzgraph.api.explore.MAX_HOPS): one co-authorship is two AUTHORED steps.
OPTIONAL MATCH p = shortestPath((a)-[:AUTHORED*..16]-(b))
WHERE a <> b
WITH CASE
       WHEN a = b THEN [a]
       WHEN p IS NULL OR length(p) > 2 * $maxHops THEN null
       ELSE [n IN nodes(p) WHERE n:Researcher]
     END AS people
CALL (people) {
  UNWIND CASE WHEN people IS NULL THEN [] ELSE range(0, size(people) - 2) END AS i
  WITH i, people[i] AS x, people[i + 1] AS y
  CALL (x, y) {
    // walk from the researcher with fewer works (a degree lookup), so a hub's works are never all read
    WITH CASE WHEN COUNT { (x)-[:AUTHORED]->() } <= COUNT { (y)-[:AUTHORED]->() } THEN [x, y] ELSE [y, x] END AS pair
    WITH pair[0] AS fewer, pair[1] AS more
    MATCH (fewer)-[:AUTHORED]->(w:Work)
    WHERE EXISTS { (w)<-[:AUTHORED]-(more) }
    WITH w ORDER BY coalesce(w.year, -10000) DESC, w.id ASC
    WITH collect(w) AS shared
    RETURN [w IN shared[..10] | w {.id, .title, .year, .type, .abstract, .doi, .arxivId, .language, .citedByCount,
                                   date: toString(w.date), venue: head([(w)-[:PUBLISHED_IN]->(s:Source) | s.name])}]
             AS works,
           size(shared) AS sharedWorks
  }
  WITH i, works, sharedWorks ORDER BY i
  RETURN collect({works: works, sharedWorks: sharedWorks}) AS steps
}
RETURN [r IN people | r {.id, .name, .aliases, .orcid, .bio, .openToCollaborate, .trustScore, .trustTier, .verificationLevel, .trustKeys, .trustLabels, .trustValues, .trustPoints, .trustMaxPoints}] AS researchers, steps

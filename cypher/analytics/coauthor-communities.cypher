// Co-authorship communities around a researcher: their co-authors grouped into the connected groups
// they form by writing together, the researcher left out (who would join everyone).
// Parameters: $id STRING (researcher id), $limit INTEGER? 0.. (communities, default 20).
// Columns: community (1 = largest), size, members (LIST<MAP{id, name}>, by name), worksWithCenter
//   (distinct works the researcher wrote with members of the community). Ties: worksWithCenter, then
//   the smallest member id.
// Example: bzgraph cypher analytics/coauthor-communities --param id=bzr-leon-bungert
MATCH (center:Researcher {id: $id})
// The co-authors, by id, each with the works they wrote with the researcher (read once, for worksWithCenter).
CALL (center) {
  MATCH (center)-[:AUTHORED]->(w:Work)<-[:AUTHORED]-(c:Researcher)
  WHERE c <> center
  WITH c, collect(DISTINCT w) AS shared ORDER BY c.id
  RETURN collect(c) AS coauthors, collect(shared) AS sharedWorks
}
// Every work that two or more of the co-authors wrote (with the researcher or without) links them;
// co-authors are numbered by their place in `coauthors`, works read once per co-author.
CALL (coauthors) {
  UNWIND range(0, size(coauthors) - 1) AS i
  WITH i, coauthors[i] AS c
  MATCH (c)-[:AUTHORED]->(w:Work)
  WITH w, collect(i) AS together
  WHERE size(together) >= 2
  RETURN collect(DISTINCT together) AS links
}
// For each co-author, the links they are in (none for some).
CALL (coauthors, links) {
  CALL (coauthors, links) {
    UNWIND range(0, size(coauthors) - 1) AS i
    RETURN i, null AS li
    UNION ALL
    UNWIND range(0, size(links) - 1) AS li
    UNWIND links[li] AS i
    RETURN i, li
  }
  WITH i, collect(li) AS mine ORDER BY i
  RETURN collect(mine) AS linksOf
}
// Connected groups by smallest-number propagation: each pass gives every co-author the smallest
// number among the links they are in, then the number of that number (pointer jumping); it stops
// changing within a few passes, each pass reading every link once.
WITH coauthors, sharedWorks, links, linksOf, size(coauthors) AS n
WITH coauthors, sharedWorks, n,
     reduce(state = {labels: range(0, n - 1), done: n = 0}, pass IN range(1, n) |
       CASE WHEN state.done THEN state ELSE
         [linkMin IN [[l IN links | reduce(m = n, x IN l | CASE WHEN state.labels[x] < m THEN state.labels[x] ELSE m END)]] |
           [moved IN [[i IN range(0, n - 1) |
                         reduce(m = state.labels[i], li IN linksOf[i] | CASE WHEN linkMin[li] < m THEN linkMin[li] ELSE m END)]] |
             [jumped IN [[i IN range(0, n - 1) | moved[moved[i]]]] | {labels: jumped, done: jumped = state.labels}][0]
           ][0]
         ][0]
       END).labels AS labels
// Each community's members and the works they wrote with the researcher, from the pairs read at the start
// (every co-author has at least one such work).
UNWIND range(0, n - 1) AS i
UNWIND sharedWorks[i] AS w
WITH coauthors[labels[i]].id AS key, collect(DISTINCT coauthors[i]) AS members, count(DISTINCT w) AS worksWithCenter
WITH members, size(members) AS size, key, worksWithCenter
ORDER BY size DESC, worksWithCenter DESC, key ASC
LIMIT coalesce($limit, 20)
WITH collect({size: size, members: members, worksWithCenter: worksWithCenter}) AS found
UNWIND range(0, size(found) - 1) AS i
WITH i, found[i] AS c
RETURN i + 1 AS community, c.size AS size,
       COLLECT { UNWIND c.members AS m RETURN {id: m.id, name: m.name} ORDER BY m.name, m.id } AS members,
       c.worksWithCenter AS worksWithCenter
ORDER BY community

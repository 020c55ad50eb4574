// Full-text search over researchers (names, aliases), works (titles, abstracts), topics and institutions, by relevance.
// $query is a Lucene query that the API builds from the user's words (bzgraph/api/search.py: Lucene's special
// characters separate words, each word is quoted). Each index scores on its own scale, so two rules come before
// the score: an identifier pasted whole ($lookup: an id, a DOI, an arXiv id, an ORCID iD, a ROR id) finds its node
// first, then names typed exactly ($exactKey: accents, case, apostrophes and dashes aside; a topic's, an
// institution's or a researcher's name, not a work's title, which its words find, nor an alias, which OpenAlex
// lists loosely); each such hit's score is raised above every other hit's. Ties go to the better known node (a work's citations; a
// researcher's or topic's works; an institution's researchers), then the id.
// Parameters: $query STRING, $lookup MAP{ids LIST<STRING>, doi STRING?, arxiv STRING?, orcid STRING?, rors LIST<STRING>},
//   $exactKey STRING (the typed text as nameKey holds a name: folded, without apostrophes, dashes as spaces;
//   bzgraph/folding.py name_key), $exact STRING (the typed text lower-cased, single-spaced: for names written
//   without a nameKey), $kinds LIST<STRING> (RESEARCHER, WORK, TOPIC, INSTITUTION),
//   $skip INTEGER (hits passed over: the page's start), $first INTEGER, $cap INTEGER (at most this many hits per
//   index are ranked and counted, besides the identified ones).
// Returns one row: totalCount (hits ranked), hits (the page's), truncated (some index had more than $cap hits: the
//   rest are neither counted nor paged).
// Example: bzgraph cypher search --param query=lipschitz --param 'lookup={"ids":["lipschitz"],"doi":null,"arxiv":null,"orcid":null,"rors":[]}' --param exact=lipschitz --param exactKey=lipschitz --param 'kinds=["RESEARCHER","WORK","TOPIC","INSTITUTION"]' --param skip=0 --param first=5 --param cap=1000
CALL () {
  // an identifier pasted whole: its node (an index seek each; nothing when the text is no identifier)
  UNWIND $lookup.ids AS lookupId
  MATCH (node:Entity {id: lookupId})
  WITH node, [label IN ['Researcher', 'Work', 'Topic', 'Institution'] WHERE label IN labels(node)][0] AS label
  WHERE label IS NOT NULL AND toUpper(label) IN $kinds
  RETURN node, label
  UNION
  MATCH (node:Work) WHERE 'WORK' IN $kinds AND (node.doi = $lookup.doi OR node.arxivId = $lookup.arxiv)
  RETURN node, 'Work' AS label
  UNION
  MATCH (node:Researcher {orcid: $lookup.orcid}) WHERE 'RESEARCHER' IN $kinds
  RETURN node, 'Researcher' AS label
  UNION
  UNWIND $lookup.rors AS ror
  MATCH (node:Institution {ror: ror}) WHERE 'INSTITUTION' IN $kinds
  RETURN node, 'Institution' AS label
}
WITH collect(node) AS identified, collect({node: node, label: label, score: 0.0, identified: true}) AS identifiedHits
CALL (identified) {
  CALL (identified) {
    CALL db.index.fulltext.queryNodes('search_researcher_folded', $query, {limit: $cap + 1 + size(identified)}) YIELD node, score
    WHERE 'RESEARCHER' IN $kinds
    RETURN node, score, 'Researcher' AS label
    UNION ALL
    CALL db.index.fulltext.queryNodes('search_work_spelled', $query, {limit: $cap + 1 + size(identified)}) YIELD node, score
    WHERE 'WORK' IN $kinds
    RETURN node, score, 'Work' AS label
    UNION ALL
    CALL db.index.fulltext.queryNodes('search_topic_spelled', $query, {limit: $cap + 1 + size(identified)}) YIELD node, score
    WHERE 'TOPIC' IN $kinds
    RETURN node, score, 'Topic' AS label
    UNION ALL
    CALL db.index.fulltext.queryNodes('search_institution_spelled', $query, {limit: $cap + 1 + size(identified)}) YIELD node, score
    WHERE 'INSTITUTION' IN $kinds
    RETURN node, score, 'Institution' AS label
  }
  // An identified node is ranked first anyway. Of the others, each index's best $cap are ranked; one
  // more says that there are more (truncated).
  WITH node, score, label WHERE NOT node IN identified
  WITH node, score, label ORDER BY score DESC
  WITH label, collect({node: node, score: score}) AS ofLabel
  WITH collect({label: label, kept: ofLabel[..$cap]}) AS perLabel, coalesce(max(size(ofLabel)), 0) > $cap AS truncated
  WITH truncated, COLLECT {
    UNWIND perLabel AS p
    UNWIND p.kept AS k
    RETURN {node: k.node, label: p.label, score: k.score, identified: false}
  } AS found
  RETURN found, reduce(top = 0.0, h IN found | CASE WHEN h.score > top THEN h.score ELSE top END) AS top, truncated
}
WITH identifiedHits, found, top + 1.0 AS raise, truncated
UNWIND identifiedHits + found AS hit
WITH truncated, hit.node AS node, hit.label AS label,
     hit.score + raise * CASE WHEN hit.identified THEN 2
                              WHEN hit.node.nameKey = $exactKey OR toLower(hit.node.name) = $exact THEN 1
                              ELSE 0 END AS score
ORDER BY score DESC,
         coalesce(CASE label WHEN 'Work' THEN node.citedByCount WHEN 'Institution' THEN node.neighbourTotals[0]
                  ELSE node.neighbourTotals[1] END, 0) DESC,
         node.id ASC
WITH collect({node: node, label: label, score: score}) AS hits, any(t IN collect(truncated) WHERE t) AS truncated
WITH size(hits) AS totalCount, hits[$skip..$skip + $first] AS page, truncated
CALL (page) {
  // only the page's hits are read out (a broad search has thousands, abstracts included)
  UNWIND range(0, size(page) - 1) AS i
  WITH i, page[i].node AS n, page[i] AS hit
  OPTIONAL MATCH (n:Work)-[:PUBLISHED_IN]->(s:Source)
  WITH i, n, hit, s ORDER BY i ASC
  RETURN collect({score: hit.score, label: hit.label,
                  props: n {.id, .name, .aliases, .orcid, .bio, .openToCollaborate, .trustScore, .trustTier, .verificationLevel, .trustKeys, .trustLabels, .trustValues, .trustPoints, .trustMaxPoints, .title, .year, .type, .abstract, .doi, .arxivId,
                            .language, .citedByCount, .subfield, .field, .domain, .country, .ror,
                            date: toString(n.date), venue: s.name}}) AS hits
}
RETURN totalCount, hits, truncated

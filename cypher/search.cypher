// Full-text search over researchers (names, aliases), works (titles, abstracts), topics and institutions, by relevance.
// $query is a Lucene query that the API builds from the user's words, every special character escaped.
// Parameters: $query STRING, $kinds LIST<STRING> (RESEARCHER, WORK, TOPIC, INSTITUTION), $skip INTEGER (hits passed over:
//   the page's start), $first INTEGER, $cap INTEGER (at most this many hits per index are ranked and counted).
// Example: bzgraph cypher search --param query=lipschitz --param 'kinds=["RESEARCHER","WORK","TOPIC","INSTITUTION"]' --param skip=0 --param first=5 --param cap=1000
CALL () {
  CALL db.index.fulltext.queryNodes('search_researcher_folded', $query, {limit: $cap}) YIELD node, score
  WHERE 'RESEARCHER' IN $kinds
  RETURN node, score, 'Researcher' AS label
  UNION ALL
  CALL db.index.fulltext.queryNodes('search_work_folded', $query, {limit: $cap}) YIELD node, score
  WHERE 'WORK' IN $kinds
  RETURN node, score, 'Work' AS label
  UNION ALL
  CALL db.index.fulltext.queryNodes('search_topic_folded', $query, {limit: $cap}) YIELD node, score
  WHERE 'TOPIC' IN $kinds
  RETURN node, score, 'Topic' AS label
  UNION ALL
  CALL db.index.fulltext.queryNodes('search_institution_folded', $query, {limit: $cap}) YIELD node, score
  WHERE 'INSTITUTION' IN $kinds
  RETURN node, score, 'Institution' AS label
}
WITH node, score, label ORDER BY score DESC, node.id ASC
WITH collect({score: score, label: label,
              props: node {.id, .name, .aliases, .orcid, .bio, .title, .year, .type, .abstract, .doi, .arxivId,
                           .citedByCount, .subfield, .field, .domain, .country, .ror}}) AS hits
RETURN size(hits) AS totalCount, hits[$skip..$skip + $first] AS hits

// Upserts the works of an import batch with their authorships, topics and venue. A work's AUTHORED,
// HAS_TOPIC and PUBLISHED_IN edges become exactly those of its newest record (stale ones are deleted; of a
// record whose author list is cut short, the AUTHORED edges it lacks are kept).
// Researchers, topics and sources must exist already (ingest/researchers, ingest/entities).
// Parameters: $works LIST<MAP{id, title, sortTitle (how the title files: bzgraph/folding.py sort_key), spellings (the title's other spellings search reads:
//   folding.py spellings), abstract, year, date, type, language, doi, arxivId,
//   citedByCount, rawAuthorNames, source STRING?, authorsTruncated BOOLEAN? (OpenAlex's is_authors_truncated: then
//   authorships the list lacks are kept), authors LIST<MAP{researcher, position, institutions}>,
//   topics LIST<MAP{topic, score}>, version STRING, hash STRING? (the record's fingerprint, bzgraph/ingest/load.py)}>.
// Returns: counts LIST<MAP{kind,created,updated,deleted}>; staleResearchers, staleTopics, staleSources
//   LIST<STRING> (what lost an edge: derived counts to refresh, maybe an orphan, ingest/orphans).
// Example: bzgraph cypher ingest/works --write --param 'works=[{"id":"W1","title":"T","sortTitle":"t","spellings":null,"abstract":null,"year":2020,"date":"2020-01-01","type":"article","language":"en","doi":null,"arxivId":null,"citedByCount":0,"rawAuthorNames":[],"source":null,"authors":[],"topics":[],"version":"2025-11-06"}]'
UNWIND $works AS row
MERGE (w:Work:Entity {id: row.id})
WITH w, row, properties(w) AS before
SET w.title = row.title, w.sortTitle = row.sortTitle, w.spellings = row.spellings, w.abstract = row.abstract, w.year = row.year,
    w.date = CASE WHEN row.date IS NULL THEN null ELSE date(row.date) END,
    w.type = row.type, w.language = row.language, w.doi = row.doi, w.arxivId = row.arxivId,
    w.citedByCount = row.citedByCount, w.rawAuthorNames = row.rawAuthorNames,
    w.importVersion = row.version,  // OpenAlex's updated_date: an older copy never replaces this one
    w.importHash = row.hash  // the copy's fingerprint: the same copy again is passed over (ingest/versions)
WITH w, row, before, properties(w) AS after
CALL (w, row) {
  // an author list the record says is cut short (an API list page) deletes no authorship it does not list
  OPTIONAL MATCH (r:Researcher)-[a:AUTHORED]->(w)
  WHERE NOT r.id IN [x IN row.authors | x.researcher] AND NOT coalesce(row.authorsTruncated, false)
  DELETE a
  RETURN collect(r.id) AS staleResearchers, count(a) AS authoredDeleted
}
CALL (w, row) {
  UNWIND row.authors AS author
  MATCH (r:Researcher {id: author.researcher})
  MERGE (r)-[a:AUTHORED]->(w)
  WITH a, author, a.position AS old, a.institutions AS oldInstitutions
  SET a.position = author.position, a.institutions = author.institutions
  RETURN count(CASE WHEN old IS NULL THEN 1 END) AS authoredCreated,
         count(CASE WHEN old IS NOT NULL AND (old <> author.position OR oldInstitutions IS NULL
                         OR oldInstitutions <> author.institutions) THEN 1 END) AS authoredUpdated
}
CALL (w, row) {
  OPTIONAL MATCH (w)-[h:HAS_TOPIC]->(t:Topic)
  WHERE NOT t.id IN [x IN row.topics | x.topic]
  DELETE h
  RETURN collect(t.id) AS staleTopics, count(h) AS topicDeleted
}
CALL (w, row) {
  UNWIND row.topics AS topic
  MATCH (t:Topic {id: topic.topic})
  MERGE (w)-[h:HAS_TOPIC]->(t)
  WITH h, topic, h.score AS old
  SET h.score = topic.score
  RETURN count(CASE WHEN old IS NULL THEN 1 END) AS topicCreated,
         count(CASE WHEN old <> topic.score THEN 1 END) AS topicUpdated
}
CALL (w, row) {
  OPTIONAL MATCH (w)-[p:PUBLISHED_IN]->(s:Source)
  WHERE row.source IS NULL OR s.id <> row.source
  DELETE p
  RETURN count(p) AS publishedDeleted, collect(s.id) AS staleSources
}
CALL (w, row) {
  MATCH (s:Source {id: row.source})
  WITH w, s, EXISTS { (w)-[:PUBLISHED_IN]->(s) } AS existed
  MERGE (w)-[:PUBLISHED_IN]->(s)
  RETURN count(CASE WHEN NOT existed THEN 1 END) AS publishedCreated
}
WITH before, after, row, staleResearchers, staleTopics, staleSources, authoredDeleted, authoredCreated, authoredUpdated,
     topicDeleted, topicCreated, topicUpdated, publishedDeleted, publishedCreated
WITH count(CASE WHEN before = {id: row.id} THEN 1 END) AS worksCreated,
     // the bookkeeping moving on alone (a newer copy with the same values, another version of the importer) is no change
     count(CASE WHEN before <> {id: row.id} AND before {.*, importVersion: 0, importHash: 0}
                                              <> after {.*, importVersion: 0, importHash: 0} THEN 1 END) AS worksUpdated,
     sum(authoredCreated) AS authoredCreated, sum(authoredUpdated) AS authoredUpdated,
     sum(authoredDeleted) AS authoredDeleted, sum(topicCreated) AS topicCreated,
     sum(topicUpdated) AS topicUpdated, sum(topicDeleted) AS topicDeleted,
     sum(publishedCreated) AS publishedCreated, sum(publishedDeleted) AS publishedDeleted,
     collect(staleResearchers) AS staleResearchers, collect(staleTopics) AS staleTopics,
     collect(staleSources) AS staleSources
RETURN [{kind: 'Work', created: worksCreated, updated: worksUpdated, deleted: 0},
        {kind: 'AUTHORED', created: authoredCreated, updated: authoredUpdated, deleted: authoredDeleted},
        {kind: 'HAS_TOPIC', created: topicCreated, updated: topicUpdated, deleted: topicDeleted},
        {kind: 'PUBLISHED_IN', created: publishedCreated, updated: 0, deleted: publishedDeleted}] AS counts,
       reduce(acc = [], ids IN staleResearchers | acc + ids) AS staleResearchers,
       reduce(acc = [], ids IN staleTopics | acc + ids) AS staleTopics,
       reduce(acc = [], ids IN staleSources | acc + ids) AS staleSources

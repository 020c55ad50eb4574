// Loads the seed graph (seeds/graph.json) idempotently: MERGE on id, then SET every property (but a claimed
// researcher's openToCollaborate and bio, which their claimant edits).
// Parameters: $sources, $topics, $institutions, $researchers, $works, $affiliations
//   (lists of maps shaped as in seeds/graph.json; researchers, topics and institutions also carry nameKey, the
//   name as search compares a name typed exactly: bzgraph/folding.py name_key; works carry sortTitle, how the title
//   files: sort_key; works, topics and institutions carry spellings, the other spellings search reads: spellings).
// Example: bzgraph seed   # reads seeds/graph.json and runs this query, then trust/recompute
CALL () {
  UNWIND $sources AS s
  MERGE (n:Source:Entity {id: s.id})
  SET n.name = s.name, n.type = s.type
}
CALL () {
  UNWIND $topics AS t
  MERGE (n:Topic:Entity {id: t.id})
  SET n.name = t.name, n.nameKey = t.nameKey, n.spellings = t.spellings, n.subfield = t.subfield, n.field = t.field, n.domain = t.domain
}
CALL () {
  UNWIND $institutions AS i
  MERGE (n:Institution:Entity {id: i.id})
  SET n.name = i.name, n.nameKey = i.nameKey, n.spellings = i.spellings, n.ror = i.ror, n.country = i.country, n.type = i.type
}
CALL () {
  UNWIND $researchers AS p
  MERGE (n:Researcher:Entity {id: p.id})
  WITH n, p, reduce(s = coalesce(p.name, ''), a IN p.aliases | s + ' ; ' + a) AS spelled
  WITH n, p, spelled, ["'", '’', '‘', '＇', 'ʼ', '´', '`', '\u200B'] AS marks  // folding.py IN_WORD
  // only the words with such a mark: the whole text again made every other word count three times in the ranking
  WITH n, p, marks, reduce(found = [], w IN split(spelled, ' ') |
         CASE WHEN w IN found OR reduce(x = w, m IN marks | replace(x, m, '')) = w THEN found ELSE found + w END) AS marked
  // as cypher/ingest/researchers.cypher: the aliases, and the words with an apostrophe also without it and split at it
  SET n.name = p.name, n.nameKey = p.nameKey, n.aliases = p.aliases,
      n.aliasText = reduce(s = '', a IN p.aliases | s + CASE WHEN s = '' THEN '' ELSE ' ; ' END + a)
                    + reduce(s = '', w IN marked | s + ' ; ' + reduce(x = w, m IN marks | replace(x, m, ''))
                                                + ' ' + reduce(x = w, m IN marks | replace(x, m, ' '))),
      n.orcid = p.orcid
  // what the approved claimant edits (accounts/update-profile) is theirs: a seed run again keeps it
  WITH n, p WHERE NOT EXISTS { (:User)-[:CLAIMANT_OF]->(n) }
  SET n.openToCollaborate = p.openToCollaborate, n.bio = p.bio
}
CALL () {
  UNWIND $works AS w
  MERGE (n:Work:Entity {id: w.id})
  SET n.title = w.title, n.sortTitle = w.sortTitle, n.spellings = w.spellings, n.abstract = w.abstract, n.year = w.year,
      n.date = CASE WHEN w.date IS NULL THEN null ELSE date(w.date) END,
      n.type = w.type, n.language = w.language, n.doi = w.doi, n.arxivId = w.arxivId,
      n.citedByCount = coalesce(w.citedByCount, 0)
  WITH n, w
  CALL (n, w) {
    MATCH (s:Source {id: w.source})
    MERGE (n)-[:PUBLISHED_IN]->(s)
  }
  CALL (n, w) {
    UNWIND w.authors AS a
    MATCH (r:Researcher {id: a.researcher})
    MERGE (r)-[rel:AUTHORED]->(n)
    SET rel.position = a.position, rel.institutions = coalesce(a.institutions, [])
  }
  CALL (n, w) {
    UNWIND w.topics AS ht
    MATCH (t:Topic {id: ht.topic})
    MERGE (n)-[rel:HAS_TOPIC]->(t)
    SET rel.score = ht.score
  }
}
CALL () {
  UNWIND $affiliations AS af
  MATCH (r:Researcher {id: af.researcher}), (i:Institution {id: af.institution})
  MERGE (r)-[rel:AFFILIATED_WITH]->(i)
  SET rel.years = af.years
}
CALL () {
  UNWIND $researchers AS p
  MATCH (n:Researcher {id: p.id})
  SET n.worksCount = COUNT { (n)-[:AUTHORED]->(:Work) }
}
CALL () {
  UNWIND $topics AS t
  MATCH (n:Topic {id: t.id})
  SET n.worksCount = COUNT { (n)<-[:HAS_TOPIC]-(:Work) }
}
CALL () {
  UNWIND $institutions AS i
  MATCH (n:Institution {id: i.id})
  SET n.researchersCount = COUNT { (n)<-[:AFFILIATED_WITH]-(:Researcher) }
}
RETURN size($researchers) AS researchers, size($works) AS works, size($topics) AS topics

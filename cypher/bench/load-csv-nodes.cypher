// Benchmark baseline: LOAD CSV of import rows (one node label per file), MERGE on id, in transactions.
// Parameters: $url STRING (file:///name.csv in the server's import dir), $label STRING (one of
//   Work, Researcher, Institution, Topic, Source; used as data, not as Cypher text).
// Example: python bench/import_bench.py --wipe   # runs it on the CSV files it writes (CALL ... IN TRANSACTIONS needs an
//   implicit transaction, which `bzgraph cypher` does not open); destroys all data!
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (n:Entity {id: row.id})
  WITH n, row
  CALL (n, row) {
    WITH n, row WHERE $label = 'Work'
    SET n:Work, n.title = row.title, n.sortTitle = row.sortTitle, n.spellings = row.spellings,
        n.abstract = row.abstract, n.year = toInteger(row.year),
        n.date = date(row.date), n.type = row.type, n.language = row.language, n.doi = row.doi,
        n.arxivId = row.arxivId, n.citedByCount = toInteger(row.citedByCount),
        n.rawAuthorNames = CASE WHEN row.rawAuthorNames IS NULL THEN [] ELSE split(row.rawAuthorNames, '|') END
  }
  CALL (n, row) {
    WITH n, row WHERE $label = 'Researcher'
    SET n:Researcher, n.name = row.name, n.nameKey = row.nameKey, n.orcid = row.orcid, n.openalexId = row.id,
        n.aliases = CASE WHEN row.aliases IS NULL THEN [] ELSE split(row.aliases, '|') END,
        n.aliasText = replace(coalesce(row.aliases, ''), '|', ' ; '), n.openToCollaborate = false
  }
  CALL (n, row) {
    WITH n, row WHERE $label = 'Institution'
    SET n:Institution, n.name = row.name, n.nameKey = row.nameKey, n.spellings = row.spellings, n.ror = row.ror, n.country = row.country, n.type = row.type
  }
  CALL (n, row) {
    WITH n, row WHERE $label = 'Topic'
    SET n:Topic, n.name = row.name, n.nameKey = row.nameKey, n.spellings = row.spellings, n.subfield = row.subfield, n.field = row.field, n.domain = row.domain
  }
  CALL (n, row) {
    WITH n, row WHERE $label = 'Source'
    SET n:Source, n.name = row.name, n.type = row.type, n.issn = row.issn
  }
} IN TRANSACTIONS OF 1000 ROWS

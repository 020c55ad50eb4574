// Full-text indexes behind `search`: researcher names and aliases, work titles and abstracts,
// topic and institution names, each with its other spellings (`aliasText` of a researcher, `spellings` of the
// others: a name or title with an apostrophe inside a word, without it and split at it).
// Parameters: none. Applied idempotently by `bzgraph db migrate`.
// They use Neo4j's standard-folding analyzer: accents are folded (`bjorn` finds Björn, `strasse`
// finds Straße), words are lower-cased, and English stop words (the, of, an, ...) are left out of
// the index and of queries. The indexes of versions before 2026-11-27 (no folding) are dropped; those of the
// version before 2026-11-29 (search_work_folded, search_topic_folded, search_institution_folded: no spellings) stay,
// for servers of that version still running beside new ones, until an operator drops them (docs/import.md).
// Example: bzgraph db migrate
DROP INDEX search_researcher IF EXISTS;
DROP INDEX search_work IF EXISTS;
DROP INDEX search_topic IF EXISTS;
DROP INDEX search_institution IF EXISTS;
CREATE FULLTEXT INDEX search_researcher_folded IF NOT EXISTS FOR (n:Researcher) ON EACH [n.name, n.aliasText]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}};
CREATE FULLTEXT INDEX search_work_spelled IF NOT EXISTS FOR (n:Work) ON EACH [n.title, n.abstract, n.spellings]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}};
CREATE FULLTEXT INDEX search_topic_spelled IF NOT EXISTS FOR (n:Topic) ON EACH [n.name, n.spellings]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}};
CREATE FULLTEXT INDEX search_institution_spelled IF NOT EXISTS FOR (n:Institution) ON EACH [n.name, n.spellings]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}}

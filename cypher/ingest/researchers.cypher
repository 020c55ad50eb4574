// Upserts the researchers of an import batch: OpenAlex id, ORCID, name and alternative names.
// A name from a full Author record (authoritative) always wins; a name seen only in an author list
// is kept when the researcher is new. Every other spelling seen goes to aliases (sorted, distinct).
// Parameters: $researchers LIST<MAP{id, name, orcid, names LIST<STRING>, authoritative BOOLEAN}>.
// Returns: counts LIST<MAP{kind,created,updated}>.
// Example: bzgraph cypher ingest/researchers --write --param 'researchers=[{"id":"A5010401681","name":"Abdulrahman S. Alsharhan","orcid":null,"names":["A.S. ALSHARHAN"],"authoritative":false}]'
UNWIND $researchers AS row
MERGE (n:Researcher:Entity {id: row.id})
WITH n, row, properties(n) AS before
SET n.name = CASE WHEN row.authoritative OR n.name IS NULL THEN row.name ELSE n.name END,
    n.openalexId = row.id,
    n.orcid = coalesce(row.orcid, n.orcid),
    n.openToCollaborate = coalesce(n.openToCollaborate, false)
WITH n, row, before
SET n.aliases = COLLECT {
      UNWIND coalesce(before.aliases, []) + row.names + coalesce(before.name, []) AS alias
      WITH DISTINCT alias WHERE toLower(alias) <> toLower(n.name)
      RETURN alias ORDER BY alias
    }
SET n.aliasText = reduce(s = '', a IN n.aliases | s + CASE WHEN s = '' THEN '' ELSE ' ; ' END + a)
RETURN [{kind: 'Researcher', created: count(CASE WHEN before = {id: row.id} THEN 1 END),
         updated: count(CASE WHEN before <> {id: row.id} AND before <> properties(n) THEN 1 END)}] AS counts

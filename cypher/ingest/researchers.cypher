// Upserts the researchers of an import batch: OpenAlex id, ORCID, name and alternative names. The
// newest Author record (its updated_date: `recordVersion`) sets the name and the ORCID, a missing ORCID
// included; without one, the newest work naming the researcher does (`seenVersion`). A row older than
// what the node holds adds only its spellings to the aliases: every spelling ever seen, but the name
// (sorted, distinct).
// Parameters: $researchers LIST<MAP{id, names LIST<STRING>, record MAP{name, orcid, version}?,
//   seen MAP{name, orcid, version}?}> (record: from an Author record; seen: from works' author lists).
// Returns: counts LIST<MAP{kind,created,updated}>.
// Example: bzgraph cypher ingest/researchers --write --param 'researchers=[{"id":"A5010401681","names":["A.S. ALSHARHAN"],"record":null,"seen":{"name":"A.S. Alsharhan","orcid":null,"version":"2025-11-06"}}]'
UNWIND $researchers AS row
MERGE (n:Researcher:Entity {id: row.id})
WITH n, row, properties(n) AS before,
     row.record IS NOT NULL AND row.record.version >= coalesce(n.recordVersion, '') AS takeRecord,
     row.seen IS NOT NULL AND row.seen.version >= coalesce(n.seenVersion, '') AS takeSeen
WITH n, row, before, takeRecord, takeSeen, takeSeen AND NOT takeRecord AND n.recordVersion IS NULL AS nameFromSeen
SET n.name = CASE WHEN takeRecord THEN row.record.name WHEN nameFromSeen THEN row.seen.name ELSE n.name END,
    n.orcid = CASE WHEN takeRecord THEN row.record.orcid WHEN nameFromSeen THEN row.seen.orcid ELSE n.orcid END,
    n.recordVersion = CASE WHEN takeRecord THEN row.record.version ELSE n.recordVersion END,
    n.seenVersion = CASE WHEN takeSeen THEN row.seen.version ELSE n.seenVersion END,
    n.openalexId = row.id,
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

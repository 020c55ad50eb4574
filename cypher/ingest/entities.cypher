// Upserts the venues, topics and institutions of an import batch (MERGE on id, then SET). A row
// sets the properties only when its version is not older than the one they came from
// (`importVersion`: the newest work or Author record naming the node, then the values themselves).
// Parameters: $sources LIST<MAP{id,name,type,issn,version}>, $topics LIST<MAP{id,name,nameKey,spellings,subfield,field,domain,version}>,
//   $institutions LIST<MAP{id,name,nameKey,spellings,ror,country,type,version}> (nameKey: the name as search compares a
//   name typed exactly, bzgraph/folding.py name_key; spellings: its other spellings search reads, folding.py spellings); $removed LIST<STRING> (the characters an import removes from text,
//   bzgraph/text.py: a version stored before they were removed still holds them, and compares without them, so that
//   importing the same records again stores the cleaned text). A stored version whose name is the node's id (a copy
//   that gave no name, stored before 2026-11-30) compares with an empty name, as a version made now does, so that
//   a copy of the same date naming the node wins.
// Returns: counts LIST<MAP{kind,created,updated}> (updated = existing and changed; the bookkeeping `importVersion`
//   moving on alone is no change).
// Example: bzgraph cypher ingest/entities --write --param 'sources=[]' --param 'topics=[{"id":"T10399","name":"Hydrocarbon exploration","nameKey":"hydrocarbon exploration","spellings":null,"subfield":null,"field":null,"domain":null,"version":"2025-11-06"}]' --param 'institutions=[]' --param 'removed=[]'
CALL () {
  UNWIND $sources AS row
  MERGE (n:Source:Entity {id: row.id})
  WITH n, row, properties(n) AS before
  CALL (n, row) {
    WITH n, row WHERE row.version >= reduce(v = replace(coalesce(n.importVersion, ''), '\u001f' + n.id + '\u001f', '\u001f\u001f'), ch IN $removed | replace(v, ch, ''))
    SET n.name = row.name, n.type = row.type, n.issn = row.issn, n.importVersion = row.version
  }
  RETURN {kind: 'Source', created: count(CASE WHEN before = {id: row.id} THEN 1 END),
          updated: count(CASE WHEN before <> {id: row.id} AND before {.*, importVersion: 0} <> n {.*, importVersion: 0} THEN 1 END)} AS sources
}
CALL () {
  UNWIND $topics AS row
  MERGE (n:Topic:Entity {id: row.id})
  WITH n, row, properties(n) AS before
  CALL (n, row) {
    WITH n, row WHERE row.version >= reduce(v = replace(coalesce(n.importVersion, ''), '\u001f' + n.id + '\u001f', '\u001f\u001f'), ch IN $removed | replace(v, ch, ''))
    SET n.name = row.name, n.nameKey = row.nameKey, n.spellings = row.spellings, n.subfield = row.subfield, n.field = row.field, n.domain = row.domain,
        n.importVersion = row.version
  }
  RETURN {kind: 'Topic', created: count(CASE WHEN before = {id: row.id} THEN 1 END),
          updated: count(CASE WHEN before <> {id: row.id} AND before {.*, importVersion: 0} <> n {.*, importVersion: 0} THEN 1 END)} AS topics
}
CALL () {
  UNWIND $institutions AS row
  MERGE (n:Institution:Entity {id: row.id})
  WITH n, row, properties(n) AS before
  CALL (n, row) {
    WITH n, row WHERE row.version >= reduce(v = replace(coalesce(n.importVersion, ''), '\u001f' + n.id + '\u001f', '\u001f\u001f'), ch IN $removed | replace(v, ch, ''))
    SET n.name = row.name, n.nameKey = row.nameKey, n.spellings = row.spellings, n.ror = row.ror, n.country = row.country, n.type = row.type,
        n.importVersion = row.version
  }
  RETURN {kind: 'Institution', created: count(CASE WHEN before = {id: row.id} THEN 1 END),
          updated: count(CASE WHEN before <> {id: row.id} AND before {.*, importVersion: 0} <> n {.*, importVersion: 0} THEN 1 END)} AS institutions
}
RETURN [sources, topics, institutions] AS counts

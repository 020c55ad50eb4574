// Upserts the researchers of an import batch: OpenAlex id, ORCID, name and alternative names. The
// newest Author record (its updated_date: `recordVersion`) sets the name and the ORCID, a missing ORCID
// included; without one, the newest work naming the researcher sets the name (`seenVersion`), and the
// newest copy of a work that gives their ORCID sets the ORCID (`orcidVersion`; $orcids, also from copies a
// newer one supersedes, applied to researchers already in the graph): an author list that leaves the ORCID out
// (many do) says nothing about it and removes none. A row older than what the node holds adds only its
// spellings to the aliases: every spelling ever seen, but the name (sorted, distinct). `nameKey` is the name as
// search compares a name typed exactly; `aliasText` what search reads besides the name.
// Parameters: $researchers LIST<MAP{id, names LIST<STRING>, record MAP{name, key, orcid, version, hash?}?,
//   seen MAP{name, key, orcid, version}?}> (record: from an Author record; seen: from works' author lists; key: the
//   name as search compares a name typed exactly, bzgraph/folding.py name_key);
//   $orcids LIST<MAP{id, orcid, version}> (the newest ORCID works' author lists give each researcher); $removed
//   LIST<STRING> (the characters an import removes from text: a stored version compares without them, as in
//   ingest/entities).
// Returns: counts LIST<MAP{kind,created,updated}>.
// Example: bzgraph cypher ingest/researchers --write --param 'researchers=[{"id":"A5010401681","names":["A.S. ALSHARHAN"],"record":null,"seen":{"name":"A.S. Alsharhan","key":"a.s. alsharhan","orcid":null,"version":"2025-11-06"}}]' --param 'orcids=[]' --param 'removed=[]'
CALL () {
  UNWIND $researchers AS row
  MERGE (n:Researcher:Entity {id: row.id})
  WITH n, row, properties(n) AS before,
       row.record IS NOT NULL AND row.record.version >= coalesce(n.recordVersion, '') AS takeRecord,
       row.seen IS NOT NULL AND row.seen.version >= reduce(v = replace(coalesce(n.seenVersion, ''), '\u001f' + n.id + '\u001f', '\u001f\u001f'), ch IN $removed | replace(v, ch, '')) AS takeSeen
  WITH n, row, before, takeRecord, takeSeen, takeSeen AND NOT takeRecord AND n.recordVersion IS NULL AS nameFromSeen
  SET n.name = CASE WHEN takeRecord THEN row.record.name WHEN nameFromSeen THEN row.seen.name ELSE n.name END,
      n.nameKey = CASE WHEN takeRecord THEN row.record.key WHEN nameFromSeen THEN row.seen.key ELSE n.nameKey END,
      n.orcid = CASE WHEN takeRecord THEN row.record.orcid ELSE n.orcid END,
      n.recordVersion = CASE WHEN takeRecord THEN row.record.version ELSE n.recordVersion END,
      n.recordHash = CASE WHEN takeRecord THEN row.record.hash ELSE n.recordHash END,  // the same copy again is passed over
      n.orcidVersion = CASE WHEN takeRecord THEN null ELSE n.orcidVersion END,  // the record's ORCID rules now
      n.seenVersion = CASE WHEN takeSeen THEN row.seen.version ELSE n.seenVersion END,
      n.openalexId = row.id,
      n.openToCollaborate = coalesce(n.openToCollaborate, false)
  WITH n, row, before
  SET n.aliases = COLLECT {
        UNWIND coalesce(before.aliases, []) + row.names + coalesce(before.name, []) AS spelling
        // a spelling an older version stored with characters an import now removes is the cleaned one
        WITH DISTINCT reduce(x = spelling, ch IN $removed | replace(x, ch, '')) AS alias
        WITH alias WHERE toLower(alias) <> toLower(n.name)
        RETURN alias ORDER BY alias
      }
  // what search reads besides the name: the aliases, and every word of the name and aliases with an apostrophe (or a
  // zero-width space) inside also without it and split at it, as people type such names (the index keeps `o'brien`
  // one word: `obrien`, `brien` found nothing)
  WITH n, row, before, reduce(s = coalesce(n.name, ''), a IN n.aliases | s + ' ; ' + a) AS spelled
  WITH n, row, before, spelled, ["'", '’', '‘', '＇', 'ʼ', '´', '`', '\u200B'] AS marks  // folding.py IN_WORD
  // only the words with such a mark: the whole text again made every other word count three times in the ranking
  WITH n, row, before, marks, reduce(found = [], w IN split(spelled, ' ') |
         CASE WHEN w IN found OR reduce(x = w, m IN marks | replace(x, m, '')) = w THEN found ELSE found + w END) AS marked
  SET n.aliasText = reduce(s = '', a IN n.aliases | s + CASE WHEN s = '' THEN '' ELSE ' ; ' END + a)
                    + reduce(s = '', w IN marked | s + ' ; ' + reduce(x = w, m IN marks | replace(x, m, ''))
                                                + ' ' + reduce(x = w, m IN marks | replace(x, m, ' ')))
  RETURN count(CASE WHEN before = {id: row.id} THEN 1 END) AS created, collect([n, before]) AS written
}
WITH created, written, [x IN written | x[0].id] AS writtenIds
CALL (writtenIds) {
  // after the rows above: a researcher an Author record describes takes its ORCID from that record alone
  UNWIND $orcids AS evidence
  MATCH (n:Researcher {id: evidence.id})
  WHERE n.recordVersion IS NULL AND evidence.version >= reduce(v = replace(coalesce(n.orcidVersion, ''), '\u001f' + n.id + '\u001f', '\u001f\u001f'), ch IN $removed | replace(v, ch, ''))
  WITH n, evidence, n.orcid AS before
  SET n.orcid = evidence.orcid, n.orcidVersion = evidence.version
  RETURN count(CASE WHEN (before IS NULL OR before <> n.orcid) AND NOT n.id IN writtenIds THEN 1 END) AS updatedByOrcid
}
CALL (written) {
  // changed: the bookkeeping versions and fingerprint moving on alone are no change
  UNWIND written AS x
  WITH x[0] AS n, x[1] AS before
  RETURN count(CASE WHEN before <> {id: n.id}
                     AND before {.*, recordVersion: 0, recordHash: 0, seenVersion: 0, orcidVersion: 0}
                         <> n {.*, recordVersion: 0, recordHash: 0, seenVersion: 0, orcidVersion: 0} THEN 1 END) AS updated
}
RETURN [{kind: 'Researcher', created: created, updated: updated + updatedByOrcid}] AS counts

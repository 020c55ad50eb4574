// Derives the AFFILIATED_WITH edges of an import batch's researchers from their evidence: the
// institutions their works list for them (AUTHORED.institutions), seen in those works' years, and the
// affiliations of their newest Author record (`recordYears`, replaced as a whole by a newer record).
// `years` is the sorted union; an edge nothing supports any more is deleted, whatever wrote it (the
// import is the only writer of imported researchers' affiliations).
// Parameters: $records LIST<MAP{researcher, version, affiliations LIST<MAP{institution, years LIST<INTEGER>}>}>
//   (the batch's Author records; one applies only when it is the researcher's newest, ingest/researchers);
//   $researchers LIST<STRING> (every researcher the batch touched, including those who lost a work).
// Returns: counts LIST<MAP{kind,created,updated,deleted}>; institutions LIST<STRING> (those whose edges
//   were created, deleted or changed years: their derived counts and explore lists need a refresh).
// Example: bzgraph cypher ingest/affiliations --write --param 'records=[{"researcher":"A5010401681","version":"2025-11-06","affiliations":[{"institution":"I201726411","years":[2003]}]}]' --param 'researchers=["A5010401681"]'
CALL () {
  UNWIND $records AS record
  MATCH (r:Researcher {id: record.researcher})
  WHERE r.recordVersion = record.version
  CALL (r, record) {
    OPTIONAL MATCH (r)-[a:AFFILIATED_WITH]->(i:Institution)
    WHERE NOT i.id IN [x IN record.affiliations | x.institution]
    REMOVE a.recordYears
  }
  CALL (r, record) {
    UNWIND record.affiliations AS affiliation
    MATCH (i:Institution {id: affiliation.institution})
    MERGE (r)-[a:AFFILIATED_WITH]->(i)
    SET a.recordYears = affiliation.years
  }
}
UNWIND $researchers AS researcherId
MATCH (r:Researcher {id: researcherId})
CALL (r) {
  OPTIONAL MATCH (r)-[au:AUTHORED]->(w:Work)
  UNWIND coalesce(au.institutions, []) AS institutionId
  WITH institutionId, [year IN collect(w.year) WHERE year IS NOT NULL] AS years
  RETURN collect({institution: institutionId, years: years}) AS evidence
}
CALL (r, evidence) {
  UNWIND evidence AS e
  MATCH (i:Institution {id: e.institution})
  MERGE (r)-[:AFFILIATED_WITH]->(i)
}
CALL (r, evidence) {
  MATCH (r)-[a:AFFILIATED_WITH]->(i:Institution)
  WITH a, i, a.years AS old, [e IN evidence WHERE e.institution = i.id | e.years] AS listed
  WITH a, i, old, size(listed) > 0 OR a.recordYears IS NOT NULL AS supported,
       COLLECT { UNWIND coalesce(listed[0], []) + coalesce(a.recordYears, []) AS year
                 WITH DISTINCT year RETURN year ORDER BY year } AS years
  CALL (a, supported, years) {
    WITH a WHERE supported
    SET a.years = years
  }
  CALL (a, supported) {
    WITH a WHERE NOT supported
    DELETE a
  }
  RETURN count(CASE WHEN supported AND old IS NULL THEN 1 END) AS created,
         count(CASE WHEN supported AND old IS NOT NULL AND old <> years THEN 1 END) AS updated,
         count(CASE WHEN NOT supported THEN 1 END) AS deleted,
         collect(CASE WHEN NOT supported OR old IS NULL OR old <> years THEN i.id END) AS changed
}
WITH sum(created) AS created, sum(updated) AS updated, sum(deleted) AS deleted, collect(changed) AS changed
RETURN [{kind: 'AFFILIATED_WITH', created: created, updated: updated, deleted: deleted}] AS counts,
       reduce(all = [], ids IN changed | all + [id IN ids WHERE NOT id IN all]) AS institutions

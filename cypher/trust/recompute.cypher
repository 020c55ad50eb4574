// Recomputes the trust snapshot of researchers from graph signals and stores it on them (docs/trust.md).
// Parameters: $ids (LIST<STRING>) the researchers to recompute.
// Returns: one row per researcher: id, score, tier, verificationLevel.
// Example: bzgraph cypher trust/recompute --write --param 'ids=["bzr-leon-bungert"]'
MATCH (r:Researcher) WHERE r.id IN $ids
CALL (r) {
  OPTIONAL MATCH (r)-[:AUTHORED]->(w:Work)
  RETURN count(w) AS works,
         count(CASE WHEN w.arxivId IS NOT NULL OR w.doi IS NOT NULL THEN 1 END) AS identifiedWorks
}
CALL (r) {
  OPTIONAL MATCH (r)-[:AUTHORED]->(w:Work)<-[:AUTHORED]-(c:Researcher)
  WHERE c <> r
  WITH c, count(DISTINCT w) AS shared
  RETURN count(CASE WHEN shared >= 2 THEN c END) AS closeCollaborators
}
CALL (r) {
  OPTIONAL MATCH (u:User)-[:FOLLOWS]->(r)
  RETURN count(u) AS followers
}
CALL (r) {
  OPTIONAL MATCH (r)-[:AUTHORED]->(:Work)-[:HAS_TOPIC]->(t:Topic)
  RETURN count(DISTINCT t) AS topics
}
CALL (r) {
  OPTIONAL MATCH (r)<-[:CLAIMS]-(claim:Claim {status: 'APPROVED'})
  RETURN count(claim) > 0 AS claimed,
         count(CASE WHEN claim.orcid IS NOT NULL AND claim.orcid = r.orcid THEN 1 END) > 0 AS orcidMatch
}
CALL (r) {
  RETURN EXISTS { (r)-[:AFFILIATED_WITH]->(:Institution) } AS hasAffiliation
}
WITH r, works, closeCollaborators, followers, topics, hasAffiliation,
     CASE
       WHEN claimed AND orcidMatch THEN 3
       WHEN claimed THEN 2
       WHEN r.orcid IS NOT NULL OR r.openalexId IS NOT NULL OR identifiedWorks > 0 THEN 1
       ELSE 0
     END AS level
WITH r, level, works, closeCollaborators, followers,
     [hasAffiliation, r.orcid IS NOT NULL, r.bio IS NOT NULL AND trim(r.bio) <> '', topics > 0] AS complete
WITH r, level,
     [
       {key: 'verification', label: 'Verification level', value: toFloat(level),
        points: [0, 8, 18, 25][level], maxPoints: 25},
       {key: 'publications', label: 'Publication record', value: toFloat(works),
        points: toInteger(round(25 * (1 - exp(-works / 20.0)))), maxPoints: 25},
       {key: 'collaboration', label: 'Collaboration network', value: toFloat(closeCollaborators),
        points: toInteger(round(20 * (1 - exp(-closeCollaborators / 10.0)))), maxPoints: 20},
       {key: 'community', label: 'Community (followers)', value: toFloat(followers),
        points: toInteger(round(15 * (1 - exp(-followers / 25.0)))), maxPoints: 15},
       {key: 'completeness', label: 'Profile completeness',
        value: toFloat(size([c IN complete WHERE c])) / size(complete),
        points: (CASE WHEN complete[0] THEN 5 ELSE 0 END) + (CASE WHEN complete[1] THEN 4 ELSE 0 END)
              + (CASE WHEN complete[2] THEN 3 ELSE 0 END) + (CASE WHEN complete[3] THEN 3 ELSE 0 END),
        maxPoints: 15}
     ] AS components
WITH r, level, components, reduce(total = 0, c IN components | total + c.points) AS score
SET r.trustScore = score,
    r.trustTier = CASE
      WHEN score >= 80 THEN 'EXEMPLARY'
      WHEN score >= 60 THEN 'TRUSTED'
      WHEN score >= 40 THEN 'ESTABLISHED'
      WHEN score >= 20 THEN 'EMERGING'
      ELSE 'NEW'
    END,
    r.verificationLevel = 'L' + toString(level),
    r.trustKeys = [c IN components | c.key],
    r.trustLabels = [c IN components | c.label],
    r.trustValues = [c IN components | c.value],
    r.trustPoints = [c IN components | c.points],
    r.trustMaxPoints = [c IN components | c.maxPoints]
RETURN r.id AS id, r.trustScore AS score, r.trustTier AS tier, r.verificationLevel AS verificationLevel
ORDER BY id

// Adds trust signals to a test researcher: followers, an affiliation, an approved claim (optionally with a matching ORCID).
// Parameters: $id STRING, $followers LIST<STRING> (user ids), $institution STRING? (institution id),
//   $claimant STRING? (user id), $orcid STRING? (set on the researcher and on the claim).
// Example: bzgraph cypher testing/add-signals --write --param id=t-r1 --param 'followers=["user:t1"]' --param institution=null --param claimant=null --param orcid=null
MATCH (r:Researcher {id: $id})
CALL (r) {
  UNWIND $followers AS userId
  MERGE (u:User:Entity {id: userId}) ON CREATE SET u.sub = userId
  MERGE (u)-[:FOLLOWS]->(r)
}
CALL (r) {
  WITH r WHERE $institution IS NOT NULL
  MERGE (i:Institution:Entity {id: $institution}) ON CREATE SET i.name = 'Test Institute ' + $institution
  MERGE (r)-[f:AFFILIATED_WITH]->(i) SET f.years = [2024]
}
CALL (r) {
  WITH r WHERE $orcid IS NOT NULL
  SET r.orcid = $orcid
}
CALL (r) {
  WITH r WHERE $claimant IS NOT NULL
  MERGE (u:User:Entity {id: $claimant}) ON CREATE SET u.sub = $claimant
  MERGE (c:Claim:Entity {id: 'claim:' + $claimant + ':' + r.id})
  SET c.status = 'APPROVED', c.orcid = $orcid
  MERGE (u)-[:MADE]->(c)-[:CLAIMS]->(r)
  MERGE (u)-[:CLAIMANT_OF]->(r)
}
RETURN r.id AS id

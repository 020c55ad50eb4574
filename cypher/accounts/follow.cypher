// The viewer follows a researcher (idempotent); the researcher is locked so concurrent follows serialize.
// The record's approved claimant does not follow their own record (own: true, nothing written).
// Parameters: $userId STRING, $sub STRING, $researcherId STRING.
// Returns one row when the researcher exists (id, own), none otherwise. Run trust/recompute afterwards in the
// same transaction.
// Example: bzgraph cypher accounts/follow --write --param userId=user:alice --param sub=alice --param researcherId=bzr-leon-bungert
MATCH (r:Researcher {id: $researcherId})
SET r._lock = true REMOVE r._lock  // an exclusive lock on the researcher until commit
MERGE (u:User:Entity {id: $userId})
ON CREATE SET u.sub = $sub, u.createdAt = datetime()
SET u._lock = true REMOVE u._lock  // then the account, as every account mutation takes them
WITH r, u, EXISTS { (u)-[:CLAIMANT_OF]->(r) } AS own
CALL (r, u, own) {
  WITH r, u WHERE NOT own
  MERGE (u)-[f:FOLLOWS]->(r)
  ON CREATE SET f.since = datetime()
}
RETURN r.id AS id, own

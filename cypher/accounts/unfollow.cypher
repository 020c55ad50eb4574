// The viewer stops following a researcher (idempotent); the researcher is locked like in accounts/follow.
// Parameters: $userId STRING, $researcherId STRING.
// Example: bzgraph cypher accounts/unfollow --write --param userId=user:alice --param researcherId=bzr-leon-bungert
MATCH (r:Researcher {id: $researcherId})
SET r._lock = true REMOVE r._lock  // an exclusive lock on the researcher until commit
WITH r
OPTIONAL MATCH (u:User {id: $userId})
CALL (u) {  // then the account, before its relationships are touched, as every account mutation takes them
  WITH u WHERE u IS NOT NULL
  SET u._lock = true REMOVE u._lock
}
OPTIONAL MATCH (u)-[f:FOLLOWS]->(r)
DELETE f
RETURN r.id AS id

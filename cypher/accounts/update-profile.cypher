// The approved claimant edits their profile: open to collaborate and a short bio (null leaves a field as it is).
// Parameters: $userId STRING, $researcherId STRING, $openToCollaborate BOOLEAN?, $bio STRING?, $clearBio BOOLEAN.
// Returns one row when the viewer is the record's claimant, none otherwise. Then run trust/recompute in the same
// transaction (the API does): a bio counts towards profile completeness.
// Example: bzgraph cypher accounts/update-profile --write --param userId=user:alice --param researcherId=bzr-leon-bungert --param openToCollaborate=true --param bio=null --param clearBio=false   # alice holds the record (accounts/review-claim)
MATCH (r:Researcher {id: $researcherId})
SET r._lock = true REMOVE r._lock  // the researcher locked first, then the claimant checked: a revoke committed
WITH r                             // meanwhile is seen (checked before the lock, its cleared bio came back)
WHERE EXISTS { (:User {id: $userId})-[:CLAIMANT_OF]->(r) }
SET r.openToCollaborate = coalesce($openToCollaborate, r.openToCollaborate),
    r.bio = CASE WHEN $clearBio THEN null ELSE coalesce($bio, r.bio) END
RETURN r.id AS id

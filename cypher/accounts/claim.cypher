// Records a PENDING claim of an author record by the viewer, with its evidence, unless a rule forbids it.
// Parameters: $userId STRING, $sub STRING, $researcherId STRING, $claimId STRING, $orcid STRING?, $orcidVerified BOOLEAN
//   (the identity provider verified that the account holds $orcid), $email STRING?, $note STRING?,
//   $maxPendingClaims INTEGER (the most claims an account may have awaiting review).
// Returns outcome: CREATED, ALREADY_CLAIMED, VIEWER_HOLDS_CLAIM, REVOKED_BEFORE (a moderator revoked this account's
//   claim on the record), ALREADY_PENDING or TOO_MANY_PENDING (no row: no such researcher),
//   the claim created (as accounts/viewer shows it), null when refused, researcherId and recordOrcid (the record's
//   ORCID iD: a claim whose verified iD equals it is approved at once, accounts/review-claim run by the API in the same
//   transaction). A pending claim changes no trust signal; its approval does.
// The account examples run in this order, each as the one before leaves the graph: accounts/claim,
//   accounts/review-claim, trust/recompute, accounts/invite, accounts/respond-invitation, accounts/update-profile.
// Example: bzgraph cypher accounts/claim --write --param userId=user:alice --param sub=alice --param researcherId=bzr-leon-bungert --param claimId=claim:1 --param orcid=null --param orcidVerified=false --param email=a@example.org --param note=null --param maxPendingClaims=5
MATCH (r:Researcher {id: $researcherId})
SET r._lock = true REMOVE r._lock  // an exclusive lock on the researcher until commit
MERGE (u:User:Entity {id: $userId})
ON CREATE SET u.sub = $sub, u.createdAt = datetime()
SET u._lock = true REMOVE u._lock  // an exclusive lock on the account until commit
// A verified iD that is the record's approves the claim at once: no queue to wait in, whatever else is pending.
WITH r, u, coalesce($orcidVerified AND r.orcid = $orcid, false) AS verifiesAtOnce
WITH r, u,
     CASE
       WHEN EXISTS { (r)<-[:CLAIMANT_OF]-(:User) } THEN 'ALREADY_CLAIMED'
       WHEN EXISTS { (u)-[:CLAIMANT_OF]->(:Researcher) } THEN 'VIEWER_HOLDS_CLAIM'
       WHEN EXISTS { (u)-[:MADE]->(:Claim {status: 'REVOKED'})-[:CLAIMS]->(r) } THEN 'REVOKED_BEFORE'
       WHEN verifiesAtOnce THEN 'CREATED'
       WHEN EXISTS { (u)-[:MADE]->(:Claim {status: 'PENDING'})-[:CLAIMS]->(r) } THEN 'ALREADY_PENDING'
       WHEN COUNT { (u)-[:MADE]->(:Claim {status: 'PENDING'}) } >= $maxPendingClaims THEN 'TOO_MANY_PENDING'
       ELSE 'CREATED'
     END AS outcome
CALL (r, u, outcome) {
  WITH r, u WHERE outcome = 'CREATED'
  // Claims enter the moderators' queue (ordered by createdAt) in commit order: each takes the queue's
  // lock, held until commit, and only then the time (the clock's, not the statement's start, which may
  // be long before, behind the locks above), so no claim committed later sorts before one committed earlier.
  MERGE (queue:ClaimQueue {id: 'claims'})
  SET queue._lock = true REMOVE queue._lock
  CREATE (u)-[:MADE]->(c:Claim:Entity {id: $claimId, status: 'PENDING', orcid: $orcid, orcidVerified: $orcidVerified,
                                        email: $email, note: $note, createdAt: datetime.realtime()})-[:CLAIMS]->(r)
  RETURN c {.id, .status, .orcid, .orcidVerified, .email, .note, createdAt: toString(c.createdAt), researcherId: r.id, claimant: u.sub} AS claim
UNION
  WITH outcome WHERE outcome <> 'CREATED'
  RETURN null AS claim
}
RETURN outcome, claim, r.id AS researcherId, r.orcid AS recordOrcid

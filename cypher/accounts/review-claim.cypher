// A moderator approves or rejects a PENDING claim; approval makes the claimant the record's one approved claimant
// (ends their following of it, and rejects the pending claims it makes moot: others' on the record, the claimant's
// on other records).
// Parameters: $claimId STRING, $approve BOOLEAN, $moderatorId STRING (a moderator's account, or `orcid` for a claim whose
//   claimant's verified ORCID iD equals the record's, approved at once by accounts/claim's caller).
// Returns outcome: APPROVED, REJECTED, OWN_CLAIM (a moderator never reviews their own claim), NOT_PENDING,
//   RECORD_CLAIMED or CLAIMANT_HOLDS_CLAIM (no row: no such claim), the claim (as accounts/claims shows it) and
//   researcherId. After APPROVED, run trust/recompute for researcherId in the same transaction (the API does): the
//   claim raises the verification level.
// Example: bzgraph cypher accounts/review-claim --write --param claimId=claim:1 --param approve=true --param moderatorId=user:mod   # after the accounts/claim example
MATCH (u:User)-[:MADE]->(c:Claim {id: $claimId})-[:CLAIMS]->(r:Researcher)
SET r._lock = true, u._lock = true REMOVE r._lock, u._lock  // exclusive locks until commit
WITH c, u, r,
     CASE
       WHEN u.id = $moderatorId THEN 'OWN_CLAIM'
       WHEN c.status <> 'PENDING' THEN 'NOT_PENDING'
       WHEN NOT $approve THEN 'REJECTED'
       WHEN EXISTS { (r)<-[:CLAIMANT_OF]-(:User) } THEN 'RECORD_CLAIMED'
       WHEN EXISTS { (u)-[:CLAIMANT_OF]->(:Researcher) } THEN 'CLAIMANT_HOLDS_CLAIM'
       ELSE 'APPROVED'
     END AS outcome
CALL (c, u, r, outcome) {
  WITH c, u, r WHERE outcome IN ['APPROVED', 'REJECTED']
  SET c.status = outcome, c.reviewedAt = datetime(), c.reviewedBy = $moderatorId
  WITH c, u, r WHERE outcome = 'APPROVED'
  MERGE (u)-[claimant:CLAIMANT_OF]->(r)
  ON CREATE SET claimant.since = datetime(), claimant.researcherId = r.id, claimant.userId = u.id  // unique each
  WITH c, u, r
  OPTIONAL MATCH (u)-[own:FOLLOWS]->(r)
  DELETE own  // a claimant is not a follower of their own record (trust counts followers)
  WITH DISTINCT c, u, r
  // Pending claims this approval makes moot (the record is taken; the claimant holds a record) are
  // closed with it, so moderators are not left to reject them one by one.
  CALL (u, r) {
    MATCH (moot:Claim {status: 'PENDING'})-[:CLAIMS]->(r) RETURN moot
    UNION
    MATCH (u)-[:MADE]->(moot:Claim {status: 'PENDING'}) RETURN moot
  }
  SET moot.status = 'REJECTED', moot.reviewedAt = datetime(), moot.supersededBy = c.id  // no moderator reviewed it
}
RETURN outcome, c {.id, .status, .orcid, .orcidVerified, .email, .note, createdAt: toString(c.createdAt), researcherId: r.id, claimant: u.sub} AS claim, r.id AS researcherId

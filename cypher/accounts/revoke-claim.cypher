// A moderator revokes an APPROVED claim (the claimant was not who the evidence said, or has no right to the record
// any more): the account no longer holds the record, which anyone else may claim again (this account may not: its
// claim on the record stays REVOKED); the bio and openToCollaborate its claimant controlled are cleared, as they
// spoke for the researcher. Invitations to the record stay as they are (they were sent to the researcher).
// Parameters: $claimId STRING, $moderatorId STRING, $reason STRING (why, for the claimant and moderators).
// Returns outcome: REVOKED, OWN_CLAIM (a moderator never reviews their own claim) or NOT_APPROVED (no row: no such
//   claim), the claim (as accounts/claims shows it) and researcherId. After REVOKED, run trust/recompute for
//   researcherId in the same transaction (the API does): the verification level falls back.
// Example: bzgraph cypher accounts/revoke-claim --write --param claimId=claim:1 --param moderatorId=user:mod --param 'reason=Not the author'   # after the accounts/review-claim example
MATCH (u:User)-[:MADE]->(c:Claim {id: $claimId})-[:CLAIMS]->(r:Researcher)
SET r._lock = true, u._lock = true REMOVE r._lock, u._lock  // exclusive locks until commit, the researcher's first
WITH c, u, r,
     CASE
       WHEN u.id = $moderatorId THEN 'OWN_CLAIM'
       WHEN c.status <> 'APPROVED' THEN 'NOT_APPROVED'
       ELSE 'REVOKED'
     END AS outcome
CALL (c, u, r, outcome) {
  WITH c, u, r WHERE outcome = 'REVOKED'
  SET c.status = 'REVOKED', c.revokedAt = datetime(), c.revokedBy = $moderatorId, c.revokeReason = $reason,
      r.bio = null, r.openToCollaborate = false
  WITH u, r
  OPTIONAL MATCH (u)-[claimant:CLAIMANT_OF]->(r)
  DELETE claimant
}
RETURN outcome, c {.id, .status, .orcid, .orcidVerified, .email, .note, .revokeReason, createdAt: toString(c.createdAt),
                   researcherId: r.id, claimant: u.sub} AS claim, r.id AS researcherId

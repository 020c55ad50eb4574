// The claimant of the invited researcher accepts or declines a PENDING invitation.
// Parameters: $userId STRING, $invitationId STRING, $accept BOOLEAN.
// Returns outcome: ACCEPTED, DECLINED or NOT_PENDING (no row: no such invitation for this viewer),
//   and the invitation (as accounts/viewer shows it).
// Example: bzgraph cypher accounts/respond-invitation --write --param userId=user:bob --param invitationId=invitation:1 --param accept=true
MATCH (:User {id: $userId})-[:CLAIMANT_OF]->(r:Researcher)<-[:TO]-(i:Invitation {id: $invitationId})<-[:SENT]-(u:User)
SET i._lock = true REMOVE i._lock
WITH i, u, r, CASE WHEN i.status <> 'PENDING' THEN 'NOT_PENDING' WHEN $accept THEN 'ACCEPTED' ELSE 'DECLINED' END AS outcome
CALL (i, outcome) {
  WITH i WHERE outcome IN ['ACCEPTED', 'DECLINED']
  SET i.status = outcome, i.respondedAt = datetime()
}
RETURN outcome, i {.id, .status, .message, createdAt: toString(i.createdAt), from: u.sub, researcherId: r.id} AS invitation

// The claimant of the invited researcher accepts or declines a PENDING invitation, within $invitationDays of its sending.
// Parameters: $userId STRING, $invitationId STRING, $accept BOOLEAN, $invitationDays INTEGER.
// Returns outcome: ACCEPTED, DECLINED, NOT_PENDING (answered before) or EXPIRED (no row: no such invitation for this viewer),
//   and the invitation (as accounts/viewer shows it).
// Example: bzgraph cypher accounts/respond-invitation --write --param userId=user:alice --param invitationId=invitation:1 --param accept=true --param invitationDays=30   # alice holds the record; after the accounts/invite example
MATCH (:User {id: $userId})-[:CLAIMANT_OF]->(r:Researcher)<-[:TO]-(i:Invitation {id: $invitationId})<-[:SENT]-(u:User)
SET i._lock = true REMOVE i._lock
WITH i, u, r, CASE WHEN i.status <> 'PENDING' THEN 'NOT_PENDING'
                   WHEN i.createdAt <= datetime() - duration({days: $invitationDays}) THEN 'EXPIRED'
                   WHEN $accept THEN 'ACCEPTED' ELSE 'DECLINED' END AS outcome
CALL (i, outcome) {
  WITH i WHERE outcome IN ['ACCEPTED', 'DECLINED']
  SET i.status = outcome, i.respondedAt = datetime()
}
WITH i, u, r, outcome, CASE WHEN i.status = 'PENDING' AND i.createdAt <= datetime() - duration({days: $invitationDays}) THEN 'EXPIRED' ELSE i.status END AS status
RETURN outcome, i {.id, status: status, .message, createdAt: toString(i.createdAt), from: u.sub, researcherId: r.id,
                   senderId: u.id, senderResearcherId: COLLECT { MATCH (u)-[:CLAIMANT_OF]->(h:Researcher) RETURN h.id }[0],
                   expiresAt: CASE WHEN status = 'PENDING' THEN toString(i.createdAt + duration({days: $invitationDays})) END} AS invitation

// The signed-in viewer's own state: the record they hold and a page of each of their lists: the claims they
// made, the invitations to the record they hold, the invitations they sent (with their answers) and the
// researchers they follow.
// Each list is newest first; a page holds the items of one status (or any), after the item its cursor names.
// An invitation still PENDING $invitationDays after it was sent reads as EXPIRED. Follows are ordered by
// `since` in nanoseconds since the epoch (a follow without one, as the seed writes them, counts as 0), then
// researcher id; a page of them starts after a position, so it stays valid when that follow is undone.
// Parameters: $userId STRING; for each list L of claims, invitations and sentInvitations: $LStatus STRING? (null: any),
//   $LFirst INTEGER (0 to 100), $LAfter STRING? (the id of the last item of the page before; null: from the newest);
//   $followingFirst INTEGER (0 to 100), $followingAfterSince INTEGER? and $followingAfterId STRING? (the position
//   of the last follow of the page before; both null: from the newest);
//   $invitationDays INTEGER (how long an invitation waits for its answer).
// Returns one row: id (null when the account has not been created yet), claimedResearcherId, claims, invitations,
//   sentInvitations, following LIST<MAP{researcherId, since, position}>, and for the other lists LAfterFound
//   BOOLEAN (false when $LAfter names no item of that list); counts MAP{following, pendingClaims, pendingInvitations,
//   sentPendingInvitations} (the whole of each, whatever the pages; pending invitations not expired).
// Example: bzgraph cypher accounts/viewer --param userId=user:alice --param claimsStatus=null --param claimsFirst=100 --param claimsAfter=null --param invitationsStatus=PENDING --param invitationsFirst=100 --param invitationsAfter=null --param sentInvitationsStatus=null --param sentInvitationsFirst=100 --param sentInvitationsAfter=null --param followingFirst=100 --param followingAfterSince=null --param followingAfterId=null --param invitationDays=30
OPTIONAL MATCH (u:User {id: $userId})
CALL (u) {
  OPTIONAL MATCH (u)-[:MADE]->(last:Claim {id: $claimsAfter})
  RETURN last IS NOT NULL OR $claimsAfter IS NULL AS claimsAfterFound, COLLECT {
    MATCH (u)-[:MADE]->(c:Claim)-[:CLAIMS]->(r:Researcher)
    WHERE ($claimsStatus IS NULL OR c.status = $claimsStatus)
      AND (last IS NULL OR c.createdAt < last.createdAt OR (c.createdAt = last.createdAt AND c.id < last.id))
    WITH c, r ORDER BY c.createdAt DESC, c.id DESC
    LIMIT $claimsFirst
    RETURN c {.id, .status, .orcid, .orcidVerified, .email, .note, .revokeReason, createdAt: toString(c.createdAt), researcherId: r.id, claimant: u.sub,
      closedBecause: CASE WHEN c.supersededBy IS NULL THEN null WHEN EXISTS { (:Claim {id: c.supersededBy})-[:CLAIMS]->(r) } THEN 'RECORD_CLAIMED' ELSE 'CLAIMANT_HOLDS_CLAIM' END}
  } AS claims
}
CALL (u) {
  OPTIONAL MATCH (u)-[:CLAIMANT_OF]->(r:Researcher)
  RETURN head(collect(r.id)) AS claimedResearcherId
}
CALL (u) {
  OPTIONAL MATCH (u)-[:CLAIMANT_OF]->(:Researcher)<-[:TO]-(last:Invitation {id: $invitationsAfter})
  RETURN last IS NOT NULL OR $invitationsAfter IS NULL AS invitationsAfterFound, COLLECT {
    MATCH (u)-[:CLAIMANT_OF]->(r:Researcher)<-[:TO]-(i:Invitation)<-[:SENT]-(s:User)
    WITH i, s, r, CASE WHEN i.status = 'PENDING' AND i.createdAt <= datetime() - duration({days: $invitationDays}) THEN 'EXPIRED' ELSE i.status END AS status
    WHERE ($invitationsStatus IS NULL OR status = $invitationsStatus)
      AND (last IS NULL OR i.createdAt < last.createdAt OR (i.createdAt = last.createdAt AND i.id < last.id))
    WITH i, s, r, status ORDER BY i.createdAt DESC, i.id DESC
    LIMIT $invitationsFirst
    RETURN i {.id, status: status, .message, createdAt: toString(i.createdAt), from: s.sub, researcherId: r.id,
              senderId: s.id, senderResearcherId: COLLECT { MATCH (s)-[:CLAIMANT_OF]->(h:Researcher) RETURN h.id }[0],
              expiresAt: CASE WHEN status = 'PENDING' THEN toString(i.createdAt + duration({days: $invitationDays})) END}
  } AS invitations
}
CALL (u) {
  OPTIONAL MATCH (u)-[:SENT]->(last:Invitation {id: $sentInvitationsAfter})
  RETURN last IS NOT NULL OR $sentInvitationsAfter IS NULL AS sentInvitationsAfterFound, COLLECT {
    MATCH (u)-[:SENT]->(i:Invitation)-[:TO]->(r:Researcher)
    WITH i, r, CASE WHEN i.status = 'PENDING' AND i.createdAt <= datetime() - duration({days: $invitationDays}) THEN 'EXPIRED' ELSE i.status END AS status
    WHERE ($sentInvitationsStatus IS NULL OR status = $sentInvitationsStatus)
      AND (last IS NULL OR i.createdAt < last.createdAt OR (i.createdAt = last.createdAt AND i.id < last.id))
    WITH i, r, status ORDER BY i.createdAt DESC, i.id DESC
    LIMIT $sentInvitationsFirst
    RETURN i {.id, status: status, .message, createdAt: toString(i.createdAt), from: u.sub, researcherId: r.id,
              senderId: u.id, senderResearcherId: COLLECT { MATCH (u)-[:CLAIMANT_OF]->(h:Researcher) RETURN h.id }[0],
              expiresAt: CASE WHEN status = 'PENDING' THEN toString(i.createdAt + duration({days: $invitationDays})) END}
  } AS sentInvitations
}
CALL (u) {
  RETURN COLLECT {
    MATCH (u)-[f:FOLLOWS]->(r:Researcher)
    WITH f, r, CASE WHEN f.since IS NULL THEN 0 ELSE f.since.epochSeconds * 1000000000 + f.since.nanosecond END AS since
    WHERE $followingAfterId IS NULL OR since < $followingAfterSince
       OR (since = $followingAfterSince AND r.id < $followingAfterId)
    WITH f, r, since ORDER BY since DESC, r.id DESC
    LIMIT $followingFirst
    RETURN {researcherId: r.id, since: toString(f.since), position: since}
  } AS following
}
CALL (u) {
  RETURN {following: COUNT { (u)-[:FOLLOWS]->(:Researcher) },
          pendingClaims: COUNT { (u)-[:MADE]->(:Claim {status: 'PENDING'}) },
          pendingInvitations: COUNT { (u)-[:CLAIMANT_OF]->(:Researcher)<-[:TO]-(i:Invitation {status: 'PENDING'})
                                      WHERE i.createdAt > datetime() - duration({days: $invitationDays}) },
          sentPendingInvitations: COUNT { (u)-[:SENT]->(i:Invitation {status: 'PENDING'})
                                          WHERE i.createdAt > datetime() - duration({days: $invitationDays}) }} AS counts
}
RETURN u.id AS id, counts, claimedResearcherId, claims, claimsAfterFound, invitations, invitationsAfterFound,
       sentInvitations, sentInvitationsAfterFound, following

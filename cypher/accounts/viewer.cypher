// The signed-in viewer's own state: claims made, the record they hold, invitations sent to it (the newest
// 100), and the invitations they sent (the newest 100, with their answers).
// Parameters: $userId STRING.
// Example: bzgraph cypher accounts/viewer --param userId=user:alice
OPTIONAL MATCH (u:User {id: $userId})
CALL (u) {
  OPTIONAL MATCH (u)-[:MADE]->(c:Claim)-[:CLAIMS]->(r:Researcher)
  WITH c, r ORDER BY c.createdAt DESC
  RETURN collect(CASE WHEN c IS NULL THEN null ELSE c {.id, .status, .orcid, .email, .note, createdAt: toString(c.createdAt), researcherId: r.id, claimant: u.sub,
    closedBecause: CASE WHEN c.supersededBy IS NULL THEN null WHEN EXISTS { (:Claim {id: c.supersededBy})-[:CLAIMS]->(r) } THEN 'RECORD_CLAIMED' ELSE 'CLAIMANT_HOLDS_CLAIM' END} END) AS claims
}
CALL (u) {
  OPTIONAL MATCH (u)-[:CLAIMANT_OF]->(r:Researcher)
  RETURN head(collect(r.id)) AS claimedResearcherId
}
CALL (u) {
  OPTIONAL MATCH (u)-[:CLAIMANT_OF]->(r:Researcher)<-[:TO]-(i:Invitation)<-[:SENT]-(s:User)
  WITH i, s, r ORDER BY i.createdAt DESC, i.id DESC
  LIMIT 100
  RETURN collect(CASE WHEN i IS NULL THEN null ELSE i {.id, .status, .message, createdAt: toString(i.createdAt), from: s.sub, researcherId: r.id} END) AS invitations
}
CALL (u) {
  OPTIONAL MATCH (u)-[:SENT]->(i:Invitation)-[:TO]->(r:Researcher)
  WITH i, r ORDER BY i.createdAt DESC, i.id DESC
  LIMIT 100
  RETURN collect(CASE WHEN i IS NULL THEN null ELSE i {.id, .status, .message, createdAt: toString(i.createdAt), from: u.sub, researcherId: r.id} END) AS sentInvitations
}
RETURN u.id AS id, claims, claimedResearcherId, invitations, sentInvitations

// Claims awaiting (or past) moderation, oldest first, for moderators.
// Parameters: $status STRING (PENDING, APPROVED or REJECTED), $first INTEGER.
// Example: bzgraph cypher accounts/claims --param status=PENDING --param first=20
MATCH (u:User)-[:MADE]->(c:Claim {status: $status})-[:CLAIMS]->(r:Researcher)
RETURN c {.id, .status, .orcid, .email, .note, createdAt: toString(c.createdAt), researcherId: r.id, claimant: u.sub} AS claim
ORDER BY c.createdAt ASC, c.id ASC
LIMIT $first

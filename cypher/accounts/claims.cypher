// Claims awaiting (or past) moderation, oldest first, for moderators; a page starts after the claim $after.
// Parameters: $status STRING (PENDING, APPROVED, REJECTED or REVOKED), $first INTEGER, $after STRING? (a claim id).
// Returns one row: claims (the page), afterFound BOOLEAN (false when $after names no claim).
// Example: bzgraph cypher accounts/claims --param status=PENDING --param first=20 --param after=null
OPTIONAL MATCH (last:Claim {id: $after})
RETURN last IS NOT NULL OR $after IS NULL AS afterFound, COLLECT {
  MATCH (u:User)-[:MADE]->(c:Claim {status: $status})-[:CLAIMS]->(r:Researcher)
  WHERE last IS NULL OR c.createdAt > last.createdAt OR (c.createdAt = last.createdAt AND c.id > last.id)
  WITH u, c, r ORDER BY c.createdAt ASC, c.id ASC
  LIMIT $first
  RETURN c {.id, .status, .orcid, .orcidVerified, .email, .note, .revokeReason, createdAt: toString(c.createdAt), researcherId: r.id, claimant: u.sub,
            closedBecause: CASE WHEN c.supersededBy IS NULL THEN null WHEN EXISTS { (:Claim {id: c.supersededBy})-[:CLAIMS]->(r) } THEN 'RECORD_CLAIMED' ELSE 'CLAIMANT_HOLDS_CLAIM' END}
} AS claims

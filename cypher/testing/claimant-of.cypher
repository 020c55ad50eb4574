// Tests only: makes an account the approved claimant of a researcher directly, skipping every check and lock.
// Parameters: $userId STRING, $researcherId STRING.
// Example: bzgraph cypher testing/claimant-of --write --param userId=user:t1 --param researcherId=t-r1
MATCH (r:Researcher {id: $researcherId})
MERGE (u:User:Entity {id: $userId}) ON CREATE SET u.sub = $userId
CREATE (u)-[:CLAIMANT_OF {since: datetime(), researcherId: r.id, userId: u.id}]->(r)
RETURN r.id AS id

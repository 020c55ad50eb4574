// Creates the account of a token's subject on its first authenticated request (idempotent).
// Parameters: $userId STRING (`user:<sub>`), $sub STRING.
// Example: bzgraph cypher accounts/ensure-user --write --param userId=user:alice --param sub=alice
MERGE (u:User:Entity {id: $userId})
ON CREATE SET u.sub = $sub, u.createdAt = datetime()
RETURN u.id AS id

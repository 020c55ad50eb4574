// Tests only: moves an invitation's sending time back, as if it had been sent $days days earlier.
// Parameters: $id STRING (the invitation's id), $days INTEGER.
// Returns: createdAt STRING (the new sending time).
// Example: bzgraph cypher testing/age-invitation --write --param id=invitation:1 --param days=31   # after the accounts/invite example
MATCH (i:Invitation {id: $id})
SET i.createdAt = i.createdAt - duration({days: $days})
RETURN toString(i.createdAt) AS createdAt

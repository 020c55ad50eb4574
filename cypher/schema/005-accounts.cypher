// Account constraints: a researcher has at most one approved claimant, an account holds at most one record.
// Parameters: none. Applied idempotently by `bzgraph db migrate`; backs the locks of accounts/review-claim.
// Example: bzgraph db migrate
CREATE CONSTRAINT claimant_of_researcher IF NOT EXISTS FOR ()-[c:CLAIMANT_OF]-() REQUIRE c.researcherId IS UNIQUE;
CREATE CONSTRAINT claimant_of_user IF NOT EXISTS FOR ()-[c:CLAIMANT_OF]-() REQUIRE c.userId IS UNIQUE

// Node counts per label and relationship counts per type of the graph model (docs/graph-model.md), for a quick
// look at the whole graph: each read from Neo4j's count store (one NodeCountFromCountStore or
// RelationshipCountFromCountStore a subquery), in constant time whatever the graph's size. Labels and types outside
// the model (an analyst's own) are not listed: count them with a query of your own. Each count is read on its own:
// an import committing meanwhile may show in some counts and not yet in others.
// Parameters: none.
// Example: bzgraph cypher graph-counts
CALL () { MATCH (n:Entity) RETURN count(n) AS entity }
CALL () { MATCH (n:Researcher) RETURN count(n) AS researcher }
CALL () { MATCH (n:Work) RETURN count(n) AS work }
CALL () { MATCH (n:Topic) RETURN count(n) AS topic }
CALL () { MATCH (n:Institution) RETURN count(n) AS institution }
CALL () { MATCH (n:Source) RETURN count(n) AS source }
CALL () { MATCH (n:User) RETURN count(n) AS user }
CALL () { MATCH (n:Claim) RETURN count(n) AS claim }
CALL () { MATCH (n:Invitation) RETURN count(n) AS invitation }
CALL () { MATCH (n:ClaimQueue) RETURN count(n) AS claimQueue }
CALL () { MATCH (n:ImportCheckpoint) RETURN count(n) AS importCheckpoint }
CALL () { MATCH (n:ImportLock) RETURN count(n) AS importLock }
CALL () { MATCH (n:RefreshPending) RETURN count(n) AS refreshPending }
WITH {Entity: entity, Researcher: researcher, Work: work, Topic: topic, Institution: institution, Source: source,
      User: user, Claim: claim, Invitation: invitation, ClaimQueue: claimQueue, ImportCheckpoint: importCheckpoint,
      ImportLock: importLock, RefreshPending: refreshPending} AS known
UNWIND keys(known) AS label
WITH known, label ORDER BY label
RETURN 'node' AS kind, label AS name, known[label] AS count
UNION ALL
CALL () { MATCH ()-[r:AUTHORED]->() RETURN count(r) AS authored }
CALL () { MATCH ()-[r:HAS_TOPIC]->() RETURN count(r) AS hasTopic }
CALL () { MATCH ()-[r:AFFILIATED_WITH]->() RETURN count(r) AS affiliatedWith }
CALL () { MATCH ()-[r:PUBLISHED_IN]->() RETURN count(r) AS publishedIn }
CALL () { MATCH ()-[r:CITES]->() RETURN count(r) AS cites }
CALL () { MATCH ()-[r:FOLLOWS]->() RETURN count(r) AS follows }
CALL () { MATCH ()-[r:MADE]->() RETURN count(r) AS made }
CALL () { MATCH ()-[r:CLAIMS]->() RETURN count(r) AS claims }
CALL () { MATCH ()-[r:CLAIMANT_OF]->() RETURN count(r) AS claimantOf }
CALL () { MATCH ()-[r:SENT]->() RETURN count(r) AS sent }
CALL () { MATCH ()-[r:TO]->() RETURN count(r) AS to }
WITH {AUTHORED: authored, HAS_TOPIC: hasTopic, AFFILIATED_WITH: affiliatedWith, PUBLISHED_IN: publishedIn, CITES: cites,
      FOLLOWS: follows, MADE: made, CLAIMS: claims, CLAIMANT_OF: claimantOf, SENT: sent, TO: to} AS known
UNWIND keys(known) AS type
WITH known, type ORDER BY type
RETURN 'relationship' AS kind, type AS name, known[type] AS count

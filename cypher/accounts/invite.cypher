// Sends an invitation to collaborate to a claimed researcher who is open to collaboration, within the
// sender's rate limit and at most one pending invitation from the sender to the researcher at a time
// (one unanswered for $invitationDays has expired and no longer counts).
// Parameters: $userId STRING, $sub STRING, $researcherId STRING, $invitationId STRING, $message STRING, $limit INTEGER (per 24 hours),
//   $invitationDays INTEGER (how long an invitation waits for its answer).
// Returns outcome: SENT, NOT_CLAIMED, OWN_RECORD, NOT_OPEN (openToCollaborate is not true), ALREADY_INVITED
//   (the sender's earlier invitation to this researcher is still pending) or RATE_LIMITED (no row: no such researcher),
//   the invitation sent (as accounts/viewer shows it), null when refused, and details: with
//   RATE_LIMITED, {retryAfter}: the seconds until the oldest invitation counted leaves the 24 hours.
// Example: bzgraph cypher accounts/invite --write --param userId=user:bob --param sub=bob --param researcherId=bzr-leon-bungert --param invitationId=invitation:1 --param message=Hello --param limit=20 --param invitationDays=30   # once alice's claim is approved
MATCH (r:Researcher {id: $researcherId})
// Exclusive locks until commit, the researcher first and then the account, in the order follow,
// unfollow and claim take them: in the other order, an invitation and a follow could deadlock.
SET r._lock = true REMOVE r._lock
MERGE (u:User:Entity {id: $userId})
ON CREATE SET u.sub = $sub, u.createdAt = datetime()
SET u._lock = true REMOVE u._lock
// The time once the locks are held (the clock's, not the statement's start, which may be long before,
// behind the locks above): an account's invitations, and a researcher's, are dated in commit order.
WITH r, u, datetime.realtime() AS now
WITH r, u, now, COLLECT { MATCH (u)-[:SENT]->(i:Invitation) WHERE i.createdAt > now - duration('PT24H')
                          RETURN i.createdAt AS sent ORDER BY sent } AS sentToday
WITH r, u, now, sentToday,
     CASE
       WHEN NOT EXISTS { (r)<-[:CLAIMANT_OF]-(:User) } THEN 'NOT_CLAIMED'
       WHEN EXISTS { (r)<-[:CLAIMANT_OF]-(u) } THEN 'OWN_RECORD'
       WHEN r.openToCollaborate IS NULL OR NOT r.openToCollaborate THEN 'NOT_OPEN'
       WHEN EXISTS { (u)-[:SENT]->(i:Invitation {status: 'PENDING'})-[:TO]->(r)
                     WHERE i.createdAt > now - duration({days: $invitationDays}) } THEN 'ALREADY_INVITED'
       WHEN size(sentToday) >= $limit THEN 'RATE_LIMITED'
       ELSE 'SENT'
     END AS outcome
CALL (r, u, now, outcome) {
  WITH r, u, now WHERE outcome = 'SENT'
  CREATE (u)-[:SENT]->(i:Invitation:Entity {id: $invitationId, message: $message, status: 'PENDING',
                                            createdAt: now})-[:TO]->(r)
  RETURN i {.id, .status, .message, createdAt: toString(i.createdAt), from: u.sub, researcherId: r.id,
            senderId: u.id, senderResearcherId: COLLECT { MATCH (u)-[:CLAIMANT_OF]->(h:Researcher) RETURN h.id }[0],
            expiresAt: toString(i.createdAt + duration({days: $invitationDays}))} AS invitation
UNION
  WITH outcome WHERE outcome <> 'SENT'
  RETURN null AS invitation
}
WITH outcome, invitation,
     CASE WHEN outcome = 'RATE_LIMITED'
       THEN duration.inSeconds(now, sentToday[size(sentToday) - $limit] + duration('PT24H')) END AS wait
// whole seconds, rounded up to the nanosecond: the oldest counted is a day old then (at most 86,400)
RETURN outcome, invitation,
       CASE WHEN wait IS NOT NULL
         THEN {retryAfter: wait.seconds + CASE WHEN wait.nanosecondsOfSecond > 0 THEN 1 ELSE 0 END}
       END AS details

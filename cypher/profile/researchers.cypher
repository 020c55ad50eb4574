// The researcher profile page for one or many researchers: header, affiliations, counts, trust, viewer state, works page,
// collaborators, topics.
// Parameters: $ids LIST<STRING>; $viewer STRING? (a User id, null when anonymous); $viewerOrcid STRING? (the ORCID iD
//   the viewer's sign-in verified: a claim of the record with that iD is approved at once, pending claims or not);
//   $worksFirst INT (page size; 0 returns none); $afterYear INT?, $afterTitle STRING?, $afterId STRING?
//   (the keyset position of the works cursor, all null for the first page; $afterTitle is the sort title);
//   $collaboratorsFirst INT, $topicsFirst INT (0 returns none of them: with their part in $parts
//   they are computed all the same, for the counts and the headline); $collaboratorsAfterShared INT?,
//   $collaboratorsAfterName STRING?, $collaboratorsAfterId STRING? and $topicsAfterWorks INT?, $topicsAfterName STRING?,
//   $topicsAfterId STRING? (the keyset positions of those lists' cursors, all null for the first page);
//   $maxPendingClaims INT (the most claims an account may have awaiting review: canClaim is false at it);
//   $invitationsPerDay INT (the most invitations an account may send in 24 hours: canInvite is false at it);
//   $invitationDays INT (how long an invitation waits for its answer: one older no longer counts as pending);
//   $parts LIST<STRING> (what to compute beyond the record, its counts of works and followers, claimed and the works
//   page: any of 'affiliations' (affiliation, affiliations), 'collaborators' (closeCollaborators,
//   counts.closeCollaborators), 'topics' (topics, counts.topics, the headline's mainTopics), 'viewer' (viewerState);
//   what a part left out gives is null: a trust snapshot needs none).
// Works are ordered newest first: year descending (unknown years last), then title as a reader files it
// (case, accents, apostrophes and the punctuation it starts with aside: `Äpfel` with apple, “Quoted” with q), then
// id. The sort title (w.sortTitle, bzgraph/folding.py sort_key; a work written before 2026-11-29 without one: the
// lower-cased title) is at most 300 characters, so that a cursor stays short whatever the title.
// Names break ties the same way, by nameKey (case, accents, apostrophes and dashes aside; the lower-cased name
// without one): collaborators (after shared works), topics (after
// works), and the affiliations (after the latest year seen), and with them `headline` and `affiliation`.
// Example: bzgraph cypher profile/researchers --param 'ids=["bzr-leon-bungert"]' --param viewer=null --param viewerOrcid=null --param worksFirst=3 --param afterYear=null --param afterTitle=null --param afterId=null --param collaboratorsFirst=5 --param collaboratorsAfterShared=null --param collaboratorsAfterName=null --param collaboratorsAfterId=null --param topicsFirst=5 --param topicsAfterWorks=null --param topicsAfterName=null --param topicsAfterId=null --param maxPendingClaims=5 --param invitationsPerDay=20 --param invitationDays=30 --param 'parts=["affiliations","collaborators","topics","viewer"]'
UNWIND $ids AS researcherId
MATCH (r:Researcher {id: researcherId})
// The works page first: its ORDER BY ... LIMIT keeps rows, and each row kept after the other subqueries would
// carry their collected lists (88 MB of query memory for a page of 100 of a 386-work researcher; 1 MB so).
CALL (r) {
  OPTIONAL MATCH (r)-[:AUTHORED]->(w:Work)
  WITH w, coalesce(w.year, -10000) AS y, coalesce(w.sortTitle, left(toLower(coalesce(w.title, '')), 300)) AS t
  WHERE w IS NOT NULL AND (
    $afterId IS NULL
    OR y < $afterYear
    OR (y = $afterYear AND t > $afterTitle)
    OR (y = $afterYear AND t = $afterTitle AND w.id > $afterId))
  WITH w, y, t ORDER BY y DESC, t ASC, w.id ASC
  LIMIT $worksFirst + 1
  OPTIONAL MATCH (w)-[:PUBLISHED_IN]->(s:Source)
  WITH w, y, t, s ORDER BY y DESC, t ASC, w.id ASC
  RETURN collect(w {.id, .type, .year, .title, .abstract, .doi, .arxivId, .language, .citedByCount,
                    date: toString(w.date), venue: s.name, sortYear: y, sortTitle: t}) AS worksPage
}
// A part left out of $parts passes no row into its subquery, whose aggregation then gives one row of empty lists
// (returned as null, below).
CALL (r) {
  WITH r WHERE 'affiliations' IN $parts
  OPTIONAL MATCH (r)-[aff:AFFILIATED_WITH]->(i:Institution)
  WITH i, aff ORDER BY coalesce(aff.years[-1], -10000) DESC, coalesce(i.nameKey, toLower(coalesce(i.name, ''))) ASC, i.id ASC
  WITH collect(CASE WHEN i IS NULL THEN null
                    ELSE {institution: i {.id, .name, .country, .ror, .type}, years: coalesce(aff.years, [])} END) AS affiliations
  RETURN affiliations[0].institution AS affiliation, affiliations  // the current one: the latest year seen
}
CALL (r) {
  WITH r WHERE 'collaborators' IN $parts
  OPTIONAL MATCH (r)-[:AUTHORED]->(w:Work)<-[:AUTHORED]-(c:Researcher)
  WHERE c <> r
  WITH c, count(DISTINCT w) AS shared
  ORDER BY shared DESC, left(coalesce(c.nameKey, toLower(coalesce(c.name, ''))), 300) ASC, c.id ASC
  WITH collect(CASE WHEN c IS NULL THEN null ELSE {researcher: c, sharedWorks: shared, sortName: left(coalesce(c.nameKey, toLower(coalesce(c.name, ''))), 300)} END) AS coauthors
  WITH [x IN coauthors WHERE x.sharedWorks >= 2] AS close
  WITH close, [x IN close WHERE $collaboratorsAfterId IS NULL
      OR x.sharedWorks < $collaboratorsAfterShared
      OR (x.sharedWorks = $collaboratorsAfterShared AND x.sortName > $collaboratorsAfterName)
      OR (x.sharedWorks = $collaboratorsAfterShared AND x.sortName = $collaboratorsAfterName AND x.researcher.id > $collaboratorsAfterId)
    ][..$collaboratorsFirst] AS page
  RETURN size(close) AS closeCount,
         [x IN page | {sharedWorks: x.sharedWorks, sortName: x.sortName, researcher: {id: x.researcher.id,
            name: x.researcher.name, aliases: x.researcher.aliases, orcid: x.researcher.orcid, bio: x.researcher.bio,
            openToCollaborate: x.researcher.openToCollaborate, trustScore: x.researcher.trustScore,
            trustTier: x.researcher.trustTier, verificationLevel: x.researcher.verificationLevel,
            trustKeys: x.researcher.trustKeys, trustLabels: x.researcher.trustLabels, trustValues: x.researcher.trustValues,
            trustPoints: x.researcher.trustPoints, trustMaxPoints: x.researcher.trustMaxPoints}}]
           AS closeCollaborators
}
CALL (r) {
  WITH r WHERE 'topics' IN $parts
  OPTIONAL MATCH (r)-[:AUTHORED]->(w:Work)-[:HAS_TOPIC]->(t:Topic)
  WITH t, count(DISTINCT w) AS works
  ORDER BY works DESC, left(coalesce(t.nameKey, toLower(coalesce(t.name, ''))), 300) ASC, t.id ASC
  WITH collect(CASE WHEN t IS NULL THEN null
                    ELSE {topic: t {.id, .name, .subfield, .field, .domain}, worksCount: works, sortName: left(coalesce(t.nameKey, toLower(coalesce(t.name, ''))), 300)} END) AS topics
  RETURN size(topics) AS topicCount,
         [x IN topics WHERE $topicsAfterId IS NULL
            OR x.worksCount < $topicsAfterWorks
            OR (x.worksCount = $topicsAfterWorks AND x.sortName > $topicsAfterName)
            OR (x.worksCount = $topicsAfterWorks AND x.sortName = $topicsAfterName AND x.topic.id > $topicsAfterId)
         ][..$topicsFirst] AS topics,
         [x IN topics[..3] | x.topic.name] AS mainTopics
}
CALL (r) {
  RETURN COUNT { (r)-[:AUTHORED]->(:Work) } AS workCount,
         COUNT { (:User)-[:FOLLOWS]->(r) } AS followerCount,
         EXISTS { (r)<-[:CLAIMS]-(:Claim {status: 'APPROVED'}) } AS claimed
}
CALL (r) {
  OPTIONAL MATCH (viewer:User {id: $viewer}) WHERE 'viewer' IN $parts
  RETURN viewer IS NOT NULL AND EXISTS { (viewer)-[:FOLLOWS]->(r) } AS isFollowing,
         viewer IS NOT NULL AND EXISTS { (viewer)-[:CLAIMANT_OF]->(r) } AS isClaimant,
         viewer IS NOT NULL AND EXISTS { (viewer)-[:CLAIMANT_OF]->(:Researcher) } AS holdsClaim,
         viewer IS NOT NULL AND EXISTS { (viewer)-[:MADE]->(:Claim {status: 'PENDING'})-[:CLAIMS]->(r) } AS pendingClaim,
         viewer IS NOT NULL AND EXISTS { (viewer)-[:MADE]->(:Claim {status: 'REVOKED'})-[:CLAIMS]->(r) } AS revokedClaim,
         viewer IS NOT NULL AND COUNT { (viewer)-[:MADE]->(:Claim {status: 'PENDING'}) } >= $maxPendingClaims AS pendingFull,
         viewer IS NOT NULL AND EXISTS { (viewer)-[:SENT]->(i:Invitation {status: 'PENDING'})-[:TO]->(r)
                                          WHERE i.createdAt > datetime() - duration({days: $invitationDays}) } AS invitationPending,
         viewer IS NOT NULL AND COUNT { (viewer)-[:SENT]->(i:Invitation) WHERE i.createdAt > datetime() - duration('PT24H') }
           >= $invitationsPerDay AS invitationsFull
}
// Why the viewer cannot claim or invite, in the order accounts/claim and accounts/invite check (the first is the
// outcome the action would answer); none: they can. A verified ORCID iD that is the record's passes the pending checks.
WITH *, coalesce(r.orcid = $viewerOrcid, false) AS orcidMatch
WITH *, [reason IN [
           CASE WHEN $viewer IS NULL THEN 'SIGN_IN' END,
           CASE WHEN claimed THEN 'ALREADY_CLAIMED' END,
           CASE WHEN holdsClaim THEN 'VIEWER_HOLDS_CLAIM' END,
           CASE WHEN revokedClaim THEN 'REVOKED_BEFORE' END,
           CASE WHEN pendingClaim AND NOT orcidMatch THEN 'ALREADY_PENDING' END,
           CASE WHEN pendingFull AND NOT orcidMatch THEN 'TOO_MANY_PENDING' END] WHERE reason IS NOT NULL] AS cannotClaim,
        [reason IN [
           CASE WHEN $viewer IS NULL THEN 'SIGN_IN' END,
           CASE WHEN NOT claimed THEN 'NOT_CLAIMED' END,
           CASE WHEN isClaimant THEN 'OWN_RECORD' END,
           CASE WHEN NOT coalesce(r.openToCollaborate, false) THEN 'NOT_OPEN' END,
           CASE WHEN invitationPending THEN 'ALREADY_INVITED' END,
           CASE WHEN invitationsFull THEN 'RATE_LIMITED' END] WHERE reason IS NOT NULL] AS cannotInvite
WITH *, 'affiliations' IN $parts AS withAffiliations, 'collaborators' IN $parts AS withCollaborators,
        'topics' IN $parts AS withTopics, 'viewer' IN $parts AS withViewer
RETURN r {.id, .name, .aliases, .orcid, .openalexId, .bio, .openToCollaborate,
          .trustScore, .trustTier, .verificationLevel,
          .trustKeys, .trustLabels, .trustValues, .trustPoints, .trustMaxPoints} AS researcher,
       CASE WHEN withAffiliations THEN affiliation END AS affiliation,
       CASE WHEN withAffiliations THEN affiliations END AS affiliations, claimed,
       {works: workCount, followers: followerCount, topics: CASE WHEN withTopics THEN topicCount END,
        closeCollaborators: CASE WHEN withCollaborators THEN closeCount END} AS counts,
       CASE WHEN withViewer THEN {isFollowing: isFollowing, cannotClaim: cannotClaim, canClaim: size(cannotClaim) = 0,
        cannotInvite: cannotInvite, canInvite: size(cannotInvite) = 0} END AS viewerState,
       worksPage[..$worksFirst] AS works, size(worksPage) > $worksFirst AS hasNextPage,
       CASE WHEN withCollaborators THEN closeCollaborators END AS closeCollaborators,
       CASE WHEN withTopics THEN topics END AS topics, CASE WHEN withTopics THEN mainTopics END AS mainTopics

// Any node by id, with its kind and the properties the GraphQL types show (not its explore lists: a hub's are 25 KB).
// `props` has the same keys for every kind: those another kind's type shows are null (a work's `bio`, say).
// Parameters: $ids LIST<STRING>.
// Example: bzgraph cypher node --param 'ids=["bzw-arxiv-2105.04319"]'
UNWIND $ids AS nodeId
MATCH (n:Entity {id: nodeId})
WHERE n:Researcher OR n:Work OR n:Topic OR n:Institution
OPTIONAL MATCH (n:Work)-[:PUBLISHED_IN]->(s:Source)
RETURN n.id AS id, [l IN labels(n) WHERE l IN ['Researcher', 'Work', 'Topic', 'Institution']][0] AS label,
       n {.id, .name, .aliases, .orcid, .bio, .openToCollaborate, .trustScore, .trustTier, .verificationLevel, .trustKeys, .trustLabels, .trustValues, .trustPoints, .trustMaxPoints, .title, .year, .type, .abstract, .doi, .arxivId, .language, .citedByCount,
          .subfield, .field, .domain, .country, .ror, date: toString(n.date), venue: s.name} AS props

// Range indexes the named queries filter and sort on.
// Parameters: none. Applied idempotently by `bzgraph db migrate`.
// Example: bzgraph db migrate
CREATE INDEX researcher_orcid IF NOT EXISTS FOR (n:Researcher) ON (n.orcid);
CREATE INDEX work_doi IF NOT EXISTS FOR (n:Work) ON (n.doi);
CREATE INDEX work_arxiv IF NOT EXISTS FOR (n:Work) ON (n.arxivId);
// Titles are free text of any length: a range index entry is limited to about 8 kB, so a title
// index would make one overlong title fail its whole import batch. Earlier versions had one.
DROP INDEX work_year_title IF EXISTS;
CREATE INDEX work_year IF NOT EXISTS FOR (n:Work) ON (n.year);
CREATE INDEX institution_ror IF NOT EXISTS FOR (n:Institution) ON (n.ror);
CREATE INDEX claim_status IF NOT EXISTS FOR (n:Claim) ON (n.status)

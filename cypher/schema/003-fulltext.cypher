// Full-text indexes behind `search`: researcher names and aliases, work titles and abstracts,
// topic and institution names. Parameters: none. Applied idempotently by `bzgraph db migrate`.
// Example: bzgraph db migrate
CREATE FULLTEXT INDEX search_researcher IF NOT EXISTS FOR (n:Researcher) ON EACH [n.name, n.aliasText];
CREATE FULLTEXT INDEX search_work IF NOT EXISTS FOR (n:Work) ON EACH [n.title, n.abstract];
CREATE FULLTEXT INDEX search_topic IF NOT EXISTS FOR (n:Topic) ON EACH [n.name];
CREATE FULLTEXT INDEX search_institution IF NOT EXISTS FOR (n:Institution) ON EACH [n.name]

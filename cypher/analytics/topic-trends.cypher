// Topic trends by year: how many works (and distinct authors) each topic has per publication year.
// Parameters: $topics LIST<STRING>? (topic ids; null: every topic), $fromYear INTEGER?, $toYear INTEGER?
//   (inclusive bounds; null: unbounded). Works without a year are left out.
// Columns: topic, name, year, works, researchers.
// Example: bzgraph cypher analytics/topic-trends --param 'topics=["bzt-adversarial-robustness"]' --param fromYear=2020
MATCH (w:Work)-[:HAS_TOPIC]->(t:Topic)
WHERE ($topics IS NULL OR t.id IN $topics) AND w.year IS NOT NULL
  AND ($fromYear IS NULL OR w.year >= $fromYear) AND ($toYear IS NULL OR w.year <= $toYear)
WITH t, w.year AS year, collect(w) AS works
RETURN t.id AS topic, t.name AS name, year, size(works) AS works,
       COUNT { UNWIND works AS x MATCH (r:Researcher)-[:AUTHORED]->(x) RETURN DISTINCT r } AS researchers
ORDER BY name ASC, topic ASC, year ASC

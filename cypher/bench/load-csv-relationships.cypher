// Benchmark baseline: LOAD CSV of import rows (one relationship type per file), MERGE, in transactions.
// Parameters: $url STRING (file:///TYPE.csv in the server's import dir), $type STRING (AUTHORED,
//   HAS_TOPIC, PUBLISHED_IN, AFFILIATED_WITH or CITES; used as data, not as Cypher text).
//   Columns: start, end, value (position, score or '|'-joined years).
// Example: python bench/import_bench.py --wipe   # runs it on the CSV files it writes (CALL ... IN TRANSACTIONS needs an
//   implicit transaction, which `bzgraph cypher` does not open); destroys all data!
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (a:Entity {id: row.start}), (b:Entity {id: row.end})
  CALL (a, b, row) {
    WITH a, b, row WHERE $type = 'AUTHORED'
    MERGE (a)-[r:AUTHORED]->(b) SET r.position = toInteger(row.value)
  }
  CALL (a, b, row) {
    WITH a, b, row WHERE $type = 'HAS_TOPIC'
    MERGE (a)-[r:HAS_TOPIC]->(b) SET r.score = toFloat(row.value)
  }
  CALL (a, b, row) {
    WITH a, b, row WHERE $type = 'PUBLISHED_IN'
    MERGE (a)-[:PUBLISHED_IN]->(b)
  }
  CALL (a, b, row) {
    WITH a, b, row WHERE $type = 'AFFILIATED_WITH'
    MERGE (a)-[r:AFFILIATED_WITH]->(b)
    SET r.years = [y IN split(coalesce(row.value, ''), '|') WHERE y <> '' | toInteger(y)]
  }
  CALL (a, b, row) {
    WITH a, b, row WHERE $type = 'CITES'
    MERGE (a)-[:CITES]->(b)
  }
} IN TRANSACTIONS OF 1000 ROWS

// Benchmark only: deletes every node and relationship in transactions of 5000 nodes (big graphs).
// Parameters: none. Run in an auto-commit transaction (CALL ... IN TRANSACTIONS).
// Example: python bench/import_bench.py --wipe   # runs it; destroys all data!
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS

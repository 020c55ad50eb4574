// The server's Bolt keep-alive settings. The local server runs with keep-alive for requests OFF: with it on,
// the server asks clients for a receive timeout, and the Python driver then waits on every socket read
// through a timer (about 2.6 times slower streaming of rows; docs/performance.md).
// Parameters: none.
// Example: bzgraph cypher testing/bolt-keep-alive
SHOW SETTINGS YIELD name, value
WHERE name STARTS WITH 'server.bolt.connection_keep_alive'
RETURN name, value
ORDER BY name

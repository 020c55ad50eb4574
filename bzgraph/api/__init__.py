"""GraphQL types and resolvers, one module per domain."""

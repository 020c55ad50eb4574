"""bzgraph: a GraphQL backend for a scholarly knowledge graph on Neo4j."""

__version__ = "0.1.0"

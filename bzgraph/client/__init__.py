"""The notebook client: a bzgraph GraphQL endpoint (and, optionally, its Neo4j) from Python.

    from bzgraph.client import Client
    bz = Client("http://127.0.0.1:8000")
    bz.profile("bzr-leon-bungert").works.items.to_pandas()
    bz.explore("bzr-leon-bungert", depth=2).to_networkx()
    bz.search("nonlinear power").to_pandas()
    bz.cypher("analytics/top-collaborators", id="bzr-leon-bungert").to_pandas()

:class:`AsyncClient` has the same methods as coroutines. The requests are the UI's own operations
(``bzgraph/operations/*.graphql``: copies of the contract's, its Search with paging, and its ResearchGraph with
``crossEdges``). ``cypher`` runs a read-only analyst
query of ``cypher/analytics/`` through the API, or, with ``neo4j_uri=``, straight against Neo4j with
the official driver (any named query, always in a read transaction). pandas and networkx come with
the ``notebook`` extra and are imported only when ``to_pandas`` / ``to_networkx`` are called.

The modules: ``clients`` (the two clients), ``calls`` (the operations they send and how answers are
shaped), ``results`` (the typed results), ``http`` (bodies and answers), ``direct`` (runs on Neo4j),
``values`` (parameters as JSON carries them), ``errors``.
"""

from bzgraph.client.calls import operation
from bzgraph.client.clients import AsyncClient, Client
from bzgraph.client.errors import APIError, TruncatedWarning
from bzgraph.client.results import (
    Affiliation,
    Counts,
    Edge,
    KindTotal,
    Neighbourhood,
    Node,
    Profile,
    Records,
    Rows,
    SearchHit,
    SearchResults,
    Trust,
    ViewerState,
    Work,
    WorksPage,
)

__all__ = ["APIError", "Affiliation", "AsyncClient", "Client", "Counts", "Edge", "KindTotal", "Neighbourhood", "Node",
           "Profile", "Records", "Rows", "SearchHit", "SearchResults", "TruncatedWarning", "Trust", "ViewerState",
           "Work", "WorksPage", "operation"]

"""Warming the database up for the queries requests send, before ``/readyz`` says ready.

A freshly started Neo4j plans its first queries slowly: the profile query took 6 s, longer than a
request may wait (``BZGRAPH_NEO4J_TIMEOUT``), so the first visitors after a restart were answered
``SERVICE_UNAVAILABLE``. At start-up, ``bzgraph serve`` runs each query the API sends once, with
the parameters of its header's example, in a transaction it then rolls back: nothing is written,
and the plans are cached when the first request arrives.
"""

from __future__ import annotations

import logging
import shlex
from typing import Any

from neo4j import exceptions as neo4j_errors

from bzgraph import analytics, queries
from bzgraph.db import Database
from bzgraph.errors import BzgraphError

log = logging.getLogger("bzgraph")

# The queries requests send (the others belong to the importer, the seed loader, tests and benchmarks), warmed
# up in this order: the contract's pages first, so that they answer soonest after a start.
REQUEST_QUERIES = ("profile/researchers", "explore/neighbourhood", "search", "node", "explore/collaboration-path",
                   "graph-counts", "work/", "topic/", "institution/", "profile/", "accounts/", "trust/", "analytics/")


def warm_up_order(names: list[str]) -> list[str]:
    """The request queries among ``names``, in ``REQUEST_QUERIES`` order (then by name)."""
    def rank(name: str) -> int:
        return next(i for i, prefix in enumerate(REQUEST_QUERIES) if name.startswith(prefix))

    return sorted((n for n in names if n.startswith(REQUEST_QUERIES)), key=lambda n: (rank(n), n))


def example_parameters(query: queries.Query) -> dict[str, Any] | None:
    """The ``--param`` values of the header's ``Example: bzgraph cypher ...`` line (JSON when they
    parse, as the command line reads them); None when the header has no such example."""
    for line in query.text.splitlines():
        if not line.startswith("//"):
            break
        _, found, example = line.partition("Example: bzgraph cypher ")
        if not found:
            continue
        words = shlex.split(example.split("  ")[0])
        return dict(parsed for flag, value in zip(words, words[1:])
                    if flag == "--param" and (parsed := queries.parse_param(value)) is not None)
    return None


async def warm_up(db: Database, per_query_seconds: float = 60.0) -> int:
    """Run every request query once, rolled back; return how many ran. Failures are only logged
    (a query that cannot warm up is planned by its first request instead)."""
    warmed = 0
    every = queries.all_queries()
    for name in warm_up_order(list(every)):
        params = example_parameters(every[name])
        if params is None:
            log.info("warm-up: %s has no `Example: bzgraph cypher …` line in its header to take parameters from", name)
            continue
        try:
            if name.startswith(analytics.PREFIX):
                params = analytics.prepare(name, params)  # optional parameters filled with null
            await db.rehearse(name, timeout=per_query_seconds, **params)
            warmed += 1
        except (BzgraphError, neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError, TimeoutError) as exc:
            log.info("warm-up: %s did not run: %s", name, exc)
    return warmed

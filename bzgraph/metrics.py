"""Prometheus metrics (``GET /metrics``): operations, named Cypher queries, requests refused before
GraphQL, the database's state, the heavy-query and write slots, and the process.

Counters and histograms are the process's (one set, whatever apps it builds); the state of a
database is read from it when the metrics are scraped (:class:`ServiceCollector`). Labels take
values from bounded sets only: a query's name comes from ``cypher/``; an operation's name is the
client's, so only the names of :data:`KNOWN_OPERATIONS` and of ``BZGRAPH_METRICS_OPERATIONS`` are
labelled, and any other counts as ``other`` (first come, first labelled, anyone could use up the
labels for good).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from prometheus_client import (CollectorRegistry, Counter, GCCollector, Histogram, PlatformCollector, ProcessCollector,
                               disable_created_metrics)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from bzgraph.errors import BzgraphError

if TYPE_CHECKING:
    from bzgraph.db import Database

OTHER = "other"
# Seconds: from a cached lookup (a millisecond) to a request's longest time (3 × the 5 s timeout).
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0)

disable_created_metrics()  # the `_created` series: twice the lines, and nothing a dashboard uses
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

OPERATIONS = Counter("bzgraph_operations", "GraphQL operations, by name (`-` unnamed, `other` one not "
                     "labelled), type (`-` when the document did not parse) and outcome (`ok`, `error` with "
                     "an error in the answer, `cancelled` when its client hung up)", ["operation", "type", "outcome"],
                     registry=REGISTRY)
OPERATION_ERRORS = Counter("bzgraph_operation_errors", "Errors in GraphQL answers, by operation and error code "
                           "(`extensions.code`), each code counted once per operation", ["operation", "code"],
                           registry=REGISTRY)
OPERATION_SECONDS = Histogram("bzgraph_operation_duration_seconds", "Time to execute a GraphQL operation, "
                              "parsing and its Cypher queries included", ["operation", "type"], buckets=BUCKETS,
                              registry=REGISTRY)
QUERIES = Counter("bzgraph_cypher_queries", "Named Cypher queries run, by name (`cypher/`) and outcome (`ok`, "
                  "the contract's error code, `error`, or `cancelled`)", ["query", "outcome"], registry=REGISTRY)
QUERY_SECONDS = Histogram("bzgraph_cypher_query_duration_seconds", "Time a named query took, from its sending "
                          "(or its wait for a heavy-query or write slot) to its last row; a query of a "
                          "transaction of several until its own last row", ["query"], buckets=BUCKETS,
                          registry=REGISTRY)
REFUSALS = Counter("bzgraph_http_refusals", "Requests refused before GraphQL ran (a body too large or late, "
                   "not JSON, an unknown path, a shutdown, …), by HTTP status and error code",
                   ["status", "code"], registry=REGISTRY)

# The contract's operations (../shared/contract/) and the notebook client's (bzgraph/operations/).
KNOWN_OPERATIONS = frozenset({
    "ProfilePage", "TrustSnapshot", "Collaborators", "ResearchGraph", "Search", "FollowResearcher",
    "UnfollowResearcher", "ClaimResearcher", "ReviewClaim", "InviteToCollaborate",
    "ExploreGraph", "SearchPage", "AnalystQuery",
})
_names: set[str] = set(KNOWN_OPERATIONS)


def label_operations(names: Iterable[str]) -> None:
    """Label these operation names too (``BZGRAPH_METRICS_OPERATIONS``: a UI's own operations)."""
    _names.update(names)


def operation_label(name: str) -> str:
    """``name`` when it is labelled (known, or configured), ``-`` and ``?`` as they are (no name, not
    a GraphQL name), else ``other``: every label value is kept for the process's life."""
    return name if name in _names or name in ("-", "?") else OTHER


def observe_operation(name: str, kind: str, seconds: float, codes: Iterable[str], *, cancelled: bool = False) -> None:
    """Count one operation, its time and the codes of its errors; ``cancelled``: stopped because its
    client hung up (no error of the service's)."""
    label = operation_label(name)
    codes = list(codes)
    OPERATIONS.labels(label, kind, "cancelled" if cancelled else "error" if codes else "ok").inc()
    OPERATION_SECONDS.labels(label, kind).observe(seconds)
    for code in codes:
        OPERATION_ERRORS.labels(label, code).inc()


@contextmanager
def timed_query(name: str) -> Iterator[None]:
    """Count the named query run inside this block, its time and how it ended."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        yield
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    except BzgraphError as exc:
        outcome = exc.code
        raise
    except BaseException:
        outcome = "error"
        raise
    finally:
        QUERIES.labels(name, outcome).inc()
        QUERY_SECONDS.labels(name).observe(time.perf_counter() - started)


def observe_refusal(status: int, code: str) -> None:
    """Count one request refused before GraphQL ran."""
    REFUSALS.labels(str(status), code).inc()


class ServiceCollector(Collector):
    """The state of one app, read when the metrics are scraped: whether it is ready (``/readyz``) and
    the state of its :class:`~bzgraph.db.Database`."""

    def __init__(self, db: Database, ready: Callable[[], bool]) -> None:
        self.db, self.ready = db, ready

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("bzgraph_ready", "1 once the migrations are applied and the request queries "
                                "planned (as `/readyz` says, without asking the database)",
                                value=1.0 if self.ready() else 0.0)
        state = self.db.state()
        yield GaugeMetricFamily("bzgraph_database_available", "1 while the graph database answers with the "
                                "configured credentials; 0 while it is found out of reach or refusing them",
                                value=1.0 if state.available else 0.0)
        yield CounterMetricFamily("bzgraph_database_outages", "Times the graph database was found out of reach "
                                  "since the start", value=state.outages)
        held = GaugeMetricFamily("bzgraph_slots_held", "Heavy-query and write slots held now", labels=["kind"])
        limit = GaugeMetricFamily("bzgraph_slots_limit", "Heavy-query and write slots there are "
                                  "(BZGRAPH_HEAVY_QUERIES; write transactions' share of the connections)",
                                  labels=["kind"])
        for kind, now, size in (("heavy", state.heavy_held, state.heavy_size),
                                ("write", state.write_held, state.write_size)):
            held.add_metric([kind], now)
            limit.add_metric([kind], size)
        yield held
        yield limit


def exposition(service: ServiceCollector, accept: str | None) -> tuple[bytes, str]:
    """The process's metrics and ``service``'s, in the format ``accept`` asks for (Prometheus text,
    or OpenMetrics), and its media type."""
    encoder, media_type = choose_encoder(accept or "")
    live = CollectorRegistry(auto_describe=False)
    live.register(service)
    body = encoder(REGISTRY)
    if body.endswith(b"# EOF\n"):  # OpenMetrics ends once, after every family
        body = body[: -len(b"# EOF\n")]
    return body + encoder(live), media_type

"""The database layer: the one place that talks to Neo4j.

It owns the async driver, runs named queries in managed transactions (retried on transient errors,
routing-ready: one query through ``execute_query``, several through ``execute_read`` /
``execute_write``), counts Cypher round trips and turns driver errors into the contract's error codes.

- ``database``: :class:`Database`, the driver and every call to it (bounds, slots, outages, pings);
- ``transaction``: :class:`Tx`, a managed transaction of named queries, and the plain rows it gives;
- ``request``: what one request's queries share (round trips, deadline, heavy share, commits);
- ``errors``: the driver's errors as the contract's codes, and as its retries should class them;
- ``slots``: at most so many holders at once (heavy queries, writes);
- ``migrations``: the schema of ``cypher/schema/`` applied.
"""

from bzgraph.db.database import (CHECK_MARGIN, CREDENTIALS_RETRY, HEAVY_MIN_SECONDS, POOL_SIZE, PROBE_INTERVAL, WRITE_SLOTS,
                                 Database, DatabaseState)
from bzgraph.db.errors import (UNSURE_MESSAGE, NodeGone, TransactionTooLarge, credentials_refused, decided, driver_errors,
                               retry_rules, unsendable_text)
from bzgraph.db.migrations import migrate
from bzgraph.db.request import (Commits, RoundTrips, commit_under_way, count_round_trips, deadline, extend_deadline_once,
                                request_share, track_commits, work_done)
from bzgraph.db.slots import Slots
from bzgraph.db.transaction import Row, Tx, plain

__all__ = ["CHECK_MARGIN", "CREDENTIALS_RETRY", "HEAVY_MIN_SECONDS", "POOL_SIZE", "PROBE_INTERVAL", "UNSURE_MESSAGE",
           "WRITE_SLOTS", "Commits", "Database", "DatabaseState", "NodeGone", "RoundTrips", "Row", "Slots",
           "TransactionTooLarge", "Tx", "commit_under_way", "count_round_trips", "credentials_refused", "deadline", "decided",
           "driver_errors", "extend_deadline_once", "migrate", "plain", "request_share", "retry_rules", "track_commits", "unsendable_text",
           "work_done"]

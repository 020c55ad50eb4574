"""The database: one async driver per process, and every call to it bounded, counted and mapped.

Named queries run in managed transactions (retried on transient errors, routing-ready: one query
through ``execute_query``, several through ``execute_read`` / ``execute_write``), within the call's
time and the request's deadline, writes within the write slots and heavy queries within theirs; a
database found out of reach answers at once until a ping finds it back.
"""

from __future__ import annotations

import asyncio
import contextvars
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase
from neo4j import exceptions as neo4j_errors

from bzgraph import metrics, queries
from bzgraph.db.errors import LOST, UNAVAILABLE, UNSURE_MESSAGE, credentials_refused, driver_errors, retry_rules, unsendable_text
from bzgraph.db.request import (current_commits, current_share, deadline_within, record_query, request_deadline, track_commits,
                                work_done)
from bzgraph.db.slots import Slots, heavy_turn
from bzgraph.db.transaction import Row, Tx, table_of
from bzgraph.errors import ServiceUnavailable
from bzgraph.settings import Settings

T = TypeVar("T")

# Once a call or a ping found the database out of reach, calls are answered at once instead of each
# waiting the whole timeout (requests would pile up meanwhile); a ping a second tells when it is back.
PROBE_INTERVAL = 1.0
# A connectivity check waits this much longer than the pool's wait for a connection, so that a pool
# with every connection in use (busy) answers first, before the check counts the server out of reach.
CHECK_MARGIN = 1.0
# Once the database refused this service's credentials, requests are answered at once instead of each
# logging in again: Neo4j locks a user out after 3 failed logins in a row, and a server with a wrong
# password, trying on every request, would keep the user locked for every other client (an operator,
# the other replicas). It logs in again at most this often (a request, or a ping of /readyz).
CREDENTIALS_RETRY = 60.0
POOL_SIZE = 50  # connections to the database, per process
# Write transactions may hold at most this many connections at once: writes waiting for a lock (a hot
# researcher, an import's batch) cannot take them all and leave reads waiting behind them.
WRITE_SLOTS = 40
# A heavy query's turn that comes with less of its request's time left than this is given back
# unused (busy): it could not finish, and would hold the turn to fail with a vaguer error.
HEAVY_MIN_SECONDS = 0.1


@dataclass(frozen=True)
class DatabaseState:
    """Whether the database answers (as far as the last call or ping found), how many calls and
    pings found it out of reach, and the slots held (:meth:`Database.state`)."""

    available: bool
    outages: int
    heavy_held: int
    heavy_size: int
    write_held: int
    write_size: int


class Database:
    """One async driver per process; create at start-up, :meth:`close` at shutdown.

    ``settings.neo4j_timeout`` bounds every wait for the database (a connection, the driver's
    retries); one call ends within three times that, or within ``transaction_timeout`` for bulk
    writes whose transactions may run longer, and within the :func:`deadline` of its request (a write
    whose commit was sent by then: within one timeout more, see :meth:`_bounded`)."""

    def __init__(self, settings: Settings, transaction_timeout: float | None = None) -> None:
        self.settings = settings
        self.timeout = settings.neo4j_timeout
        self.call_timeout = transaction_timeout or self.timeout * 3
        self.outages = 0  # calls that could not reach the database: the app prepares again after one
        self._lost_at: float | None = None  # when a call last found the database out of reach
        self._refused_at: float | None = None  # when the database last refused the credentials
        self._watching: asyncio.Task[None] | None = None  # pings in the background (one task at a time)
        self._checking: asyncio.Task[bool] | None = None  # the connectivity check under way (ping), if any
        self.on_back: Callable[[], None] | None = None  # called when the pings find the database again
        self.in_flight = 0  # calls holding (or acquiring) a connection of the pool now
        self._closed = False
        self._write_slots = Slots(WRITE_SLOTS)
        self.heavy_slots = Slots(settings.heavy_queries)
        self.heavy_share = max(1, settings.heavy_queries // 2)  # of them, one request's at once (request_share)
        self.driver = AsyncGraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.neo4j_password_value()),
            connection_timeout=min(2.0, self.timeout),
            connection_acquisition_timeout=self.timeout,
            # Lock conflicts and a lost connection are retried for a timeout (bulk writes: three; the
            # import waits longer for a database it lost, asking it once a second: ingest/load.py).
            max_transaction_retry_time=min(transaction_timeout, self.timeout * 3) if transaction_timeout else self.timeout,
            max_connection_pool_size=POOL_SIZE,
            notifications_min_severity="OFF",
        )

    async def close(self) -> None:
        self._closed = True
        if self._watching is not None:
            # Cancelled, and ended by _closed too: asyncio.wait_for in a ping may swallow a
            # cancellation that meets its own timeout (Python 3.11), and then the loop would go on.
            self._watching.cancel()
            await asyncio.wait({self._watching}, timeout=self.timeout + PROBE_INTERVAL)
        if self._checking is not None:
            self._checking.cancel()
            await asyncio.wait({self._checking}, timeout=self.timeout)
        await self.driver.close()

    async def read(self, name: str, /, *, max_rows: int | None = None, heavy: bool = False,
                   **params: Any) -> list[Row]:
        """Run the named query in a read transaction; return its rows (at most ``max_rows``). A
        ``heavy`` query (its cost follows the graph's shape, not a page size) waits for one of the
        :attr:`heavy_slots`."""
        return (await self.query(name, params, write=False, max_rows=max_rows, heavy=heavy))[1]

    async def read_table(self, name: str, /, *, max_rows: int | None = None, heavy: bool = False,
                         **params: Any) -> tuple[list[str], list[Row]]:
        """Run the named query in a read transaction; return its columns and rows (as :meth:`read`)."""
        return await self.query(name, params, write=False, max_rows=max_rows, heavy=heavy)

    async def write(self, name: str, /, **params: Any) -> list[Row]:
        """Run the named query in a write transaction; return its rows."""
        return (await self.query(name, params, write=True))[1]

    async def query(self, name: str, params: dict[str, Any], *, write: bool,
                    max_rows: int | None = None, heavy: bool = False) -> tuple[list[str], list[Row]]:
        """One named query in its own managed transaction (retried as a whole on transient errors),
        through the driver's ``execute_query``: it sends the transaction's BEGIN with the query, one
        network round trip fewer than a session's ``execute_read``, which awaits the BEGIN first."""
        query = queries.get(name)

        async def table(result: neo4j.AsyncResult) -> tuple[list[str], list[Row]]:
            if write:
                work_done(False)  # an attempt begins (the driver retries transient errors)
            with retry_rules():
                rows = await table_of(result, max_rows)
            if write:
                work_done(True)  # the driver commits next
            return rows

        async def run() -> tuple[list[str], list[Row]]:
            record_query(name)  # counted when sent: not when refused at once while the database is out of reach
            with retry_rules(), unsendable_text(name, params):
                return await self.driver.execute_query(
                    query.text, params, database_=self.settings.neo4j_database, result_transformer_=table,
                    routing_=neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ)

        with metrics.timed_query(name):
            return await self._bounded(run, write=write, heavy=heavy)

    async def rehearse(self, name: str, /, *, timeout: float, **params: Any) -> None:
        """Run the named query once in a transaction that is then rolled back, within ``timeout``
        seconds: nothing is written, and the database has planned it (``bzgraph/warmup.py``).
        The driver's errors are raised as they are (the warm-up only logs them)."""
        async with self.driver.session(database=self.settings.neo4j_database) as session, asyncio.timeout(timeout):
            tx = await session.begin_transaction()
            try:
                await (await tx.run(queries.get(name).text, params)).consume()
            finally:
                # Never committed. A cancelled or failed run has closed the transaction already,
                # and rolling it back again would raise in place of the cancellation.
                if not tx.closed():
                    await tx.rollback()

    async def execute(self, work: Callable[[Tx], Awaitable[T]], *, write: bool) -> T:
        """Run ``work`` (several named queries) in one managed transaction (retried as a whole on
        transient errors). One query alone: :meth:`query`."""

        async def unit(tx: neo4j.AsyncManagedTransaction) -> T:
            if write:
                work_done(False)  # an attempt begins (the driver retries transient errors)
            with retry_rules():
                result = await work(Tx(tx))
            if write:
                work_done(True)  # the driver commits next
            return result

        async def run() -> T:
            async with self.driver.session(
                database=self.settings.neo4j_database,
                bookmark_manager=self.driver.execute_query_bookmark_manager,  # what execute_query uses
            ) as session:
                return await (session.execute_write if write else session.execute_read)(unit)

        return await self._bounded(run, write=write)

    async def _bounded(self, run: Callable[[], Awaitable[T]], *, write: bool, heavy: bool = False) -> T:
        """``run`` (a call of the driver) with the contract's errors, within the call's time and the
        request's deadline, a write within the write slots, a heavy query within the heavy slots.

        A write whose commit was sent when its time ran out gets up to ``timeout`` seconds more for
        the commit's answer: it is not cut off in the middle, where nobody could tell whether it was
        saved. Still unanswered after that, it is ``SERVICE_UNAVAILABLE`` saying it may have been."""
        self._fail_fast()
        commits = current_commits()
        if write and commits is None:
            with track_commits():
                return await self._bounded(run, write=write, heavy=heavy)
        share = current_share()
        slot: contextlib.AbstractAsyncContextManager[Any] = (
            self._write_slots if write else heavy_turn(self.heavy_slots, share) if heavy else contextlib.nullcontext())
        queued = heavy and (self.heavy_slots.full or (share is not None and share.full))  # it waits its turn
        running = False
        with self._outages(), driver_errors():
            # The driver bounds its own waits and retries; this bound guards against a hang
            # (a timeout scope, not wait_for: no extra task per query).
            loop = asyncio.get_running_loop()
            ends = loop.time() + self.call_timeout
            request_ends = request_deadline()

            def out_of_time(bound: asyncio.Timeout) -> None:
                if write and commits is not None and commits.unsure:  # its commit is under way: more time
                    commits.grace = bound
                    bound.reschedule(loop.time() + self.timeout)
                else:
                    if write and commits is not None:
                        commits.cut = True  # its commit, should its work end before the cut lands, is not sent
                    bound.reschedule(loop.time())  # at once

            if write and commits is not None:
                commits.unsure, commits.grace, commits.cut = False, None, False
            try:
                async with asyncio.timeout(None) as bound:
                    timer = loop.call_at(ends if request_ends is None else min(ends, request_ends), out_of_time, bound)
                    try:
                        async with slot:
                            if heavy and deadline_within(HEAVY_MIN_SECONDS):
                                raise TimeoutError  # a turn that came too late to run in: given back unused
                            running = True
                            self.in_flight += 1  # a connection of the pool held
                            try:
                                result = await run()
                            finally:
                                self.in_flight -= 1
                    finally:
                        timer.cancel()
                        if write and commits is not None:
                            commits.grace = None
                if write and commits is not None:
                    commits.unsure = False
                    commits.saved += 1
            except TimeoutError as exc:
                if write and commits is not None and commits.unsure:
                    raise ServiceUnavailable(UNSURE_MESSAGE) from exc
                if heavy and not running and queued:  # waiting for a turn, or given one too late: nothing was sent
                    raise ServiceUnavailable(
                        "the graph database is busy with other large queries (explore at depth 2, collaboration "
                        "paths, analyst queries, graph counts); try again shortly") from None
                if heavy and not running:  # a turn at once, but the request's time was nearly out: nothing was sent
                    raise ServiceUnavailable("this request's time ran out before its large query could start; "
                                             "try again shortly") from None
                raise
            except Exception as exc:
                if write and commits is not None and not isinstance(exc, neo4j_errors.IncompleteCommit):
                    commits.unsure = False  # refused before its commit, or the commit answered with an error
                raise
            self._lost_at = self._refused_at = None
            return result

    def state(self) -> DatabaseState:
        """What the metrics report of this database (``bzgraph/metrics.py``)."""
        return DatabaseState(available=self._lost_at is None and not self._credentials_refused(),
                             outages=self.outages, heavy_held=self.heavy_slots.held, heavy_size=self.heavy_slots.size,
                             write_held=self._write_slots.held, write_size=self._write_slots.size)

    def _credentials_refused(self) -> bool:
        """Whether the database refused the credentials less than ``CREDENTIALS_RETRY`` ago."""
        return self._refused_at is not None and time.monotonic() - self._refused_at < CREDENTIALS_RETRY

    def _fail_fast(self) -> None:
        """While the database is out of reach, or refuses the credentials: ``SERVICE_UNAVAILABLE`` at
        once (:meth:`_watch` ends the first state when the database answers; the second ends after
        ``CREDENTIALS_RETRY``, when a login is tried again)."""
        if self._credentials_refused():
            raise ServiceUnavailable(f"the graph database refused this service's credentials (BZGRAPH_NEO4J_USER, "
                                     f"BZGRAPH_NEO4J_PASSWORD); they are tried again at most every "
                                     f"{CREDENTIALS_RETRY:g} s")
        if self._lost_at is None:
            return
        self._watch()
        raise ServiceUnavailable("the graph database is not available; try again shortly")

    def _watch(self) -> None:
        """Ping the database in the background, then once a second for as long as it is out of reach,
        unless that is under way already."""
        if not self._closed and (self._watching is None or self._watching.done()):
            # a context of its own: not the request's that found the database lost (its deadline has
            # passed, and what the pings start, a preparation again, would inherit it)
            self._watching = asyncio.get_running_loop().create_task(self._pings(), context=contextvars.Context())

    async def _pings(self) -> None:
        while not self._closed:
            if await self.ping():
                if self.on_back is not None and not self._closed:
                    self.on_back()
                return
            if self._lost_at is None:
                return  # it was only busy
            await asyncio.sleep(PROBE_INTERVAL)

    @contextmanager
    def _outages(self) -> Iterator[None]:
        """Counts the calls that could not reach the database (not those it was too busy for)."""
        try:
            yield
        except ServiceUnavailable as exc:
            cause = exc.__cause__
            if credentials_refused(cause):
                self._refused_at = time.monotonic()
            elif isinstance(cause, LOST) and not isinstance(cause, TimeoutError):
                self.outages += 1
                self._lost_at = time.monotonic()
                self._watch()
            elif isinstance(cause, TimeoutError):
                # Out of time: a busy database, or one the driver kept failing to reach until the
                # deadline. A ping tells which (and starts _fail_fast when it is out of reach).
                self._watch()
            raise

    async def ping(self, wait: float | None = None) -> bool:
        """Whether the database answers (the driver's ``verify_connectivity``: a connection opened
        and greeted), for :meth:`_fail_fast` and ``/readyz``. False when it is out of reach (one more
        outage is counted) or refuses the credentials (while they stand refused, without logging in
        again). A database only busy (this service's calls hold every connection) is not taken for
        lost (:meth:`_check`). With ``wait``, the answer comes within that many seconds: a check still
        under way then goes on behind it, and the answer is what the last call or check found."""
        if self._credentials_refused():
            return False
        if self._checking is None or self._checking.done():
            self._checking = asyncio.get_running_loop().create_task(self._check())
        try:
            return await asyncio.wait_for(asyncio.shield(self._checking), wait)
        except TimeoutError:
            return self._lost_at is None and not self._credentials_refused()

    async def _check(self) -> bool:
        """One connectivity check (:meth:`ping`); never raises. No connection free because every one
        is in use (this service's calls hold the whole pool) is busy; a server that does not answer on
        a connection (paused, hung, behind a black hole: the driver's check of an idle connection, or
        this check, runs out of time) is out of reach."""
        try:
            await asyncio.wait_for(self.driver.verify_connectivity(), timeout=self.timeout + CHECK_MARGIN)
        except TimeoutError:
            self.outages += 1
            self._lost_at = time.monotonic()
            return False
        except (*UNAVAILABLE, neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
            if credentials_refused(exc):
                self._refused_at = time.monotonic()
                return False
            if isinstance(exc, neo4j_errors.ConnectionPoolError) and self.in_flight >= POOL_SIZE:
                return self._lost_at is None  # every connection in use: busy, not lost
            # Else the wait was the check of an idle connection that never answered (a paused server).
            self.outages += 1
            self._lost_at = time.monotonic()
            return False
        self._lost_at = self._refused_at = None
        return True

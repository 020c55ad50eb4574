"""The database layer: the one place that talks to Neo4j.

It owns the async driver, runs named queries in managed transactions (retried on transient errors,
routing-ready: one query through ``execute_query``, several through ``execute_read`` /
``execute_write``), counts Cypher round trips and turns driver errors into the contract's error codes.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase
from neo4j import exceptions as neo4j_errors
from neo4j.graph import Node, Path, Relationship

from bzgraph import metrics, queries
from bzgraph.errors import BadUserInput, Conflict, QueryTooComplex, ServiceUnavailable
from bzgraph.settings import Settings
from bzgraph.text import is_unicode, scalars

log = logging.getLogger("bzgraph")
Row = dict[str, Any]
T = TypeVar("T")

# The database out of reach or out of capacity, as opposed to a mistake in this service (the
# driver's other errors, such as ResultConsumedError, stay as they are: INTERNAL). A transient
# error reaches here only once the driver's retries have run out.
_UNAVAILABLE = (
    neo4j_errors.ServiceUnavailable,  # and its kinds: routing, read, write, incomplete commit
    neo4j_errors.SessionExpired,
    neo4j_errors.ConnectionPoolError,  # every connection busy for longer than the timeout
    neo4j_errors.TransientError,  # DatabaseUnavailable, deadlocks, memory pool exhausted, ...
    neo4j_errors.UnsupportedServerProduct,  # the configured address answers, but not as Neo4j
    OSError,
    asyncio.TimeoutError,
)

# Errors that mean the database could not be reached (a restart, a network failure).
_LOST = (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError)
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
_AUTH_RATE_LIMIT = "Neo.ClientError.Security.AuthenticationRateLimit"
POOL_SIZE = 50  # connections to the database, per process
# Write transactions may hold at most this many connections at once: writes waiting for a lock (a hot
# researcher, an import's batch) cannot take them all and leave reads waiting behind them.
WRITE_SLOTS = 40
# A heavy query's turn that comes with less of its request's time left than this is given back
# unused (busy): it could not finish, and would hold the turn to fail with a vaguer error.
HEAVY_MIN_SECONDS = 0.1
# Neo4j's memory for transactions: all of them together past their limit (dbms.memory.transaction.total.max,
# 70 % of the heap), and one past its own (db.memory.transaction.max, which Aura sets). Neo4j 5.26 reports
# both with the first code and names the setting in the message; its documentation lists the second code.
_POOL_OUT_OF_MEMORY = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
_TRANSACTION_OUT_OF_MEMORY = "Neo.ClientError.General.TransactionOutOfMemoryError"
_TRANSACTION_LIMIT = "db.memory.transaction.max"
UNSURE_MESSAGE = ("the graph database did not confirm this change: it may have been saved; read it back before "
                  "sending it again")


class Slots:
    """At most ``size`` holders at once, the others waiting in turn (an :class:`asyncio.Semaphore`
    that also keeps the most holders it has had at once, ``peak``, for tests and benchmarks)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.held = 0
        self.peak = 0
        self._semaphore = asyncio.Semaphore(size)

    async def __aenter__(self) -> None:
        await self._semaphore.acquire()
        self.held += 1
        self.peak = max(self.peak, self.held)

    async def __aexit__(self, *exc_info: object) -> None:
        self.held -= 1
        self._semaphore.release()

    @property
    def full(self) -> bool:
        return self.held >= self.size


@contextlib.asynccontextmanager
async def _heavy_turn(process: Slots, share: Slots | None) -> AsyncIterator[None]:
    """A heavy query's turn: one of its request's share, then one of the process's slots."""
    async with share if share is not None else contextlib.nullcontext():
        async with process:
            yield


_share: contextvars.ContextVar[Slots | None] = contextvars.ContextVar("heavy_share", default=None)


@contextmanager
def request_share(slots: int) -> Iterator[None]:
    """Inside this block (a request), at most ``slots`` of its heavy queries hold or wait for the
    process's slots at once; the rest wait behind them, so that one request of many heavy aliases
    does not queue them all ahead of the requests that come after it."""
    token = _share.set(Slots(slots))
    try:
        yield
    finally:
        _share.reset(token)


@dataclass
class RoundTrips:
    """How many Cypher queries were sent, and which, within one scope (a request, a test)."""

    count: int = 0
    names: list[str] = field(default_factory=list)  # in the order sent (the operation log names them)


_current: contextvars.ContextVar[RoundTrips | None] = contextvars.ContextVar("round_trips", default=None)


@contextmanager
def count_round_trips(join: bool = False) -> Iterator[RoundTrips]:
    """Count the queries sent inside this block (asyncio tasks started in it share the counter);
    with ``join``, inside a block that counts already, count on with that block's counter."""
    counter = _current.get() if join else None
    if counter is not None:
        yield counter
        return
    counter = RoundTrips()
    token = _current.set(counter)
    try:
        yield counter
    finally:
        _current.reset(token)


def _record(name: str) -> None:
    counter = _current.get()
    if counter is not None:
        counter.count += 1
        counter.names.append(name)


_LEAVES = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """A value as ``Record.data()`` gives it (nodes as their properties, relationships as
    ``(start, TYPE, end)``, paths as alternating lists), with exact type checks instead of the
    driver's checks against abstract base classes: a profile row converts in about a tenth of the time."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is dict:
        return {key: plain(item) for key, item in value.items()}
    if kind is list:
        return [plain(item) for item in value]
    if isinstance(value, Node):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, Relationship):
        return (plain(value.start_node), type(value).__name__, plain(value.end_node))
    if isinstance(value, Path):
        out = [plain(value.start_node)]
        for relationship, node in zip(value.relationships, value.nodes[1:]):
            out += [type(relationship).__name__, plain(node)]
        return out
    return value


_ENTITY_NOT_FOUND = "Neo.ClientError.Statement.EntityNotFound"
# The database stopped the transaction (shutting down, an operator's TERMINATE, its own time limit):
# nothing was written, and the same request may succeed later.
_STOPPED = {
    "Neo.ClientError.Transaction.LockClientStopped",  # stopped while waiting for a lock
    "Neo.ClientError.Transaction.Terminated",
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
}


class TransactionTooLarge(neo4j_errors.DriverError):
    """The transaction used more memory than one may (``db.memory.transaction.max``). Not retried:
    it would fail the same way again."""

    def is_retryable(self) -> bool:
        return False


class NodeGone(neo4j_errors.DriverError):
    """A node the transaction had matched was deleted by another one, whose lock it was waiting
    for (Neo4j's ``EntityNotFound`` once the lock is granted). Retryable: the managed transaction
    runs again from the start and sees the graph as it now is (a researcher an import deleted is
    then not found)."""

    def is_retryable(self) -> bool:
        return True


def _too_large() -> QueryTooComplex:
    return QueryTooComplex("this request needs more of the graph database's memory than one transaction may have; "
                           "ask for less at once (a smaller limit, depth, page or import batch)")


_CREDENTIALS_REFUSED = frozenset({"Neo.ClientError.Security.Unauthorized", "Neo.ClientError.Security.CredentialsExpired",
                                  "Neo.ClientError.Security.TokenExpired", _AUTH_RATE_LIMIT})


def credentials_refused(error: BaseException | None) -> bool:
    """Whether the database refused the credentials (or locked the user out); not a missing
    privilege (``Security.Forbidden``), which other credentials would not mend."""
    return isinstance(error, neo4j_errors.ClientError) and error.code in _CREDENTIALS_REFUSED


@dataclass
class Commits:
    """What one request's write transactions came to: ``saved``, how many were committed;
    ``unsure``, from the moment a write's work is done (the driver sends the commit next) until the
    commit is answered: cut off then, its change may or may not be saved. ``grace``: the bound of a
    write given more time for its commit (``Database._bounded``); should the commit fail and the
    driver try the work again, that attempt gets none of it."""

    saved: int = 0
    unsure: bool = False
    grace: asyncio.Timeout | None = None


_commits: contextvars.ContextVar[Commits | None] = contextvars.ContextVar("commits", default=None)


@contextmanager
def track_commits() -> Iterator[Commits]:
    """Track the commits of the writes sent inside this block (a request; see ``bzgraph/shutdown.py``)."""
    commits = Commits()
    token = _commits.set(commits)
    try:
        yield commits
    finally:
        _commits.reset(token)


def commit_under_way() -> bool:
    """Whether a write of the current request has sent its commit and awaits the answer (cutting
    it off now would leave nobody able to tell whether it was saved)."""
    commits = _commits.get()
    return commits is not None and commits.unsure


def _work_done(done: bool) -> None:
    """A write transaction's work is done (its commit comes next), or an attempt begins (the first,
    or a retry after a failed commit: one given more time for its commit ends at once)."""
    commits = _commits.get()
    if commits is None:
        return
    commits.unsure = done
    if not done and commits.grace is not None:
        commits.grace.reschedule(asyncio.get_running_loop().time())


@contextmanager
def driver_errors() -> Iterator[None]:
    """The driver's errors as the contract's: ``CONFLICT`` for a broken constraint,
    ``SERVICE_UNAVAILABLE`` when the database is out of reach, refuses the credentials, has no
    database of the configured name, stops the transaction or fails inside, ``QUERY_TOO_COMPLEX``
    for a transaction past its memory limit."""
    try:
        yield
    except neo4j_errors.ConstraintError as exc:
        raise Conflict("the change conflicts with existing data") from exc
    except neo4j_errors.IncompleteCommit as exc:  # the connection was lost after the commit was sent
        raise ServiceUnavailable(UNSURE_MESSAGE) from exc
    except neo4j_errors.ClientError as exc:
        # A wrong password (AuthError), and Neo4j's lock-out after repeated ones: the service's
        # configuration, not the client's request.
        if exc.code == _AUTH_RATE_LIMIT:
            raise ServiceUnavailable("the graph database refused this service's credentials: it has locked the "
                                     "user out after too many failed logins (a bad password, here or in another "
                                     "client); try again shortly") from exc
        if credentials_refused(exc):
            raise ServiceUnavailable("the graph database refused this service's credentials") from exc
        if exc.code == "Neo.ClientError.Database.DatabaseNotFound":  # BZGRAPH_NEO4J_DATABASE names none
            raise ServiceUnavailable(f"the graph database server has no database of the configured name "
                                     f"(BZGRAPH_NEO4J_DATABASE): {exc.message}") from exc
        if exc.code == _TRANSACTION_OUT_OF_MEMORY:
            raise _too_large() from exc
        if exc.code in _STOPPED:
            raise ServiceUnavailable("the graph database stopped this request's transaction (nothing was "
                                     "changed); try again shortly") from exc
        raise
    except TransactionTooLarge as exc:
        raise _too_large() from exc
    except neo4j_errors.DatabaseError as exc:  # a failure inside the database (one shutting down, say)
        log.info("the graph database failed to run a query: %s: %s", exc.code, exc.message)  # for operators
        raise ServiceUnavailable("the graph database failed to run this request; try again shortly") from exc
    except NodeGone as exc:  # still so after the driver's retries
        raise ServiceUnavailable("the graph database was busy with conflicting writes, also after "
                                 "retrying; try again shortly") from exc
    except TimeoutError as exc:  # this request's time ran out (a busy database, a long wait for locks)
        raise ServiceUnavailable("the graph database did not answer in time; try again shortly") from exc
    except neo4j_errors.TransientError as exc:
        if (exc.code or "").startswith("Neo.TransientError.Transaction."):  # deadlocks, lock waits
            raise ServiceUnavailable("the graph database was busy with conflicting writes, also after "
                                     "retrying; try again shortly") from exc
        if exc.code == _POOL_OUT_OF_MEMORY:
            raise ServiceUnavailable("the graph database had no memory left for this request's queries, also "
                                     "after retrying; try again shortly") from exc
        raise ServiceUnavailable("the graph database is not available; try again shortly") from exc
    except _UNAVAILABLE as exc:
        raise ServiceUnavailable("the graph database is not available; try again shortly") from exc


class Tx:
    """A managed transaction that runs named queries only."""

    def __init__(self, tx: neo4j.AsyncManagedTransaction) -> None:
        self._tx = tx

    async def run(self, name: str, /, *, max_rows: int | None = None, **params: Any) -> list[Row]:
        """The query's rows; with ``max_rows``, at most that many (the rest are discarded unread)."""
        return (await self.table(name, max_rows=max_rows, **params))[1]

    async def table(self, name: str, /, *, max_rows: int | None = None,
                    **params: Any) -> tuple[list[str], list[Row]]:
        """The query's columns (known even when no row comes back) and its rows, as :meth:`run`."""
        query = queries.get(name)
        _record(name)
        with metrics.timed_query(name):
            with unsendable_text(name, params):
                result = await self._tx.run(query.text, params)
            return await _table(result, max_rows)

    async def plan(self, name: str, /, *, run: bool, **params: Any) -> tuple[list[Row], dict[str, Any]]:
        """The query's plan as Neo4j reports it: with ``run``, under PROFILE (the query runs: its rows,
        and each operator's rows and database hits), else under EXPLAIN (planned, not run: no rows)."""
        query = queries.get(name)
        _record(name)
        with unsendable_text(name, params):
            result = await self._tx.run(("PROFILE " if run else "EXPLAIN ") + query.text, params)
        _, rows = await _table(result, None)
        summary = await result.consume()
        return rows, (summary.profile if run else summary.plan) or {}


async def _table(result: neo4j.AsyncResult, max_rows: int | None) -> tuple[list[str], list[Row]]:
    """A result's columns and rows, as plain values (at most ``max_rows``; the rest discarded unread)."""
    rows: list[Row] = []
    async for record in result:
        if len(rows) == max_rows:
            await result.consume()
            break
        rows.append({key: plain(value) for key, value in record.items()})
    return list(result.keys()), rows


@contextmanager
def retry_rules() -> Iterator[None]:
    """Neo4j's errors, classed for the driver's retries: ``EntityNotFound`` as :class:`NodeGone`
    (retried), a transaction past its own memory limit as :class:`TransactionTooLarge` (not retried).
    Applied inside the retry loop to the records (where Neo4j 5.26 reports both); an error of the
    query's RUN under ``execute_query`` is classed only once the driver's retries are over."""
    try:
        yield
    except neo4j_errors.ClientError as exc:
        if exc.code == _ENTITY_NOT_FOUND:
            raise NodeGone(exc.message or "a node was deleted meanwhile") from exc
        raise
    except neo4j_errors.TransientError as exc:
        if exc.code == _POOL_OUT_OF_MEMORY and _TRANSACTION_LIMIT in (exc.message or ""):
            raise TransactionTooLarge(exc.message) from exc
        raise


@contextmanager
def unsendable_text(name: str, params: dict[str, Any]) -> Iterator[None]:
    """A parameter the driver cannot send because it holds text that is not valid Unicode (a lone
    surrogate, in a value or a map key): ``BAD_USER_INPUT`` naming the query. The driver fails
    while packing, before anything is sent, so the connection serves on."""
    try:
        yield
    except (UnicodeEncodeError, TypeError) as exc:
        if isinstance(exc, TypeError) and all(is_unicode(item) for item in scalars(params) if isinstance(item, str)):
            raise
        raise BadUserInput(f"{name}: a parameter is not valid Unicode text") from None


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


def _deadline_within(seconds: float) -> bool:
    """Whether the request's deadline, if any, is less than ``seconds`` away."""
    ends = _deadline.get()
    return ends is not None and ends - asyncio.get_running_loop().time() < seconds


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every query sent inside this block (a request) ends within ``seconds`` of its start, all
    together: past the deadline, ``SERVICE_UNAVAILABLE`` (a write whose commit was sent by then
    gets more time for the commit's answer, :meth:`Database._bounded`)."""
    token = _deadline.set(asyncio.get_running_loop().time() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


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
            # Lock conflicts are retried for as long as one call may take (bulk writes: longer).
            max_transaction_retry_time=transaction_timeout or self.timeout,
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
                _work_done(False)  # an attempt begins (the driver retries transient errors)
            with retry_rules():
                rows = await _table(result, max_rows)
            if write:
                _work_done(True)  # the driver commits next
            return rows

        async def run() -> tuple[list[str], list[Row]]:
            _record(name)  # counted when sent: not when refused at once while the database is out of reach
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
                _work_done(False)  # an attempt begins (the driver retries transient errors)
            with retry_rules():
                result = await work(Tx(tx))
            if write:
                _work_done(True)  # the driver commits next
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
        commits = _commits.get()
        if write and commits is None:
            with track_commits():
                return await self._bounded(run, write=write, heavy=heavy)
        share = _share.get()
        slot: contextlib.AbstractAsyncContextManager[Any] = (
            self._write_slots if write else _heavy_turn(self.heavy_slots, share) if heavy else contextlib.nullcontext())
        queued = heavy and (self.heavy_slots.full or (share is not None and share.full))  # it waits its turn
        running = False
        with self._outages(), driver_errors():
            # The driver bounds its own waits and retries; this bound guards against a hang
            # (a timeout scope, not wait_for: no extra task per query).
            loop = asyncio.get_running_loop()
            ends = loop.time() + self.call_timeout
            request_ends = _deadline.get()

            def out_of_time(bound: asyncio.Timeout) -> None:
                if write and commits is not None and commits.unsure:  # its commit is under way: more time
                    commits.grace = bound
                    bound.reschedule(loop.time() + self.timeout)
                else:
                    bound.reschedule(loop.time())  # at once

            if write and commits is not None:
                commits.unsure, commits.grace = False, None
            try:
                async with asyncio.timeout(None) as bound:
                    timer = loop.call_at(ends if request_ends is None else min(ends, request_ends), out_of_time, bound)
                    try:
                        async with slot:
                            if heavy and _deadline_within(HEAVY_MIN_SECONDS):
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
            self._watching = asyncio.get_running_loop().create_task(self._pings())

    async def _pings(self) -> None:
        while not self._closed:
            if await self.ping() or self._lost_at is None:
                return  # it answers, or it was only busy
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
            elif isinstance(cause, _LOST) and not isinstance(cause, TimeoutError):
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
        except (*_UNAVAILABLE, neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
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


async def migrate(db: Database) -> int:
    """Apply every ``cypher/schema/*`` statement (all idempotent: ``IF NOT EXISTS``, ``IF EXISTS``, awaiting indexes); return how many.

    Schema statements run as auto-commit queries (they cannot share a transaction with data)."""
    applied = 0
    with driver_errors():
        for query in queries.migrations():
            for statement in query.statements:
                _record(query.name)
                async with db.driver.session(database=db.settings.neo4j_database) as session, \
                        asyncio.timeout(db.call_timeout):
                    await (await session.run(statement)).consume()
                applied += 1
    return applied

"""The driver's errors as the contract's codes, and as the driver's retries should class them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from neo4j import exceptions as neo4j_errors

from bzgraph.errors import BadUserInput, Conflict, QueryTooComplex, ServiceUnavailable
from bzgraph.text import is_unicode, scalars

log = logging.getLogger("bzgraph")

# The database out of reach or out of capacity, as opposed to a mistake in this service (the
# driver's other errors, such as ResultConsumedError, stay as they are: INTERNAL). A transient
# error reaches here only once the driver's retries have run out.
UNAVAILABLE = (
    neo4j_errors.ServiceUnavailable,  # and its kinds: routing, read, write, incomplete commit
    neo4j_errors.SessionExpired,
    neo4j_errors.ConnectionPoolError,  # every connection busy for longer than the timeout
    neo4j_errors.TransientError,  # DatabaseUnavailable, deadlocks, memory pool exhausted, ...
    neo4j_errors.UnsupportedServerProduct,  # the configured address answers, but not as Neo4j
    OSError,
    asyncio.TimeoutError,
)

# Errors that mean the database could not be reached (a restart, a network failure).
LOST = (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError)
_AUTH_RATE_LIMIT = "Neo.ClientError.Security.AuthenticationRateLimit"
# Neo4j's memory for transactions: all of them together past their limit (dbms.memory.transaction.total.max,
# 70 % of the heap), and one past its own (db.memory.transaction.max, which Aura sets). Neo4j 5.26 reports
# both with the first code and names the setting in the message; its documentation lists the second code.
_POOL_OUT_OF_MEMORY = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
_TRANSACTION_OUT_OF_MEMORY = "Neo.ClientError.General.TransactionOutOfMemoryError"
_TRANSACTION_LIMIT = "db.memory.transaction.max"
UNSURE_MESSAGE = ("the graph database did not confirm this change: it may have been saved; read it back before "
                  "sending it again")


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


def decided(error: BaseException) -> bool:
    """Whether a ``SERVICE_UNAVAILABLE`` is the database's decision, which waiting does not change (its
    credentials refused, no database of that name, a transaction an operator or a time limit stopped),
    rather than a database lost, restarting or busy."""
    return isinstance(error.__cause__, neo4j_errors.ClientError)


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
    except UNAVAILABLE as exc:
        raise ServiceUnavailable("the graph database is not available; try again shortly") from exc


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



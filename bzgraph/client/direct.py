"""Direct runs of named queries on Neo4j with the official driver (``Client(neo4j_uri=...)``),
checked and reported as the API would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bzgraph import analytics, queries
from bzgraph.client.errors import APIError
from bzgraph.client.results import Data, Records, Rows
from bzgraph.client.values import not_finite, plain
from bzgraph.db import credentials_refused, driver_errors
from bzgraph.errors import BzgraphError, Forbidden, NotFound


def prepare(name: str, params: Data) -> tuple[str, Data]:
    """The text and parameters of a named query for a direct run, checked as the API checks them:
    numpy values made plain, NaN and infinities refused, integers within 64 bits, analyst queries'
    declared parameters."""
    params = plain(params)
    if not_finite(params):
        raise APIError([{"message": "a parameter is NaN or infinite, which the API (JSON) cannot hold either",
                         "extensions": {"code": "BAD_USER_INPUT"}}])
    with errors():
        analytics.check_values(name, params)
        if name.startswith(analytics.PREFIX):
            params = analytics.prepare(name, params)
        try:
            query = queries.get(name)
        except queries.UnknownQuery as exc:
            raise NotFound(str(exc), argument="name") from None
        if query.writes:  # a read transaction refuses most of these, but not TERMINATE TRANSACTIONS
            raise Forbidden("this query changes data or ends others' transactions; direct runs are read-only")
        return query.text, params


@contextmanager
def errors() -> Iterator[None]:
    """Errors of a direct run as ``APIError`` with the codes the API would give."""
    import neo4j.exceptions

    def api_error(code: str, message: str) -> APIError:
        return APIError([{"message": message, "extensions": {"code": code}}])

    try:
        with driver_errors():
            try:
                yield
            except neo4j.exceptions.ClientError as exc:
                if "TransactionTimedOut" in (exc.code or ""):  # the query ran past the client's timeout
                    raise api_error("SERVICE_UNAVAILABLE", "the query did not finish within the client's timeout "
                                                           "(Client(..., timeout=SECONDS))") from exc
                raise
    except BzgraphError as exc:
        if credentials_refused(exc.__cause__):  # the analyst's own credentials, not a service's
            raise api_error("UNAUTHENTICATED", "Neo4j refused the credentials given as neo4j_auth=(user, password)"
                            ) from exc
        raise api_error(exc.code, exc.message) from exc
    except neo4j.exceptions.ClientError as exc:
        if exc.code == "Neo.ClientError.Statement.AccessMode":
            raise api_error("FORBIDDEN", "this query changes data; direct runs are read-only") from exc
        raise api_error("BAD_USER_INPUT", exc.message or str(exc)) from exc
    except neo4j.exceptions.DatabaseError as exc:
        raise api_error("INTERNAL", exc.message or str(exc)) from exc


BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def checked_uri(uri: str | None) -> str | None:
    """A Neo4j address the driver takes (``bolt://…``, ``neo4j://…``), else ``APIError``
    (``BAD_USER_INPUT``): Neo4j Browser's ``http://…:7474`` is not one."""
    if uri is not None and (not isinstance(uri, str) or uri.partition("://")[0].lower() not in BOLT_SCHEMES
                            or not uri.partition("://")[2]):
        raise APIError([{"message": "neo4j_uri must be Neo4j's Bolt address, bolt://HOST:7687 (or neo4j://… for a "
                                    "cluster, +s for TLS), not the browser's http://…:7474",
                         "extensions": {"code": "BAD_USER_INPUT"}}])
    return uri


def driver_options(timeout: float) -> Data:
    """Driver settings that bound the waits of a direct run by the client's ``timeout`` (the query
    itself is bounded by its transaction timeout), quietly. A failed run is not retried: the
    driver's retries wait a back-off past their time budget, so they would overrun the timeout."""
    return {"connection_timeout": timeout, "connection_acquisition_timeout": timeout,
            "max_transaction_retry_time": 0, "notifications_min_severity": "OFF"}


def rows(name: str, keys: list[str], records: list[Any]) -> Rows:
    return Rows(name=name, columns=list(keys),
                rows=Records((analytics.jsonable(r.data()) for r in records), columns=list(keys)))

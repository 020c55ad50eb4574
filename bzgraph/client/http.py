"""The HTTP side: a request's body, an answer's ``data``, a server out of reach as ``APIError``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import orjson

from bzgraph.client.errors import APIError
from bzgraph.client.results import Data
from bzgraph.client.values import not_finite, plain

JSON_HEADERS = {"content-type": "application/json"}


def request_body(document: str, variables: Data | None) -> bytes:
    """The request's JSON (numpy numbers and arrays, as a data frame gives them, included);
    ``APIError`` (``BAD_USER_INPUT``) for what JSON cannot hold (NaN or an infinity, a lone
    surrogate, an object): a missing value must not arrive as null, which can mean "clear it"."""
    variables = plain(variables or {})
    if not_finite(variables):
        raise APIError([{"message": "the request cannot be sent: a variable is NaN or infinite, which JSON cannot hold",
                         "extensions": {"code": "BAD_USER_INPUT"}}])
    try:
        return orjson.dumps({"query": document, "variables": variables})
    except orjson.JSONEncodeError as exc:
        raise APIError([{"message": f"the request cannot be sent: {exc}",
                         "extensions": {"code": "BAD_USER_INPUT"}}]) from None


@contextmanager
def transport_errors(url: str) -> Iterator[None]:
    """A server out of reach (refused, timed out, the connection lost) or slower than the client's
    timeout as ``APIError`` ``SERVICE_UNAVAILABLE``, as a direct run reports a database out of reach."""
    try:
        yield
    except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
        raise APIError([{"message": f"the bzgraph server at {url} did not answer within the client's timeout "
                                    "(Client(..., timeout=SECONDS))", "extensions": {"code": "SERVICE_UNAVAILABLE"}}]
                       ) from exc
    except httpx.TransportError as exc:
        raise APIError([{"message": f"the bzgraph server at {url} cannot be reached: {exc!r}",
                         "extensions": {"code": "SERVICE_UNAVAILABLE"}}]) from exc


def graphql_url(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/graphql") else url + "/graphql"


def answer_data(response: httpx.Response) -> Data:
    """The ``data`` of an answer; ``APIError`` for GraphQL errors, also when they come with an
    HTTP error status (a refused body, an unknown path)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not ("errors" in body or "data" in body):
        response.raise_for_status()
        raise APIError([{"message": f"not a GraphQL answer (HTTP {response.status_code})"}])
    if body.get("errors") or body.get("data") is None:
        raise APIError(body.get("errors") or [])
    return body["data"]

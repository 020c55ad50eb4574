"""The HTTP side: the server's address and the token checked, a request's body, an answer's ``data``,
a server out of reach as ``APIError``."""

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


def _api_error(message: str, code: str = "BAD_USER_INPUT") -> APIError:
    return APIError([{"message": message, "extensions": {"code": code}}])


def shown(url: str) -> str:
    """``url`` as messages show it: without a user name or password."""
    try:
        return str(httpx.URL(url).copy_with(userinfo=b""))
    except httpx.InvalidURL:
        return "the address given"


def graphql_url(url: str) -> str:
    """The endpoint of a server's address (its root, or its ``/graphql``); ``APIError``
    (``BAD_USER_INPUT``) for an address that is not ``http(s)://host...``."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise _api_error(f"{shown(url) if isinstance(url, str) and url else repr(url)} is not a bzgraph server's address: give "
                       "it as http://HOST:PORT (or https://…), e.g. http://127.0.0.1:8000")
    url = url.rstrip("/")
    return url if url.endswith("/graphql") else url + "/graphql"


def checked_token(token: str) -> str:
    """A bearer token as it may be sent: without the white space around it (a token read from a
    file ends in a line break); ``APIError`` (``BAD_USER_INPUT``) for characters a header cannot
    carry. The token itself is never repeated in a message."""
    token = token.strip() if isinstance(token, str) else ""
    if not token or not all(" " < c < "\x7f" for c in token):
        raise _api_error("the token is not a bearer token: it is empty or holds characters an HTTP header cannot "
                       "carry (white space, control characters, non-ASCII)")
    return token


@contextmanager
def transport_errors(url: str) -> Iterator[None]:
    """A server out of reach (refused, timed out, the connection lost) or slower than the client's
    timeout as ``APIError`` ``SERVICE_UNAVAILABLE``, as a direct run reports a database out of reach;
    a request that cannot be sent as given is ``BAD_USER_INPUT`` (retrying will not help)."""
    try:
        yield
    except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
        raise _api_error(f"the bzgraph server at {shown(url)} did not answer within the client's timeout "
                       "(Client(..., timeout=SECONDS))", "SERVICE_UNAVAILABLE") from exc
    except (httpx.LocalProtocolError, httpx.UnsupportedProtocol) as exc:
        raise _api_error(f"the request to {shown(url)} cannot be sent as given ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise _api_error(f"the bzgraph server at {shown(url)} cannot be reached ({type(exc).__name__}: {exc})",
                       "SERVICE_UNAVAILABLE") from exc


UNAVAILABLE_STATUSES = frozenset({429, 502, 503, 504})  # a proxy's "busy" and "no server behind me"


def answer_data(response: httpx.Response) -> Data:
    """The ``data`` of an answer; ``APIError`` for GraphQL errors, also when they come with an
    HTTP error status (a refused body, an unknown path), and for an answer that is no GraphQL
    answer (a proxy's error page: ``SERVICE_UNAVAILABLE`` for 429, 502, 503 and 504, when no server
    answered behind it; else ``INTERNAL``)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not ("errors" in body or "data" in body):
        status = response.status_code
        code = "SERVICE_UNAVAILABLE" if status in UNAVAILABLE_STATUSES else "INTERNAL"
        raise _api_error(f"not a GraphQL answer from {shown(str(response.request.url))} (HTTP {status} "
                       f"{response.reason_phrase}): is a proxy in front of the server, or another service at "
                       "this address?", code)
    if body.get("errors") or body.get("data") is None:
        raise APIError(body.get("errors") or [])
    return body["data"]

"""The error codes of the contract, and the masking of everything else.

Every error a client sees carries ``extensions.code``. Resolvers raise the subclasses of
:class:`BzgraphError`; anything else becomes ``INTERNAL`` with a masked message.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError


class BzgraphError(Exception):
    """An error meant for the client: its message is safe to show."""

    code = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class BadUserInput(BzgraphError):
    code = "BAD_USER_INPUT"


class Unauthenticated(BzgraphError):
    code = "UNAUTHENTICATED"


class Forbidden(BzgraphError):
    code = "FORBIDDEN"


class NotFound(BzgraphError):
    code = "NOT_FOUND"


class Conflict(BzgraphError):
    code = "CONFLICT"


class RateLimited(BzgraphError):
    """A limit on how often an account may act. Its own code, as issue 5 asks of the invitation
    limit (the one code beyond the contract's list); ``extensions.retryAfter`` gives the seconds
    until the action is allowed again."""

    code = "RATE_LIMITED"


class QueryTooComplex(BzgraphError):
    """A request that asks for more than one request may have (here: more database memory than a
    transaction may use); the limits of documents answer with the same code."""

    code = "QUERY_TOO_COMPLEX"


class ServiceUnavailable(BzgraphError):
    code = "SERVICE_UNAVAILABLE"


INTERNAL_MESSAGE = "Internal error"

# What graphql-core says of a value a resolver gave that the field's type cannot show.
_UNSHOWABLE = ("cannot represent", "Cannot return null for non-nullable field")


def unshowable(error: GraphQLError) -> bool:
    """Whether ``error`` is a value the server holds that the schema's type cannot show (an Int past
    32 bits, a null in a non-null field): the server's fault, not the request's (``INTERNAL``). Only
    execution, which has a path, completes values; a request's own values are checked before it."""
    return error.path is not None and any(marker in error.message for marker in _UNSHOWABLE)


# What Strawberry's limit extensions (depth, aliases, tokens) and graphql-core's introspection
# depth rule say when they reject a document.
_TOO_COMPLEX = ("exceeds maximum operation depth", "aliases found. Allowed", "tokens. Parsing aborted",
                "Maximum introspection depth exceeded", "is nested too deeply")


_PYTHON_NONE = re.compile(r"(non-null type '[^']*' not to be )None\.")


def to_graphql_error(error: GraphQLError) -> GraphQLError:
    """Give ``error`` a code; mask anything that is not a :class:`BzgraphError`."""
    original = error.original_error
    extensions = dict(error.extensions or {})
    if isinstance(original, BzgraphError):
        extensions.update(original.extensions)
        extensions["code"] = original.code
        message = original.message
    elif unshowable(error):
        extensions = {"code": "INTERNAL"}
        message = INTERNAL_MESSAGE
    elif original is None or isinstance(original, GraphQLError):
        # Parse, validation and variable errors from graphql-core, and the limit extensions.
        too_complex = any(marker in error.message for marker in _TOO_COMPLEX)
        message = error.message
        if message == "Validation aborted.":  # graphql-core's validation budget ran out (or its recursion)
            too_complex, message = True, "The document is too complex to validate."
        # graphql-core speaks Python of a null given for a non-null argument or variable
        message = _PYTHON_NONE.sub(r"\1null.", message)
        extensions.setdefault("code", "QUERY_TOO_COMPLEX" if too_complex else "BAD_USER_INPUT")
    else:
        extensions = {"code": "INTERNAL"}
        message = INTERNAL_MESSAGE
    return GraphQLError(message, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path, extensions=extensions)

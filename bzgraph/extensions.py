"""Schema extensions: round-trip accounting, and refusing requests with a bad token."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from bzgraph.db import RoundTrips, count_round_trips
from bzgraph.errors import ServiceUnavailable, Unauthenticated


class CypherRoundTrips(SchemaExtension):
    """Counts the Cypher queries one operation sends; reports ``extensions.cypherRoundTrips``."""

    def on_operation(self) -> Iterator[None]:
        with count_round_trips() as counter:
            self._counter: RoundTrips = counter
            yield

    def get_results(self) -> dict[str, int]:
        counter = getattr(self, "_counter", None)
        return {"cypherRoundTrips": counter.count if counter else 0}


class RejectInvalidToken(SchemaExtension):
    """A request that presented a bearer token which failed verification is answered
    ``UNAUTHENTICATED`` (``SERVICE_UNAVAILABLE`` when the identity provider's keys were out of
    reach) before anything runs; a request without a token is anonymous."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        reason = getattr(context, "auth_error", None)
        if reason:
            kind = ServiceUnavailable if getattr(context, "auth_unavailable", False) else Unauthenticated
            error = GraphQLError(reason, original_error=kind(reason))
            self.execution_context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield

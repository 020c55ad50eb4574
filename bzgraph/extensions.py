"""Schema extensions: round-trip accounting, refusing requests with a bad token or without the
operation name a document needs, and a validation cache keyed by document identity."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from bzgraph.db import RoundTrips, count_round_trips
from bzgraph.errors import ServiceUnavailable, Unauthenticated


class CypherRoundTrips(SchemaExtension):
    """Counts the Cypher queries one operation sends; reports ``extensions.cypherRoundTrips``.
    Over HTTP the count covers the whole request (the app counts from its start, so the account
    written on a token's first request counts too)."""

    def on_operation(self) -> Iterator[None]:
        with count_round_trips(join=True) as counter:
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


class RequireOperationName(SchemaExtension):
    """A document with several operations needs ``operationName`` (the GraphQL spec's
    GetOperation); Strawberry would otherwise run the first one. ``BAD_USER_INPUT``."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # Strawberry's public `operation_name` falls back to the first operation's name.
        if (context.result is None and document is not None and context._provided_operation_name is None
                and sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) > 1):
            error = GraphQLError("Must provide operationName if the query contains several operations.")
            context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield


class DocumentValidationCache(SchemaExtension):
    """Validation results cached by the parsed document's identity.

    ``ParserCache`` hands out the same document object for the same query text, so the document
    itself can be the key; Strawberry's ``ValidationCache`` hashes the whole syntax tree on every
    request instead (about 60 µs for the profile page). The documents are kept with their results,
    so an id in a key cannot be reused while it is cached.
    """

    maxsize = 256
    _results: OrderedDict[tuple[int, ...], tuple[Any, list[GraphQLError]]] = OrderedDict()

    def on_validate(self) -> Iterator[None]:
        from strawberry.schema.schema import validate_document

        context = self.execution_context
        schema, document, rules = context.schema._schema, context.graphql_document, context.validation_rules
        key = (id(schema), id(document), *map(id, rules))
        hit = self._results.get(key)
        if hit is None:
            hit = self._results[key] = ((schema, document, tuple(rules)),
                                        validate_document(schema, document, rules))
            if len(self._results) > self.maxsize:
                self._results.popitem(last=False)
        else:
            self._results.move_to_end(key)
        context.pre_execution_errors = hit[1]
        yield

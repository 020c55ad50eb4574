"""Schema extensions: round-trip accounting, a log line and metrics per operation, refusing requests with a bad
token or without the operation name a document needs, and a cache of parsed and validated documents
bounded by their length."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (DocumentNode, GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, SelectionSetNode, Source,
                     parse)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from bzgraph import metrics
from bzgraph.db import RoundTrips, count_round_trips
from bzgraph.errors import BadUserInput, ServiceUnavailable, to_graphql_error
from bzgraph.middleware import client_gone

log = logging.getLogger("bzgraph.operations")
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")  # a GraphQL name, as logged


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


class OperationLog(SchemaExtension):
    """One log line and the metrics (``bzgraph/metrics.py``) per operation. The line, in logfmt: its
    name (or, unnamed, a hash of its document), its type, how long it took, its Cypher round trips
    and its error codes; at WARNING when it took ``slow_seconds`` or more, else at INFO, and then with
    the named queries it ran (what ``bzgraph cypher NAME --profile`` looks into). Variables are never
    logged (they may be personal)."""

    def __init__(self, *, slow_seconds: float) -> None:
        super().__init__()
        self.slow_seconds = slow_seconds

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        failure: BaseException | None = None
        with count_round_trips(join=True) as counter:
            before = len(counter.names)
            try:
                yield
            except BaseException as exc:  # a document that does not parse, an operation name it lacks, a cancellation
                failure = exc
                raise
            finally:
                seconds = time.perf_counter() - started
                gone = isinstance(failure, asyncio.CancelledError) and self._client_gone()
                name, kind, codes = self._name(), self._kind(), [] if gone else self._codes(failure)
                metrics.observe_operation(name, kind, seconds, codes, cancelled=gone)
                level = logging.WARNING if seconds >= self.slow_seconds else logging.INFO
                if log.isEnabledFor(level):
                    line = (f"operation={name}{self._document(name)} type={kind} ms={seconds * 1000:.1f} "
                            f"cypher={len(counter.names) - before} codes={','.join(codes) or '-'}"
                            + (" cancelled=client-gone" if gone else ""))
                    if level == logging.WARNING:
                        line += f" slow=true queries={','.join(counter.names[before:]) or '-'}"
                    log.log(level, "%s", line)

    def _client_gone(self) -> bool:
        request = getattr(self.execution_context.context, "request", None)
        return request is not None and client_gone(request.scope)

    def _name(self) -> str:
        """The operation's name; ``-`` for none, ``?`` for one that is no GraphQL name (the client's
        text is not written into the log or the metrics)."""
        context = self.execution_context
        name = context._provided_operation_name or _single_operation_name(context.graphql_document)
        if name is None:
            return "-"
        return name if _NAME.fullmatch(name) else "?"

    def _document(self, name: str) -> str:
        """For an unnamed operation (``name`` ``-``), a hash of its document (the log tells such
        documents apart)."""
        query = self.execution_context.query
        return f" document={hashlib.sha256(query.encode()).hexdigest()[:12]}" if name == "-" and query else ""

    def _kind(self) -> str:
        try:
            return self.execution_context.operation_type.value
        except RuntimeError:  # no document (it did not parse), or no operation of that name
            return "-"

    def _codes(self, failure: BaseException | None) -> list[str]:
        """The codes of the answer's errors, each once, sorted."""
        context = self.execution_context
        errors = list(context.result.errors or []) if context.result is not None else []
        if failure is not None:
            errors.append(failure if isinstance(failure, GraphQLError)
                          else GraphQLError(str(failure), original_error=_client_error(failure)))
        return sorted({(to_graphql_error(e).extensions or {})["code"] for e in errors})


def _client_error(failure: BaseException) -> Exception:
    """What the app answers for an error raised through the operation: an operation the document
    lacks is the client's mistake (``BAD_USER_INPUT``, ``bzgraph/app.py``); an operation cancelled (at
    shutdown) is answered ``SERVICE_UNAVAILABLE`` (``bzgraph/shutdown.py``)."""
    if isinstance(failure, (CannotGetOperationTypeError, InvalidOperationTypeError, MissingQueryError)):
        return BadUserInput(str(failure))
    if isinstance(failure, asyncio.CancelledError):
        return ServiceUnavailable("cancelled")
    return failure if isinstance(failure, Exception) else ServiceUnavailable(type(failure).__name__)


def _single_operation_name(document: DocumentNode | None) -> str | None:
    """The name of a document's operation, when it has exactly one."""
    operations = [d for d in (document.definitions if document else ()) if isinstance(d, OperationDefinitionNode)]
    return operations[0].name.value if len(operations) == 1 and operations[0].name else None


class RejectInvalidToken(SchemaExtension):
    """A request that presented a bearer token which failed verification is answered
    ``UNAUTHENTICATED`` (``SERVICE_UNAVAILABLE`` when the identity provider's keys were out of
    reach; ``BAD_USER_INPUT`` for more than one ``Authorization`` header) before anything runs; a
    request without a token is anonymous."""

    def on_execute(self) -> Iterator[None]:
        failure = getattr(self.execution_context.context, "auth_error", None)
        if failure is not None:
            error = GraphQLError(failure.message, original_error=failure)
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


def _parsed(text: str, **options: Any) -> DocumentNode:
    """``text`` parsed, as the spec's grammar says: graphql-core takes an empty selection set
    (``query { }``) for one with nothing to select; the spec's ``SelectionSet`` holds at least one
    selection, so such a document is a syntax error where its ``}`` stands."""
    document = parse(text, **options)
    stack: list[Any] = list(reversed(document.definitions))  # popped in the text's order: the first is reported
    while stack:
        node = stack.pop()
        selections = getattr(node, "selection_set", None)
        if not isinstance(selections, SelectionSetNode):
            continue
        if not selections.selections:
            end = selections.loc.end - 1 if selections.loc is not None else 0
            source = document.loc.source if document.loc is not None else Source(text)
            raise GraphQLSyntaxError(source, end, "Expected Name, found '}'.")
        stack.extend(reversed(selections.selections))
    return document


@dataclass
class _Cached:
    """A parsed document and its validation results, per (schema, rules) by identity; the schema
    and rules are kept with their results, so the ids in a key cannot be reused while it is cached."""

    document: DocumentNode
    size: int
    results: dict[tuple[int, ...], tuple[Any, list[GraphQLError]]] = field(default_factory=dict)


class DocumentCache(SchemaExtension):
    """Parsed documents and their validation results, cached by the query's text.

    One look-up per request: Strawberry's ``ParserCache`` and ``ValidationCache`` would hash the text,
    then the whole syntax tree (about 60 µs for the profile page). Only documents that validate are
    kept (a refused one's errors can take far more memory than its text: 120 KB for 205 characters),
    and the cache is bounded by the kept texts' total length, not their number: a parsed document
    (its nodes and token chain) takes about 75 times its text in memory, so ``budget`` characters hold
    about 40 MB at most, whether clients send many long documents or the contract's short ones
    (about 1 KB each: 500 of them).
    """

    budget = 500_000
    _cache: OrderedDict[tuple[str, tuple[tuple[str, Any], ...]], _Cached] = OrderedDict()
    _size = 0

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        key = (context.query or "", tuple(sorted(context.parse_options.items())))
        cached = self._cache.get(key)
        if cached is None:
            cached = _Cached(_parsed(context.query or "", **context.parse_options), len(key[0]))  # may raise: not cached
            self._store(key, cached)
        else:
            self._cache.move_to_end(key)
        self._cached, self._key = cached, key
        context.graphql_document = cached.document
        yield

    def on_validate(self) -> Iterator[None]:
        from strawberry.schema.schema import validate_document

        context = self.execution_context
        schema, document, rules = context.schema._schema, context.graphql_document, context.validation_rules
        assert document is not None  # parsed, or the request ended before validation
        key = (id(schema), *map(id, rules))
        cached = getattr(self, "_cached", None)
        hit = cached.results.get(key) if cached is not None and cached.document is document else None
        if hit is None:
            hit = ((schema, tuple(rules)), validate_document(schema, document, rules))
            if cached is not None and cached.document is document:
                cached.results[key] = hit
                if hit[1]:
                    self._evict(self._key)
        context.pre_execution_errors = hit[1]
        yield

    @classmethod
    def _evict(cls, key: tuple[str, tuple[tuple[str, Any], ...]]) -> None:
        evicted = cls._cache.pop(key, None)
        if evicted is not None:
            cls._size -= evicted.size

    @classmethod
    def _store(cls, key: tuple[str, tuple[tuple[str, Any], ...]], cached: _Cached) -> None:
        cls._cache[key] = cached
        cls._size += cached.size
        while cls._size > cls.budget and len(cls._cache) > 1:  # the least recently used go first
            _, evicted = cls._cache.popitem(last=False)
            cls._size -= evicted.size

"""The GraphQL schema, assembled from the domain modules in ``bzgraph.api``."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from bzgraph.api.graph import GraphQuery
from bzgraph.api.profile import ProfileQuery
from bzgraph.extensions import CypherRoundTrips


@strawberry.type
class Query(ProfileQuery, GraphQuery):
    """Every read a client can make."""


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        config=StrawberryConfig(auto_camel_case=True),
        extensions=[
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            CypherRoundTrips,
        ],
    )


schema = build_schema()


def sdl() -> str:
    """The schema as SDL, exactly as checked in to ``schema.graphql``."""
    return schema.as_str().rstrip("\n") + "\n"

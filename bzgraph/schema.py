"""The GraphQL schema, assembled from the domain modules in ``bzgraph.api``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import graphql
import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from bzgraph import defaults
from bzgraph.api.accounts import AccountsMutation, AccountsQuery
from bzgraph.api.analytics import MAX_ROWS as ANALYST_MAX_ROWS
from bzgraph.api.analytics import AnalyticsQuery
from bzgraph.api.explore import CROSS_EDGES_MAX, MAX_LIMIT, ExploreQuery
from bzgraph.api.graph import GraphQuery
from bzgraph.api.inputs import MAX_IDS, MAX_PAGE
from bzgraph.api.profile import ProfileQuery
from bzgraph.api.works import AUTHORS_MAX
from bzgraph.api.search import SearchQuery
from bzgraph.cost import query_cost_limit
from bzgraph.errors import BzgraphError, unshowable
from bzgraph.execution import PlannedExecutionContext
from bzgraph.extensions import CypherRoundTrips, DocumentCache, OperationLog, RejectInvalidToken, RequireOperationName
from bzgraph.limits import alias_limit, depth_limit
from bzgraph.settings import Settings, get_settings


@strawberry.type(description="Every read a client can make.")
class Query(ProfileQuery, ExploreQuery, SearchQuery, AccountsQuery, GraphQuery, AnalyticsQuery):
    """Every read a client can make."""


@strawberry.type(description="Every change a client can make; each needs a signed-in viewer.")
class Mutation(AccountsMutation):
    """Every change a client can make; each needs a signed-in viewer."""


class Schema(strawberry.Schema):
    """Logs only unexpected errors: a client's mistake is answered, not logged as a failure."""

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        unexpected = [e for e in errors if unshowable(e) or (e.original_error is not None
                      and not isinstance(e.original_error, (BzgraphError, GraphQLError)))]
        super().process_errors(unexpected, execution_context)


def build_schema(execution_context_class: type | None = PlannedExecutionContext,
                 settings: Settings | None = None) -> strawberry.Schema:
    """The schema with the document limits of ``settings`` (default: the process's settings);
    ``execution_context_class=None`` executes with Strawberry's stock context."""
    limits = settings or get_settings()
    # The depth, alias and cost rules are built once: the validation cache is keyed by the rule classes,
    # and a limiter built per request would bring new classes each time and never hit the cache.
    rules: list[type[ASTValidationRule]] = [depth_limit(limits.max_query_depth), alias_limit(limits.max_aliases),
             query_cost_limit(limits.max_query_cost, {"first": MAX_PAGE, "limit": MAX_LIMIT, "ids": MAX_IDS},
                              {"CypherRows.rows": ANALYST_MAX_ROWS},
                              {"Subgraph.crossEdges": CROSS_EDGES_MAX, "Work.authors": AUTHORS_MAX})]
    schema = Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=execution_context_class,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: AddValidationRules(rules),
            DocumentCache,
            CypherRoundTrips,
            lambda: OperationLog(slow_seconds=limits.slow_operation_seconds),
            RejectInvalidToken,
            RequireOperationName,
        ],
    )
    defaults.apply_to_schema(schema._schema)
    return schema


@cache
def default_schema() -> strawberry.Schema:
    """The schema with the process's settings, built on first use (importing this module reads no
    setting: ``create_app(settings)`` builds its own)."""
    return build_schema()


@dataclass(frozen=True)
class SchemaChanges:
    """What a schema changed against an older one, as graphql-core classes it: ``breaking`` fails a
    client written against the old one (a field removed, made nullable, an argument made
    required); ``dangerous`` may change what it sees (an enum value added, an argument's default
    changed; graphql-core counts a default given where there was none as safe)."""

    breaking: list[str]
    dangerous: list[str]


def changes_since(old_sdl: str) -> SchemaChanges:
    """The changes from the schema ``old_sdl`` describes to the one the code makes now."""
    old, new = graphql.build_schema(old_sdl), default_schema()._schema
    return SchemaChanges(breaking=[change.description for change in graphql.find_breaking_changes(old, new)],
                         dangerous=[change.description for change in graphql.find_dangerous_changes(old, new)])


def sdl() -> str:
    """The schema as SDL, exactly as checked in to ``schema.graphql`` (no setting changes it)."""
    return default_schema().as_str().rstrip("\n") + "\n"

"""``Query.cypher``: run a named, read-only analyst query (``cypher/analytics/``) through the API."""

from __future__ import annotations

from typing import Annotated

import strawberry
from neo4j import exceptions as neo4j_errors
from strawberry.scalars import JSON
from strawberry.types import Info

from bzgraph import analytics
from bzgraph.context import Context
from bzgraph.errors import BadUserInput

MAX_ROWS = 5000


@strawberry.type(description="The rows of an analyst query, in the query's order.")
class CypherRows:
    name: str = strawberry.field(description="the analyst query that ran")
    columns: list[str] = strawberry.field(description="the query's column names, in its order")
    rows: list[JSON] = strawberry.field(description="one JSON object per row, keyed by column")
    truncated: bool = strawberry.field(description=f"true when more than {MAX_ROWS} rows were found")


@strawberry.type(description="An analyst query of the library, with its header.")
class AnalystQuery:
    name: str = strawberry.field(description="what `cypher` takes as `name`, e.g. `analytics/top-collaborators`")
    purpose: str = strawberry.field(description="the first sentence of the query's header")
    parameters: list[str] = strawberry.field(description="declared parameters, `?` marking optional ones")


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(description="Run a read-only analyst query of `cypher/analytics/` by name, e.g. "
                                  "`analytics/top-collaborators` with params `{\"id\": \"…\"}`.")
    async def cypher(self, info: Info[Context, None], name: Annotated[str, strawberry.argument(description="an analyst query, e.g. analytics/top-collaborators (see analystQueries)")],
                     params: Annotated[JSON | None, strawberry.argument(description="its parameters, as a JSON object")] = None) -> CypherRows | None:
        if params is not None and not isinstance(params, dict):
            raise BadUserInput("`params` must be a JSON object", argument="params")
        prepared = analytics.prepare(name, params)
        try:
            columns, rows = await info.context.db.read_table(name, max_rows=MAX_ROWS + 1, heavy=True, **prepared)
        except neo4j_errors.ClientError as exc:
            raise BadUserInput(f"{name} cannot run with these parameters", argument="params") from exc
        return CypherRows(name=name, columns=columns, rows=[analytics.jsonable(r) for r in rows[:MAX_ROWS]],
                          truncated=len(rows) > MAX_ROWS)

    @strawberry.field(description="The analyst queries `cypher` can run, with their purpose and parameters.")
    def analyst_queries(self) -> list[AnalystQuery]:
        return [AnalystQuery(name=name, purpose=q.purpose,
                             parameters=[p.name + ("?" if p.optional else "") for p in analytics.parameters(q)])
                for name, q in analytics.catalogue().items()]

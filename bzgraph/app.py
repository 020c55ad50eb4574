"""The Starlette application: ``POST /graphql``, ``GET /healthz``, ``GET /readyz``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from bzgraph.context import Context
from bzgraph.db import Database
from bzgraph.errors import to_graphql_error
from bzgraph.schema import schema
from bzgraph.settings import Settings, get_settings


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view, with our context and our error codes on every error."""

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        from bzgraph import auth

        context = Context(request=request, db=request.app.state.db)
        await auth.authenticate(context, request.headers.get("authorization"))
        return context

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:  # type: ignore[override]
        data: dict[str, Any] = {"data": result.data}
        if result.errors:
            data["errors"] = [to_graphql_error(error).formatted for error in result.errors]
        if result.extensions:
            data["extensions"] = result.extensions
        return data  # type: ignore[return-value]


async def healthz(request: Request) -> JSONResponse:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """The database answers (503 while it does not)."""
    db: Database = request.app.state.db
    if await db.ping():
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "unavailable", "code": "SERVICE_UNAVAILABLE"}, status_code=503)


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; the driver is created at start-up and closed at shutdown."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.db = Database(settings)
        try:
            yield
        finally:
            await app.state.db.close()

    graphql = GraphQLApp(schema, graphql_ide="graphiql", allow_queries_via_get=True)
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )

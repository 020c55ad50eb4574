"""The Starlette application: ``POST /graphql``, ``GET /healthz``, ``GET /readyz``.

Every error is a GraphQL error body with ``extensions.code``, also for requests refused before
GraphQL runs (a body that is not JSON, no query, a mutation over GET, a wrong method or path) and
for a failure outside GraphQL (``INTERNAL``, masked).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from cross_web import HTTPException as RefusedRequest  # what Strawberry's views raise
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from bzgraph.context import Context
from bzgraph.db import Database
from bzgraph.errors import INTERNAL_MESSAGE, to_graphql_error
from bzgraph.schema import schema
from bzgraph.settings import Settings, get_settings


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view, with our context and our error codes on every error."""

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        from bzgraph import auth

        context = Context(request=request, db=request.app.state.db)
        await auth.authenticate(context, request.headers.get("authorization"))
        return context

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:  # type: ignore[override]
        try:
            return await super().run(request, context, root_value)
        except RefusedRequest as exc:
            return error_response(exc.status_code, exc.reason)

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


def error_response(status_code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A request refused outside GraphQL, answered as GraphQL answers errors: with a code."""
    code = {404: "NOT_FOUND", 500: "INTERNAL"}.get(status_code, "BAD_USER_INPUT")
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]},
                        status_code=status_code, headers=headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, exc.detail, exc.headers)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    return error_response(500, INTERNAL_MESSAGE)  # the server logs the exception itself


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
        exception_handlers={HTTPException: _http_error, Exception: _internal_error},
    )

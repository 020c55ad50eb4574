"""The Starlette application: ``POST /graphql``, ``GET /healthz``, ``GET /readyz``, ``GET /metrics``.

Every error is a GraphQL error body with ``extensions.code``, also for requests refused before
GraphQL runs (a body that is not a JSON object or is too large, no query, a mutation over GET, a
wrong method or path) and for a failure outside GraphQL (``INTERNAL``, masked).
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote_to_bytes

import orjson
from cross_web import HTTPException as RefusedRequest  # what Strawberry's views raise
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from bzgraph import metrics
from bzgraph.context import Context
from bzgraph.db import Commits, Database, count_round_trips, deadline, migrate, request_share
from bzgraph.errors import INTERNAL_MESSAGE, BzgraphError, ServiceUnavailable, to_graphql_error
from bzgraph.media import JSON, STATUS_WITHOUT_DATA, content_type_for, prefers_graphql_response
from bzgraph.middleware import CORS, LimitRequestBody, NormalizeContentType, StopWhenClientGone, error_response
from bzgraph.persisted import NOT_FOUND_HEADERS, PersistedQueries, PersistedQueryNotFound
from bzgraph.schema import build_schema
from bzgraph.settings import Settings, get_settings
from bzgraph.shutdown import AnswerBeforeShutdown, Shutdown
from bzgraph.warmup import warm_up

log = logging.getLogger("bzgraph")


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view, with our context and our error codes on every error, and automatic
    persisted queries (``bzgraph/persisted.py``)."""

    def __init__(self, schema: Any, *, max_document_chars: int, **options: Any) -> None:
        super().__init__(schema, **options)
        self.max_document_chars = max_document_chars
        self.persisted = PersistedQueries()

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        from bzgraph import auth

        context = Context(request=request, db=request.app.state.db)
        await auth.authenticate(context, request.headers.getlist("authorization"))
        return context

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        db: Database = request.app.state.db
        settings = db.settings
        if request.method == "GET" and not _is_utf8_query(request.scope["query_string"]):
            # Starlette would read the bad bytes as U+FFFD and run something the client did not send.
            return error_response(400, "The query string is not UTF-8", accept=request.headers.get("accept"))
        try:
            # Counted and bounded from the start: get_context may write the account.
            with (count_round_trips(), deadline(request_time(request.app, settings.neo4j_timeout)),
                  request_share(db.heavy_share)):
                return await super().run(request, context, root_value)
        except RefusedRequest as exc:
            accept = request.headers.get("accept")
            if exc.status_code == 405:
                return error_response(405, exc.reason, {"allow": "GET, POST"}, accept=accept)  # as the route's
            if request.method == "GET" and "not allowed when using GET" in exc.reason:
                # GraphQL over HTTP: a mutation sent with GET is refused as a wrong method.
                return error_response(405, exc.reason, {"allow": "POST"}, accept=accept)
            if isinstance(exc, PersistedQueryNotFound):  # the client sends the text again
                # A GraphQL request error: 200 with application/json (as Apollo's servers answer it), 400
                # with application/graphql-response+json (GraphQL over HTTP; Apollo's servers answer 200
                # there too, and Apollo Client retries on both)
                status = 400 if prefers_graphql_response(accept) else 200
                return error_response(status, exc.reason, NOT_FOUND_HEADERS, accept=accept)
            if isinstance(exc, DocumentTooLong) or isinstance(exc.__cause__, CannotGetOperationTypeError):
                # A GraphQL request error (200 with application/json).
                graphql_response = prefers_graphql_response(accept)
                code = "QUERY_TOO_COMPLEX" if isinstance(exc, DocumentTooLong) else "BAD_USER_INPUT"
                return error_response(400 if graphql_response else 200, exc.reason, accept=accept, code=code)
            return error_response(exc.status_code, exc.reason, accept=accept)

    async def execute_operation(self, request: Any, request_adapter: Any, request_data: Any, context: Any,
                                root_value: Any, sub_response: Any) -> Any:
        """Strawberry's execution; then a persisted query's text is kept, if it parsed and validated."""
        result = await super().execute_operation(request, request_adapter, request_data, context, root_value,
                                                 sub_response)
        if isinstance(request_data, GraphQLRequestData) and isinstance(result, ExecutionResult):
            self.persisted.keep(request_data, result)
        return result

    def should_render_graphql_ide(self, request: Any) -> bool:
        """A GET without a query, for a browser, shows GraphiQL; not one that names a persisted query."""
        return super().should_render_graphql_ide(request) and request.query_params.get("extensions") is None

    async def parse_http_body(self, request: Any) -> Any:
        """Strawberry's reading of the request, with ``operationName`` checked: a string or null,
        and the empty string meaning none (GraphQL over HTTP); a persisted query's text found by
        its hash. A POST body must be JSON in UTF-8: another media type or charset is 415."""
        if request.method == "POST":
            media_type, parameters = parse_content_type(request.content_type or "")
            if media_type != "application/json":
                raise RefusedRequest(415, f"Unsupported content type {media_type or '(none)'!r}: send the request "
                                          "as application/json")
            charset = parameters.get("charset", "utf-8").strip("'").lower()
            if charset not in ("utf-8", "utf8", "us-ascii"):  # ASCII is UTF-8 too
                raise RefusedRequest(415, f"Unsupported charset {charset!r}: send the request body in UTF-8")
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData):  # a batch (a list) is refused later
            limit = self.max_document_chars
            if isinstance(data.query, str) and len(data.query) > limit:
                raise DocumentTooLong(400, f"The document is longer than {limit:,} characters")
            self.persisted.resolve(data)
            if data.operation_name == "":
                data.operation_name = None
            elif not isinstance(data.operation_name, (str, type(None))):
                raise RefusedRequest(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
        return data

    def decode_json(self, data: str | bytes) -> object:
        """JSON with orjson. A request body (bytes; query parameters come as str) must be an object
        or a batch: Strawberry would fail on any other value instead of refusing it."""
        if isinstance(data, str):
            try:
                return orjson.loads(data)
            except orjson.JSONDecodeError:
                # Strawberry's own message would blame the request body, which a GET does not have.
                raise RefusedRequest(400, "The `variables` or `extensions` query parameter is not valid JSON") from None
        try:
            value = orjson.loads(data.removeprefix(codecs.BOM_UTF8))  # a UTF-8 byte order mark may be passed over (RFC 8259)
        except orjson.JSONDecodeError as exc:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                raise RefusedRequest(400, "The request body is not UTF-8: send JSON in UTF-8") from None
            raise RefusedRequest(400, f"The request body is not valid JSON: {exc}") from None
        if not isinstance(value, (dict, list)):
            raise RefusedRequest(400, "The request body must be a JSON object")
        return value

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def get_sub_response(self, request: Request) -> Response:  # type: ignore[override]
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = content_type_for(request.headers.get("accept"))
        return sub_response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        """The answer in the media type the client prefers (GraphQL over HTTP); it depends on
        ``Accept``, which ``Vary`` says to caches (a GET answer may be cached)."""
        response = super().create_response(response_data, sub_response)
        response.headers.add_vary_header("Accept")
        media_type = sub_response.media_type or JSON
        if media_type != JSON:
            response.headers["content-type"] = media_type
            if isinstance(response_data, dict) and "data" not in response_data:
                code = response_data["errors"][0]["extensions"]["code"]
                response.status_code = STATUS_WITHOUT_DATA.get(code, 400)
                if response.status_code == 401:
                    response.headers["www-authenticate"] = 'Bearer error="invalid_token"'  # RFC 6750
        return response

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        """The answer's body. ``data`` is left out when the request failed before execution (a
        syntax, validation or authentication error: none has a path), as the GraphQL spec says;
        an execution error that nulls the whole answer keeps ``"data": null``."""
        data: dict[str, Any] = {}
        if result.data is not None or not result.errors or any(e.path for e in result.errors):
            data["data"] = result.data
        if result.errors:
            data["errors"] = [to_graphql_error(error).formatted for error in result.errors]
        if result.extensions:
            data["extensions"] = result.extensions
        return data  # type: ignore[return-value]


def _is_utf8_query(query_string: bytes) -> bool:
    """Whether every percent-decoded name and value of a query string is UTF-8."""
    try:
        for part in query_string.replace(b"+", b" ").split(b"&"):
            for piece in part.split(b"=", 1):
                unquote_to_bytes(piece).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class DocumentTooLong(RefusedRequest):
    """A document's text past ``BZGRAPH_MAX_DOCUMENT_CHARS`` (``QUERY_TOO_COMPLEX``)."""


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, exc.detail, exc.headers, accept=request.headers.get("accept"))


async def _internal_error(request: Request, exc: Exception) -> Response:
    # the server logs the exception itself
    return error_response(500, INTERNAL_MESSAGE, accept=request.headers.get("accept"))


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client hung up before its body arrived: nobody to answer, and nothing to log."""
    return Response(status_code=400)


async def healthz(request: Request) -> JSONResponse:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def metrics_endpoint(request: Request) -> Response:
    """Prometheus metrics (``bzgraph/metrics.py``), in the format the scraper's ``Accept`` asks for."""
    preparation: Preparation = request.app.state.preparation
    service = metrics.ServiceCollector(request.app.state.db, preparation.ready.is_set)
    body, media_type = metrics.exposition(service, request.headers.get("accept"))
    return Response(body, headers={"content-type": media_type})


# /readyz answers within this many seconds (a probe's timeout is often 1 s): a database slower than that
# to greet a connection, busy rather than lost, reads as the last call or ping found it.
READY_WAIT = 0.5


async def readyz(request: Request) -> JSONResponse:
    """The database answers, has the schema and has planned the request queries (503 until then).
    After the database was lost (a restart may have left it cold, or empty), that is done again; a
    database only busy (every connection in use) is not lost, and keeps the service ready."""
    db: Database = request.app.state.db
    preparation: Preparation = request.app.state.preparation
    loop = asyncio.get_running_loop()
    ends = loop.time() + READY_WAIT  # the ping and the restart check share the half second
    answers = await db.ping(wait=READY_WAIT)
    preparation.check()
    if answers and loop.time() < ends:
        await preparation.check_restart(ends - loop.time())
    if answers and preparation.ready.is_set():
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "unavailable", "code": "SERVICE_UNAVAILABLE"}, status_code=503)


def request_time(app: Starlette, timeout: float) -> float:
    """How long a request's database work may take: ``timeout``, or three times that while the
    warm-up runs, when a freshly started Neo4j is planning queries (the first profile took 6 s) and
    a request racing it would otherwise be refused though the database answers."""
    preparation: Preparation | None = getattr(app.state, "preparation", None)
    return timeout * 3 if preparation is not None and preparation.warming else timeout


class Preparation:
    """The migrations and the warm-up (``bzgraph/warmup.py``): run in the background at start-up,
    retried until the database answers, and run again once it has been lost since (as soon as the
    database's pings find it again, or ``/readyz`` asks)."""

    def __init__(self, db: Database, enabled: bool) -> None:
        self.db, self.enabled = db, enabled
        self.warming = False  # the database answered the migrations; the warm-up runs
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._outages_seen = db.outages
        self.server_started: int | None = None  # when the server prepared for started (health/server-start)
        self._restart_check: asyncio.Task[None] | None = None
        if enabled:  # found again by the database's own pings: prepared again without waiting for /readyz
            db.on_back = self.check
        else:
            self.ready.set()

    async def start(self) -> None:
        """At start-up: the migrations now when the database answers, the warm-up in the background."""
        if not self.enabled:
            return
        failure = await _migrate(self.db)
        if failure is None:
            self._task = asyncio.create_task(self._warm_up())
        else:
            log.warning("%s; serving anyway (/readyz says 503), and applying the migrations once the database "
                        "can be used", failure)
            self._task = asyncio.create_task(self._when_back())

    def check(self) -> None:
        """Prepare again when calls could not reach the database since the last preparation began."""
        if self.enabled and self.ready.is_set() and self.db.outages != self._outages_seen:
            log.warning("the database was lost: migrating and warming up again before /readyz says ready")
            self._again()

    async def check_restart(self, wait: float) -> None:
        """Prepare again when the database server restarted since the last preparation, also when no
        call saw it away (a restart between two requests leaves it cold, or empty, all the same).
        Asks the server when it started, waiting at most ``wait`` seconds for the answer; a slower
        one (a server just started) takes effect when it comes."""
        if not (self.enabled and self.ready.is_set() and self.server_started is not None):
            return
        if self._restart_check is None or self._restart_check.done():
            self._restart_check = asyncio.create_task(self._compare_start())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._restart_check), wait)

    async def _compare_start(self) -> None:
        started = await _server_started(self.db)
        if started is not None and started != self.server_started and self.ready.is_set():
            log.warning("the database server restarted: migrating and warming up again before /readyz says ready")
            self._again()

    def _again(self) -> None:
        self.ready.clear()
        self._task = asyncio.create_task(self._when_back())

    async def stop(self) -> None:
        if self._restart_check is not None:
            self._restart_check.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._restart_check
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task  # stopped before its driver is closed

    async def _warm_up(self) -> None:
        self._outages_seen = self.db.outages  # an outage during the warm-up calls for another one
        self.server_started = await _server_started(self.db)
        self.warming = True
        try:
            count = await warm_up(self.db)
        finally:
            self.warming = False
        log.info("warmed up %d queries", count)
        self.ready.set()

    async def _when_back(self, pause: float = 1.0) -> None:
        """Try the migrations again, waiting longer each time (up to 10 s), until they are applied;
        then warm up."""
        while await _migrate(self.db) is not None:
            await asyncio.sleep(pause)
            pause = min(pause * 2, 10.0)
        log.warning("the database answers: migrations applied")
        await self._warm_up()


async def _server_started(db: Database) -> int | None:
    """When the database server started (``health/server-start``); None when it does not say, or
    cannot be asked now."""
    try:
        rows = await db.read("health/server-start")
    except BzgraphError:
        return None
    started = rows[0]["startedAt"] if rows else None
    return started if isinstance(started, int) else None


async def _migrate(db: Database) -> str | None:
    """Apply the migrations; why they could not be (the database is away, refuses the credentials, …)
    or None when they were."""
    try:
        await migrate(db)
    except ServiceUnavailable as exc:
        return exc.message
    return None


def create_app(settings: Settings | None = None, apply_migrations: bool = False) -> Starlette:
    """Build the app; the driver is created at start-up and closed at shutdown. With
    ``apply_migrations`` (``bzgraph serve``), start-up applies ``cypher/schema/`` and then, in the
    background, warms the request queries up; when the database does not answer, the app serves
    anyway and does both once it does. ``/readyz`` says 503 until both are done."""
    settings = settings or get_settings()
    shutdown = Shutdown()
    metrics.label_operations(settings.metrics_operation_list)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        shutdown.loop = asyncio.get_running_loop()
        app.state.db = Database(settings)
        app.state.preparation = Preparation(app.state.db, enabled=apply_migrations)
        await app.state.preparation.start()
        try:
            yield
        finally:
            log.info("shutting down")
            await app.state.preparation.stop()
            await app.state.db.close()

    graphql = GraphQLApp(build_schema(settings=settings), max_document_chars=settings.max_document_chars,
                         allow_queries_via_get=True, graphql_ide="graphiql" if settings.graphiql_enabled else None)
    middleware = [Middleware(AnswerBeforeShutdown, shutdown=shutdown, answer=_shutting_down),
                  Middleware(StopWhenClientGone),
                  Middleware(NormalizeContentType),
                  Middleware(LimitRequestBody, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout)]
    if settings.cors_origin_list:
        # Any request header a client sends (Apollo's apollographql-client-name, tracing headers):
        # no cookies are used, so allowing them gives a page nothing it could not send anyway.
        middleware.insert(0, Middleware(CORS, allow_origins=settings.cors_origin_list, allow_methods=["GET", "POST"],
                                        allow_headers=["*"], max_age=600))
    endpoint = Route("/graphql", graphql, methods=["GET", "POST"])
    assert endpoint.methods is not None  # given above
    endpoint.methods.discard("HEAD")  # Starlette adds it to GET, but GraphQL answers none: 405, as for PUT
    app = Starlette(
        routes=[
            endpoint,
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            *([Route("/metrics", metrics_endpoint, methods=["GET"])] if settings.metrics_enabled else []),
        ],
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers={HTTPException: _http_error, ClientDisconnect: _client_gone, Exception: _internal_error},
    )
    # A path with a slash added is an unknown path (404, NOT_FOUND), not a redirect: Starlette's redirect
    # answers without a code and builds its Location from the client's own Host header.
    app.router.redirect_slashes = False
    app.state.shutdown = shutdown  # `bzgraph serve` tells it when a shutdown begins
    return app


def _shutting_down(accept: str, commits: Commits) -> Response:
    """The answer to a request still running when the shutdown grace is about to end."""
    if commits.unsure:
        outcome = "its change may have been saved (it was being committed): read it back before sending it again"
    elif commits.saved:  # a write committed; another may have been cut off, or never begun
        outcome = "some or all of its change is saved: read it back before sending it again"
    else:
        outcome = "nothing was changed: send it again"
    return error_response(503, f"the server is shutting down and could not finish this request in time; {outcome}",
                          {"connection": "close"}, accept=accept, code="SERVICE_UNAVAILABLE")

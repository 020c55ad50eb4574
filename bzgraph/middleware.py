"""ASGI middleware in front of the GraphQL view, and the shape of a request refused outside GraphQL.

A refusal here is answered as GraphQL answers errors: a body of ``errors`` with ``extensions.code``,
in the media type the request's ``Accept`` prefers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bzgraph import metrics
from bzgraph.db import commit_under_way
from bzgraph.media import content_type_for


def error_response(status_code: int, message: str, headers: Mapping[str, str] | None = None, *,
                   accept: str | None = None, code: str | None = None) -> Response:
    """A request refused outside GraphQL, answered as GraphQL answers errors: with a code, in the
    media type ``accept`` prefers."""
    code = code or {404: "NOT_FOUND", 500: "INTERNAL"}.get(status_code, "BAD_USER_INPUT")
    metrics.observe_refusal(status_code, code)
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    response = Response(body, status_code=status_code, headers=headers, media_type=content_type_for(accept))
    response.headers.add_vary_header("Accept")
    return response


class CORS(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as every refusal is: a GraphQL error
    with its code (Starlette answers it in plain text)."""

    def preflight_response(self, request_headers: Any) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        headers = {k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")}
        return error_response(400, bytes(response.body).decode(), headers, accept=request_headers.get("accept"))


class LimitRequestBody:
    """ASGI middleware: a request body over ``max_bytes`` is refused with 413 (``BAD_USER_INPUT``),
    by its declared length before it is read, or as soon as the received bytes pass the limit; a
    body still incomplete ``timeout`` seconds after the request started is refused with 408 (a
    client that stalls would otherwise hold its connection and request for ever)."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            accept = headers.get(b"accept", b"").decode("latin-1")
            return await error_response(413, self._message, {"connection": "close"}, accept=accept)(scope, receive, send)
        received, complete = 0, False
        ends = asyncio.get_running_loop().time() + self.timeout

        async def limited() -> Message:
            nonlocal received, complete
            if complete:  # after the body, only the disconnect is left to wait for: no deadline
                return await receive()
            try:
                async with asyncio.timeout_at(ends):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(408, f"The request body did not arrive within {self.timeout:g} s",
                                    {"connection": "close"}) from None
            received += len(message.get("body", b""))
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            if received > self.max_bytes:
                # answered by _http_error; the connection closed, or the client would go on sending the rest
                raise HTTPException(413, self._message, {"connection": "close"})
            return message

        await self.app(scope, limited, send)

    @property
    def _message(self) -> str:
        return f"The request body is larger than {self.max_bytes:,} bytes"


WATCH_AFTER = 0.05  # seconds a request runs before its client is watched (quicker ones cost nothing)
COMMIT_POLL = 0.01  # seconds between looks at a commit under way, once the client has gone
CLIENT_STATE = "bzgraph.client"  # the scope key of a request's watch: {"gone": True} once its client hung up


def client_gone(scope: Scope) -> bool:
    """Whether the request of ``scope`` was stopped because its client hung up."""
    return bool(scope.get(CLIENT_STATE, {}).get("gone"))


class StopWhenClientGone:
    """ASGI middleware: a request whose client hung up before its answer began is cancelled (its
    transaction rolls back, its database connection is freed) instead of running on for nobody: a
    burst of requests from clients that hang up at once held every connection of the pool, and the
    requests of others failed. A request is watched once its body is read and it has run
    :data:`WATCH_AFTER` seconds (a GET, whose body the app never reads, is not watched); a write
    whose commit is under way is left to finish, and the request is stopped after it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        assert task is not None  # an ASGI request runs in a task
        state = {"body_read": False, "answering": False, "gone": False}
        scope[CLIENT_STATE] = state  # the operation log tells a request stopped so from a failure
        watcher: asyncio.Task[None] | None = None
        timer: asyncio.TimerHandle

        async def receiving() -> Message:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                state["body_read"] = True
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["answering"] = True  # from here on the answer is written out, whoever reads it
            await send(message)

        async def watch() -> None:
            # After the body, the server's receive() waits until the client goes or the answer is done.
            if (await receive())["type"] != "http.disconnect":
                return
            # A commit under way finishes (cut off, nobody could tell whether it was saved); what
            # would come after it does not run.
            while commit_under_way() and not state["answering"]:
                await asyncio.sleep(COMMIT_POLL)
            if not state["answering"]:
                state["gone"] = True
                task.cancel()

        def start_watching() -> None:
            nonlocal watcher, timer
            if state["answering"]:
                return
            if state["body_read"]:
                watcher = loop.create_task(watch())
            else:  # still reading the body (LimitRequestBody bounds how long): look again later
                timer = loop.call_later(WATCH_AFTER, start_watching)

        timer = loop.call_later(WATCH_AFTER, start_watching)
        try:
            await self.app(scope, receiving, sending)
        except asyncio.CancelledError:
            if not state["gone"]:
                raise
            task.uncancel()  # nobody is left to answer
        finally:
            timer.cancel()
            if watcher is not None:
                watcher.cancel()


class NormalizeContentType:
    """ASGI middleware: the media type of ``Content-Type`` in lower case, as media types are
    case-insensitive (Strawberry compares them as written, refusing ``APPLICATION/JSON``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [(name, _lower_media_type(value) if name == b"content-type" else value)
                       for name, value in scope["headers"]]
            if headers != list(scope["headers"]):
                scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def _lower_media_type(value: bytes) -> bytes:
    media_type, sep, parameters = value.partition(b";")
    return media_type.strip().lower() + sep + parameters

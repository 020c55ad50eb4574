"""Answering the requests a shutdown would cut off.

On SIGTERM uvicorn stops taking connections, waits up to its grace for the running requests, then
cancels them, and a client still waiting (or still sending its body) gets a bare plain-text 500.
:class:`AnswerBeforeShutdown` answers them itself a moment before that: ``503`` with
``SERVICE_UNAVAILABLE``, as every error of this API has its code. A transaction cancelled while it
works rolls back; the answer says so unless the request's change was saved already (a mutation
cut off while reading its payload back), or its commit was under way, when it may have been
(``bzgraph.db.Commits``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bzgraph.db import Commits, track_commits


@dataclass(eq=False)
class _Running:
    task: asyncio.Task[object]
    started: bool = False  # the response has begun: it is too late to answer otherwise
    stopped: bool = False  # cancelled by the shutdown, not by uvicorn or the client


@dataclass
class Shutdown:
    """The requests running now, and the cut-off a shutdown sets for them."""

    running: set[_Running] = field(default_factory=set)
    loop: asyncio.AbstractEventLoop | None = None

    def begin(self, answer_after: float) -> None:
        """A shutdown began: requests still running ``answer_after`` seconds from now are answered
        503. Safe to call from a signal handler (the loop runs the rest)."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.loop.call_later, answer_after, self._stop_running)

    def _stop_running(self) -> None:
        for request in list(self.running):
            if not request.started:
                request.stopped = True
                request.task.cancel()


class AnswerBeforeShutdown:
    """ASGI middleware: see the module's docstring; ``answer`` gives the response for a request's
    ``Accept`` header and what its commits came to. It costs a request a set insertion and removal."""

    def __init__(self, app: ASGIApp, shutdown: Shutdown, answer: Callable[[str, Commits], ASGIApp]) -> None:
        self.app, self.shutdown, self.answer = app, shutdown, answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        task = asyncio.current_task()
        assert task is not None  # an ASGI request runs in a task
        request = _Running(task)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                request.started = True
            await send(message)

        self.shutdown.running.add(request)
        try:
            with track_commits() as commits:
                await self.app(scope, receive, sending)
        except asyncio.CancelledError:
            if not request.stopped:
                raise
            request.task.uncancel()
            accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
            with contextlib.suppress(OSError, RuntimeError):  # the client may have gone meanwhile
                await self.answer(accept, commits)(scope, receive, send)
        finally:
            self.shutdown.running.discard(request)

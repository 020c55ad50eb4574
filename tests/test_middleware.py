"""StopWhenClientGone (bzgraph/middleware.py) on its own, with an ASGI app that stands in for a
request's work: the ASGI messages it sees are the server's. (tests/test_errors.py and
tests/test_metrics.py hang up on a real server.)"""

from __future__ import annotations

import asyncio
from typing import Any

from bzgraph.db import track_commits, work_done
from bzgraph.middleware import WATCH_AFTER, StopWhenClientGone, client_gone


async def _serve(app: Any, disconnect_after: float) -> dict[str, Any]:
    """Run ``app`` behind the middleware as uvicorn would: the body, then (after ``disconnect_after``
    seconds) the client's hang-up; what happened."""
    hung_up = asyncio.Event()
    messages = [{"type": "http.request", "body": b"{}", "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await hung_up.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": []}
    asyncio.get_running_loop().call_later(disconnect_after, hung_up.set)
    with track_commits():
        await StopWhenClientGone(app)(scope, receive, send)
    return {"scope": scope, "sent": sent}


async def test_a_request_whose_client_hangs_up_is_stopped_where_it_waits() -> None:
    steps: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        steps.append("began")
        await asyncio.sleep(5)
        steps.append("ran on for nobody")

    outcome = await _serve(app, disconnect_after=WATCH_AFTER + 0.1)
    assert steps == ["began"] and client_gone(outcome["scope"]) and outcome["sent"] == []


async def test_a_commit_under_way_finishes_and_what_comes_after_it_does_not_run() -> None:
    """Cut off while its commit is under way, nobody could tell whether a change was saved: the
    commit finishes; the rest of the request (a second write, the read back) does not run for nobody."""
    steps: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        work_done(True)  # the work is done: the commit is sent
        await asyncio.sleep(0.5)  # its answer comes while the client has gone
        work_done(False)
        steps.append("committed")
        await asyncio.sleep(5)  # what follows the commit
        steps.append("ran on for nobody")

    outcome = await _serve(app, disconnect_after=WATCH_AFTER + 0.1)
    assert steps == ["committed"] and client_gone(outcome["scope"])


async def test_an_answer_begun_is_finished() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(WATCH_AFTER + 0.3)  # the client hangs up meanwhile
        await send({"type": "http.response.body", "body": b"done"})

    outcome = await _serve(app, disconnect_after=WATCH_AFTER + 0.1)
    assert not client_gone(outcome["scope"]) and outcome["sent"][-1]["body"] == b"done"


async def test_a_shutdown_answers_503_in_place_of_a_request_not_yet_answered_and_finishes_one_begun() -> None:
    """At the shutdown's cut-off a request still working is answered 503 instead; one whose answer has
    begun is left to finish it (a 503 after its head would corrupt the answer)."""
    from bzgraph.shutdown import AnswerBeforeShutdown, Shutdown

    def answered_503(accept: str, commits: Any) -> Any:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"shutting down"})
        return app

    async def working(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(5)

    async def answering(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(0.3)  # the cut-off comes meanwhile
        await send({"type": "http.response.body", "body": b"done"})

    async def serve(app: Any) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        shutdown = Shutdown(loop=asyncio.get_running_loop())
        middleware = AnswerBeforeShutdown(app, shutdown, answered_503)
        request = asyncio.create_task(middleware({"type": "http", "headers": []}, receive, send))
        await asyncio.sleep(0.05)
        shutdown.begin(0.05)
        await asyncio.wait_for(request, 5)
        return sent

    assert [m.get("status", m.get("body")) for m in await serve(working)] == [503, b"shutting down"]
    assert [m.get("status", m.get("body")) for m in await serve(answering)] == [200, b"done"]


async def test_a_body_declared_too_large_is_refused_before_a_byte_of_it_is_read() -> None:
    """A Content-Length past the limit: 413 at once, the body never read (a client sending a
    gigabyte is not made to send it first), the app never called."""
    from bzgraph.middleware import LimitRequestBody

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app was called")

    async def receive() -> Any:
        raise AssertionError("the body was read")

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": [(b"content-length", b"2000000")]}
    await LimitRequestBody(app, max_bytes=1_048_576, timeout=30)(scope, receive, send)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert (b"connection", b"close") in sent[0]["headers"]


async def test_a_body_of_exactly_the_limit_is_read_whole_and_one_byte_more_is_refused() -> None:
    """The limit is the largest body taken: declared (Content-Length) or streamed in chunks without
    a length, a body of exactly ``max_bytes`` reaches the app whole; one byte more is 413."""
    from starlette.exceptions import HTTPException

    from bzgraph.middleware import LimitRequestBody

    async def run(size: int, declared: bool) -> tuple[int, bytes]:
        chunks = [b"x" * (size - size // 2), b"x" * (size // 2)]
        received = bytearray()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            while True:
                message = await receive()
                received.extend(message.get("body", b""))
                if not message.get("more_body"):
                    break
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

        async def receive() -> dict[str, Any]:
            body = chunks.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(chunks)}

        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        headers = [(b"content-length", str(size).encode())] if declared else []
        scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": headers}
        try:
            await LimitRequestBody(app, max_bytes=1000, timeout=30)(scope, receive, send)
        except HTTPException as exc:  # raised into the app, which answers it (bzgraph/app.py's handler)
            return exc.status_code, bytes(received)
        return sent[0]["status"], bytes(received)

    for declared in (True, False):
        assert await run(1000, declared) == (200, b"x" * 1000), declared
        status, _ = await run(1001, declared)
        assert status == 413, declared

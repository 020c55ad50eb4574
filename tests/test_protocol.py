"""The request-head deadline of `bzgraph serve` (bzgraph/protocol.py), on a bare uvicorn server with
a small ASGI app, so that a slow response can be made at will. The deadline on the real service is
tested in test_errors.py."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn

from bzgraph.protocol import head_timeout_protocol


async def app(scope, receive, send) -> None:
    """``/slow`` answers after 1.5 s, anything else at once; the body says the path."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/slow":
        await asyncio.sleep(1.5)
    body = scope["path"].encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


@contextlib.asynccontextmanager
async def serving(header_timeout: float, keep_alive: int = 5) -> AsyncIterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # bound here, handed to uvicorn: no other process can take the port between
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           http=head_timeout_protocol(header_timeout), lifespan="off",
                                           timeout_keep_alive=keep_alive))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(1000):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "the server did not start"
    try:
        yield port
    finally:
        server.should_exit = True
        await task
        sock.close()


async def responses(reader: asyncio.StreamReader) -> list[tuple[int, bytes]]:
    """Every response until the server closes: (status, body)."""
    found = []
    while head := await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b"":
        status = int(head.split(b" ", 2)[1])
        length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])
        found.append((status, await reader.readexactly(length)))
        if b"connection: close" in head.lower():
            break
    return found


async def test_a_pipelined_head_waiting_behind_a_slow_response_is_not_timed_out() -> None:
    """A client pipelines a slow request (longer than the deadline), a second one and the start of
    a third, then the rest of the third at once: uvicorn reads no more until the answers before it
    are written, so the third's time starts only then, and every answer arrives whole."""
    async with serving(header_timeout=1.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /slow HTTP/1.1\r\nhost: x\r\n\r\nGET /second HTTP/1.1\r\nhost: x\r\n\r\n"
                     b"GET /third HTTP/1.1\r\nho")
        await asyncio.sleep(0.1)
        writer.write(b"st: x\r\nconnection: close\r\n\r\n")
        assert await asyncio.wait_for(responses(reader), 10) == [(200, b"/slow"), (200, b"/second"), (200, b"/third")]
        writer.close()


async def test_a_head_still_incomplete_after_the_deadline_is_refused() -> None:
    """The same connection, the head of the request after the slow one never finished: 408, after
    the slow answer, once the deadline has run from the moment the server was free."""
    async with serving(header_timeout=1.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = asyncio.get_running_loop().time()
        writer.write(b"GET /slow HTTP/1.1\r\nhost: x\r\n\r\nGET /next HTTP/1.1\r\nho")
        found = await asyncio.wait_for(responses(reader), 10)
        assert [status for status, _ in found] == [200, 408] and found[0][1] == b"/slow"
        assert b"BAD_USER_INPUT" in found[1][1]
        assert 2.4 < asyncio.get_running_loop().time() - started < 5  # 1.5 s answering, then 1 s waiting
        writer.close()


async def test_a_pipelined_head_gets_the_head_deadline_not_the_keep_alive() -> None:
    """uvicorn arms its keep-alive timer when a response ends, also when the next request's head has
    begun: that head must get the head's deadline (here 3 s), not be cut silently at the
    keep-alive's (1 s)."""
    async with serving(header_timeout=3.0, keep_alive=1) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /slow HTTP/1.1\r\nhost: x\r\n\r\nGET /next HTTP/1.1\r\nho")
        await reader.readuntil(b"\r\n\r\n"), await reader.readexactly(5)
        await asyncio.sleep(2)  # within the head's 3 s, past the 1 s keep-alive
        writer.write(b"st: x\r\nconnection: close\r\n\r\n")
        assert await asyncio.wait_for(responses(reader), 10) == [(200, b"/next")]
        writer.close()


@pytest.mark.parametrize("request_, stray", [
    (b"GET /first HTTP/1.1\r\nhost: x\r\n\r\n", b"\r\n"),  # a CRLF between requests, which the parser skips
    (b"GET /first HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n", b"x"),  # a body answered unread
], ids=["crlf", "body-after-answer"])
async def test_bytes_that_begin_no_request_do_not_escape_the_deadline(request_: bytes, stray: bytes) -> None:
    """After an answer, bytes that begin no request cancel uvicorn's keep-alive timer: the head's
    deadline takes over, and the connection is answered 408 and closed (it stayed open for ever)."""
    async with serving(header_timeout=1.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request_)
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
        await reader.readexactly(6)
        writer.write(stray)
        started = asyncio.get_running_loop().time()
        found = await asyncio.wait_for(responses(reader), 8)
        assert [status for status, _ in found] == [408] and b"BAD_USER_INPUT" in found[0][1]
        assert await asyncio.wait_for(reader.read(), 2) == b""  # and closed
        assert 0.9 < asyncio.get_running_loop().time() - started < 4
        writer.close()


@pytest.mark.parametrize("request_, status, message", [
    # httptools holds a URL's parts as 16-bit offsets: uvicorn answered this in plain text
    (b"GET /graphql?query=%7B__typename%7D&x=" + b"a" * 65_600 + b" HTTP/1.1\r\nhost: x\r\n\r\n", 414,
     b"longer than 65,535 bytes: send the document with POST"),
    (b"GET /graphql HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n", 400,
     b"not valid HTTP/1.1"),
    (b"NOT HTTP AT ALL\r\n\r\n", 400, b"not valid HTTP/1.1"),
], ids=["long-url", "two-lengths", "garbage"])
async def test_a_request_httptools_cannot_parse_is_refused_with_a_code(request_: bytes, status: int,
                                                                       message: bytes) -> None:
    """Every refusal carries extensions.code, also one the HTTP parser makes."""
    async with serving(header_timeout=5.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request_)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 %d " % status) and b"content-type: application/json" in head.lower()
        found = await asyncio.wait_for(reader.read(), 5)  # the body, then the connection closes
        assert b'"code":"BAD_USER_INPUT"' in found and message in found
        writer.close()


async def test_a_url_just_within_what_httptools_holds_is_served() -> None:
    """65,535 bytes exactly, the longest URL httptools holds, is served."""
    async with serving(header_timeout=5.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        path = b"/" + b"a" * 65_534
        writer.write(b"GET " + path + b" HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        assert await asyncio.wait_for(responses(reader), 5) == [(200, path)]
        writer.close()


async def test_a_url_too_long_is_refused_before_its_request_line_ends() -> None:
    """The URL is not kept growing until the head's deadline: refused as soon as it passes the limit."""
    async with serving(header_timeout=30.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /" + b"a" * 70_000)  # no end of the request line, no headers
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 414 ")
        assert b'"code":"BAD_USER_INPUT"' in await asyncio.wait_for(reader.read(), 5)
        writer.close()


@pytest.mark.parametrize("refused, status", [
    (b"GET /" + b"a" * 70_000, 414),  # refused while its URL is still arriving
    (b"GET /third HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n", 400),
], ids=["long-url", "two-lengths"])
async def test_a_refusal_waits_for_the_answers_to_the_requests_before_it(refused: bytes, status: int) -> None:
    """A refused request pipelined behind others is answered after them, never in the place of an
    answer still being made (the client would take it for that answer) nor inside one."""
    async with serving(header_timeout=30.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /slow HTTP/1.1\r\nhost: x\r\n\r\nGET /second HTTP/1.1\r\nhost: x\r\n\r\n" + refused)
        found = await asyncio.wait_for(responses(reader), 10)
        assert [s for s, _ in found] == [200, 200, status]
        assert [body for _, body in found[:2]] == [b"/slow", b"/second"]
        assert b'"code":"BAD_USER_INPUT"' in found[2][1]
        assert await asyncio.wait_for(reader.read(), 2) == b""  # and closed
        writer.close()

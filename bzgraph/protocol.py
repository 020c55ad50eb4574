"""uvicorn's HTTP protocol with a deadline for each request's head, and refusals with a code.

uvicorn bounds how long a connection may sit idle between requests (its keep-alive timeout), but
not how long a client may take to send a request line and headers: a client that connects and
sends nothing, or a few header bytes now and then, holds its connection for as long as it likes
(the "slowloris" attack). Here each request's head must be complete within ``header_timeout``
seconds of the connection opening or of the request's first byte (or of the first byte after an
answer that begins no request, such as a stray CRLF); otherwise the connection is answered ``408``
(``BAD_USER_INPUT``, as a stalled body is) and closed. A head that arrived while an answer was being
written gets its time from the moment the answer is complete, and uvicorn's shorter keep-alive
timeout does not cut it. Bodies have their own limit
(``bzgraph.middleware.LimitRequestBody``).

A request the HTTP parser refuses (not HTTP/1.1, two ``Content-Length`` headers, a URL past the
65,535 bytes httptools can hold) is answered as every refusal is: JSON with ``BAD_USER_INPUT``
(``414`` for the URL), where uvicorn would answer in plain text.
"""

from __future__ import annotations

import asyncio

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bzgraph import metrics

URL_MAX_BYTES = 65_535  # httptools keeps a URL's parts as 16-bit offsets: a longer one fails to parse


class HeadTimeoutProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol`, closing a connection whose request head is late.

    The deadline runs only while the server waits for the client: not while a response is in
    flight. A pipelined request whose head began during an earlier response (uvicorn stops reading
    until that response is written) gets its time from the moment the server is free again, and the
    408 is never written into another response."""

    header_timeout: float = 10.0
    _head_timer: asyncio.TimerHandle | None = None
    _head_begun: bool = False  # a request's first bytes were parsed, its headers not yet
    _refusal: tuple[bytes, str] | None = None  # a request refused (status, message): written when no answer is in flight

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # the first request's head, from the moment the connection opens

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # uvicorn cancels its keep-alive timer on any byte
        if (self._head_timer is None and self.timeout_keep_alive_task is None and self._waiting_for_client()
                and not self.transport.is_closing()):
            # Bytes that begin no request (a stray CRLF, the rest of a body the app answered without
            # reading) left no timer at all: the head's deadline runs from them.
            self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_begun = True
        if self._waiting_for_client():
            self._arm()  # a later request's head, from its first byte

    def on_headers_complete(self) -> None:
        self._head_begun = False
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._head_begun and self._waiting_for_client():
            # uvicorn has just armed its keep-alive timer, which would close the connection
            # silently: a request has begun, so the head's deadline rules instead.
            self._unset_keepalive_if_required()
            self._arm()  # a head that began while the server was answering: its time starts now
        self._write_refusal_when_free()  # a refusal waiting for the answers before it

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _waiting_for_client(self) -> bool:
        """No response in flight (none started, or the last one written whole)."""
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._waiting_for_client() or self._refusal is not None:
            return  # never into a response in flight; on_response_complete arms it again
        self._write_refusal(b"408 Request Timeout", f"The request headers did not arrive within {self.header_timeout:g} s")

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > URL_MAX_BYTES:  # refused as soon as it is too long, not kept growing until the head ends
            self.send_400_response("")
            raise URLTooLong  # stops the parser (uvicorn then calls send_400_response, which has answered)

    def send_400_response(self, msg: str) -> None:
        """A request httptools cannot parse, answered as every refusal is: JSON with a code (uvicorn
        answers it in plain text), after the answers to the requests before it on the connection
        (uvicorn would write it into the middle of one, or in its place). A URL past 65,535 bytes,
        which httptools cannot hold, is ``414``."""
        if self._refusal is None:
            if len(self.url or b"") > URL_MAX_BYTES:
                self._refusal = (b"414 URI Too Long",
                                 f"The request's URL is longer than {URL_MAX_BYTES:,} bytes: send the document with POST")
            else:
                self._refusal = (b"400 Bad Request", "The request is not valid HTTP/1.1")
        self._write_refusal_when_free()

    def _write_refusal_when_free(self) -> None:
        """Write the waiting refusal once no answer is in flight or queued (the parser stopped at the
        refused request: nothing after it is read)."""
        if (self._refusal is not None and self._waiting_for_client() and not self.pipeline
                and not self.transport.is_closing()):
            self._write_refusal(*self._refusal)

    def _write_refusal(self, status: bytes, message: str) -> None:
        """Write a refusal (``BAD_USER_INPUT``) and close the connection."""
        metrics.observe_refusal(int(status.split()[0]), "BAD_USER_INPUT")
        body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]})
        headers = b"".join(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers)
        self.transport.write(b"HTTP/1.1 %s\r\n%scontent-type: application/json\r\nconnection: close\r\n"
                             b"content-length: %d\r\n\r\n%s" % (status, headers, len(body), body))
        self.transport.close()


class URLTooLong(Exception):
    """Raised in the parser's callback to stop it once a URL is too long to serve."""


def head_timeout_protocol(seconds: float) -> type[HeadTimeoutProtocol]:
    """The protocol class for uvicorn's ``http`` option, with a head deadline of ``seconds``."""
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"header_timeout": seconds})

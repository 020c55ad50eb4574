"""uvicorn's HTTP protocol with a deadline for each request's head.

uvicorn bounds how long a connection may sit idle between requests (its keep-alive timeout), but
not how long a client may take to send a request line and headers: a client that connects and
sends nothing, or a few header bytes now and then, holds its connection for as long as it likes
(the "slowloris" attack). Here each request's head must be complete within ``header_timeout``
seconds of the connection opening or of the request's first byte; otherwise the connection is
answered ``408`` (``BAD_USER_INPUT``, as a stalled body is) and closed. Bodies have their own limit
(``bzgraph.middleware.LimitRequestBody``).
"""

from __future__ import annotations

import asyncio

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeadTimeoutProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol`, closing a connection whose request head is late."""

    header_timeout: float = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # the first request's head, from the moment the connection opens

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # a later request's head, from its first byte

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        message = f"The request headers did not arrive within {self.header_timeout:g} s"
        body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]})
        self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                             b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))
        self.transport.close()


def head_timeout_protocol(seconds: float) -> type[HeadTimeoutProtocol]:
    """The protocol class for uvicorn's ``http`` option, with a head deadline of ``seconds``."""
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"header_timeout": seconds})

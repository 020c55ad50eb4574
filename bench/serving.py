"""What the HTTP benchmarks share (`bench/profile_bench.py`, `bench/peer_bench.py`): a free loopback port,
a server started on it and awaited, a minimal keep-alive HTTP/1.1 client, and the rows of a raw query.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import neo4j


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(command: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """``command`` in the background, its output discarded, with this process's environment (or ``env``)."""
    return subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env if env is not None else os.environ.copy())


def start_bzgraph(port: int) -> subprocess.Popen:
    """`bzgraph serve` on ``port``, against the configured database."""
    return spawn([sys.executable, "-m", "bzgraph.cli", "serve", "--port", str(port)])


def stop(*processes: subprocess.Popen) -> None:
    """Each process asked to end (SIGTERM), and awaited."""
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=20)


class LeanClient:
    """One keep-alive HTTP/1.1 connection: a POST and its Content-Length body, nothing more."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> LeanClient:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    @classmethod
    async def connect_when_up(cls, port: int, name: str, seconds: float = 60) -> LeanClient:
        """A connection to ``port`` once a server just started (``name``, for the error) listens there."""
        for _ in range(int(seconds / 0.2)):
            try:
                return await cls.connect(port)
            except OSError:
                await asyncio.sleep(0.2)
        raise SystemExit(f"{name} did not start listening on port {port} within {seconds:.0f} s")

    async def post_json(self, path: str, body: bytes) -> dict:
        self.writer.write(f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                          f"content-length: {len(body)}\r\n\r\n".encode() + body)
        await self.writer.drain()
        await self.reader.readline()  # status line
        length = 0
        while (line := await self.reader.readline()) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(await self.reader.readexactly(length))

    def close(self) -> None:
        self.writer.close()


async def fetch_rows(result: neo4j.AsyncResult) -> list[dict[str, Any]]:
    """The cheapest way to take the rows from the driver (``result_transformer_`` of ``execute_query``): its
    values as they arrive, no conversion (a server converts graph entities as Record.data() does; the rows
    timed here have none)."""
    return [dict(record.items()) async for record in result]

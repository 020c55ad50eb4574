"""Slots: at most so many holders at once, the others waiting their turn (heavy queries, writes)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Slots:
    """At most ``size`` holders at once, the others waiting in turn (an :class:`asyncio.Semaphore`
    that also keeps the most holders it has had at once, ``peak``, for tests and benchmarks)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.held = 0
        self.peak = 0
        self._semaphore = asyncio.Semaphore(size)

    async def __aenter__(self) -> None:
        await self._semaphore.acquire()
        self.held += 1
        self.peak = max(self.peak, self.held)

    async def __aexit__(self, *exc_info: object) -> None:
        self.held -= 1
        self._semaphore.release()

    @property
    def full(self) -> bool:
        return self.held >= self.size


@contextlib.asynccontextmanager
async def heavy_turn(process: Slots, share: Slots | None) -> AsyncIterator[None]:
    """A heavy query's turn: one of its request's share, then one of the process's slots."""
    async with share if share is not None else contextlib.nullcontext():
        async with process:
            yield

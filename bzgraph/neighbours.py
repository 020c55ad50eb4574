"""The ranked neighbour lists that ``explore`` reads, kept on every explorable node.

``cypher/explore/refresh.cypher`` computes them; whatever writes the graph (the seed loader, the
OpenAlex import, ``bzgraph explore refresh``) refreshes the nodes it touched, so that an ``explore``
request reads lists instead of walking the graph. An import marks the nodes it touched
(``:RefreshPending``) and refreshes them at its end; every refresh here clears the marks of the
nodes it refreshed. See ``docs/explore.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

from bzgraph.db import Database, Tx

NEIGHBOURS_KEPT = 200  # per node and kind: explore shows at most this many of a center's own of one kind (docs/explore.md)
CHUNK = 250  # nodes per transaction
PAGE = 10_000  # ids read at a time
WORKERS = 2  # transactions at a time (chunks are disjoint: each writes only its own nodes)


async def refresh(db: Database, pages: AsyncIterator[list[str]], *, chunk: int = CHUNK,
                  workers: int = WORKERS) -> int:
    """Recompute the neighbour lists of the nodes of ``pages``, ``chunk`` per transaction,
    ``workers`` transactions at a time; each also clears its nodes' refresh marks, so an
    interrupted refresh of marked nodes resumes where it stopped. The next page is read once the
    one before it is done. Returns how many nodes were refreshed (ids of no node are not counted)."""
    done = 0

    async def transaction(ids: list[str]) -> int:
        async def work(tx: Tx) -> int:
            refreshed = (await tx.run("explore/refresh", ids=ids, keep=NEIGHBOURS_KEPT))[0]["refreshed"]
            await tx.run("ingest/refresh-done", ids=ids)
            return int(refreshed)

        return await db.execute(work, write=True)

    async def worker(chunks: Iterator[list[str]]) -> None:
        nonlocal done
        for ids in chunks:  # the workers share one iterator: each takes the next chunk when free
            refreshed = await transaction(ids)
            done += refreshed  # added once it is known (`done += await …` would read done before waiting)

    async for page in pages:
        chunks = (page[start:start + chunk] for start in range(0, len(page), chunk))
        try:
            async with asyncio.TaskGroup() as group:  # a failure cancels the other workers
                for _ in range(max(1, workers)):
                    group.create_task(worker(chunks))
        except ExceptionGroup as failed:  # raise the error itself, as one worker would
            raise failed.exceptions[0] from None
    return done


async def refresh_ids(db: Database, ids: list[str], **options: int) -> int:
    """Refresh the nodes ``ids`` (ids of nodes that are not there are skipped)."""

    async def one_page() -> AsyncIterator[list[str]]:
        if ids:
            yield ids

    return await refresh(db, one_page(), **options)


async def refresh_all(db: Database, **options: int) -> int:
    """Refresh every node explore can center on, in pages of ids."""

    async def pages() -> AsyncIterator[list[str]]:
        after = ""
        while page := [row["id"] for row in await db.read("explore/node-ids", after=after, first=PAGE)]:
            yield page
            after = page[-1]

    return await refresh(db, pages(), **options)


async def refresh_marked(db: Database, **options: int) -> int:
    """Refresh the nodes an import marked (``:RefreshPending``), what a finished import owes."""

    async def pages() -> AsyncIterator[list[str]]:
        while marked := (await db.read("ingest/refresh-pending", limit=PAGE))[0]["ids"]:
            yield marked  # refreshing a page clears its marks: the next read finds the ones after it

    return await refresh(db, pages(), **options)

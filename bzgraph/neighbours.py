"""The ranked neighbour lists that ``explore`` reads, kept on every explorable node.

``cypher/explore/refresh.cypher`` computes them; whatever writes the graph (the seed loader, the
OpenAlex import, ``bzgraph explore refresh``) refreshes the nodes it touched, so that an ``explore``
request reads lists instead of walking the graph. See ``docs/explore.md``.
"""

from __future__ import annotations

from bzgraph.db import Database

NEIGHBOURS_KEPT = 200  # per node and kind: explore shows at most this many of a center's own of one kind (docs/explore.md)


async def refresh_neighbours(db: Database, ids: list[str] | None = None, chunk: int = 200) -> int:
    """Recompute the neighbour lists of ``ids`` (every explorable node when None), ``chunk`` per transaction."""
    done = 0
    if ids is not None:
        for start in range(0, len(ids), chunk):
            rows = await db.write("explore/refresh", ids=ids[start:start + chunk], keep=NEIGHBOURS_KEPT)
            done += rows[0]["refreshed"]
        return done
    after = ""
    while page := [row["id"] for row in await db.read("explore/node-ids", after=after, first=chunk)]:
        done += await refresh_neighbours(db, page, chunk)
        after = page[-1]
    return done

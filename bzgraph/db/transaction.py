"""A managed transaction that runs named queries only, and the plain rows it answers with."""

from __future__ import annotations

from typing import Any

import neo4j
from neo4j.graph import Node, Path, Relationship

from bzgraph import metrics, queries
from bzgraph.db.errors import unsendable_text
from bzgraph.db.request import record_query

Row = dict[str, Any]


_LEAVES = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """A value as ``Record.data()`` gives it (nodes as their properties, relationships as
    ``(start, TYPE, end)``, paths as alternating lists), with exact type checks instead of the
    driver's checks against abstract base classes: a profile row converts in about a tenth of the time."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is dict:
        return {key: plain(item) for key, item in value.items()}
    if kind is list:
        return [plain(item) for item in value]
    if isinstance(value, Node):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, Relationship):
        return (plain(value.start_node), type(value).__name__, plain(value.end_node))
    if isinstance(value, Path):
        out = [plain(value.start_node)]
        for relationship, node in zip(value.relationships, value.nodes[1:]):
            out += [type(relationship).__name__, plain(node)]
        return out
    return value


class Tx:
    """A managed transaction that runs named queries only."""

    def __init__(self, tx: neo4j.AsyncManagedTransaction) -> None:
        self._tx = tx

    async def run(self, name: str, /, *, max_rows: int | None = None, **params: Any) -> list[Row]:
        """The query's rows; with ``max_rows``, at most that many (the rest are discarded unread)."""
        return (await self.table(name, max_rows=max_rows, **params))[1]

    async def table(self, name: str, /, *, max_rows: int | None = None,
                    **params: Any) -> tuple[list[str], list[Row]]:
        """The query's columns (known even when no row comes back) and its rows, as :meth:`run`."""
        query = queries.get(name)
        record_query(name)
        with metrics.timed_query(name):
            with unsendable_text(name, params):
                result = await self._tx.run(query.text, params)
            return await table_of(result, max_rows)

    async def plan(self, name: str, /, *, run: bool, **params: Any) -> tuple[list[Row], dict[str, Any]]:
        """The query's plan as Neo4j reports it: with ``run``, under PROFILE (the query runs: its rows,
        and each operator's rows and database hits), else under EXPLAIN (planned, not run: no rows)."""
        query = queries.get(name)
        record_query(name)
        with unsendable_text(name, params):
            result = await self._tx.run(("PROFILE " if run else "EXPLAIN ") + query.text, params)
        _, rows = await table_of(result, None)
        summary = await result.consume()
        return rows, (summary.profile if run else summary.plan) or {}


async def table_of(result: neo4j.AsyncResult, max_rows: int | None) -> tuple[list[str], list[Row]]:
    """A result's columns and rows, as plain values (at most ``max_rows``; the rest discarded unread)."""
    rows: list[Row] = []
    async for record in result:
        if len(rows) == max_rows:
            await result.consume()
            break
        rows.append({key: plain(value) for key, value in record.items()})
    return list(result.keys()), rows

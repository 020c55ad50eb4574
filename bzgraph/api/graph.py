"""Whole-graph statistics: how many nodes and relationships of each kind there are."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from bzgraph.context import Context


@strawberry.type(description="How many nodes have a label, or relationships a type.")
class GraphCount:
    """How many nodes carry a label, or how many relationships have a type."""

    kind: str = strawberry.field(description="`node` or `relationship`")
    name: str = strawberry.field(description="the label or relationship type")
    count: int


@strawberry.type
class GraphQuery:
    @strawberry.field(description="Node counts per label and relationship counts per type.")
    async def graph_counts(self, info: Info[Context, None]) -> list[GraphCount] | None:
        rows = await info.context.db.read("graph-counts")
        return [GraphCount(kind=r["kind"], name=r["name"], count=r["count"]) for r in rows]

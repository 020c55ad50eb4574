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
    count: int = strawberry.field(description="how many nodes carry the label, or relationships have the type")


# What the accounts side of the graph holds: its counts would tell anyone polling them when someone signs
# up, claims a record or is invited (docs/graph-model.md), so only moderators see them.
ACCOUNT_LABELS = frozenset({"User", "Claim", "Invitation", "ClaimQueue"})
ACCOUNT_RELATIONSHIPS = frozenset({"FOLLOWS", "MADE", "CLAIMS", "CLAIMANT_OF", "SENT", "TO"})


@strawberry.type
class GraphQuery:
    @strawberry.field(description="Node counts per label and relationship counts per type (the accounts' labels "
                                  "and relationships only for moderators).")
    async def graph_counts(self, info: Info[Context, None]) -> list[GraphCount] | None:
        rows = await info.context.db.read("graph-counts")
        viewer = info.context.viewer
        if viewer is None or not viewer.is_moderator:
            rows = [r for r in rows if r["name"] not in (ACCOUNT_LABELS if r["kind"] == "node" else ACCOUNT_RELATIONSHIPS)]
        return [GraphCount(kind=r["kind"], name=r["name"], count=r["count"]) for r in rows]

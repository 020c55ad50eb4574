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
    count: int = strawberry.field(description="how many nodes carry the label, or relationships have the type (for "
                                              "non-moderators, `Entity` counts the public nodes only)")


# What the accounts side of the graph holds: its counts would tell anyone polling them when someone signs
# up, claims a record or is invited (docs/graph-model.md), so only moderators see them.
ACCOUNT_LABELS = frozenset({"User", "Claim", "Invitation", "ClaimQueue"})
# The account labels that come with `:Entity`, one to a node: the `Entity` count shown to others leaves them out
# (exactly: graph-counts counts every label in one scan of the nodes, so a sign-up meanwhile moves neither).
ACCOUNT_ENTITY_LABELS = frozenset({"User", "Claim", "Invitation"})
ACCOUNT_RELATIONSHIPS = frozenset({"FOLLOWS", "MADE", "CLAIMS", "CLAIMANT_OF", "SENT", "TO"})


@strawberry.type
class GraphQuery:
    @strawberry.field(description="Node counts per label and relationship counts per type (the accounts' labels "
                                  "and relationships, and their nodes in `Entity`, only for moderators).")
    async def graph_counts(self, info: Info[Context, None]) -> list[GraphCount] | None:
        # A scan of the whole graph: it takes its turn among the heavy queries, so that clients asking
        # for it again and again (or in many aliases at once) cannot hold the database for everyone.
        rows = await info.context.db.read("graph-counts", heavy=True)
        viewer = info.context.viewer
        if viewer is None or not viewer.is_moderator:
            rows = _public(rows)
        return [GraphCount(kind=r["kind"], name=r["name"], count=r["count"]) for r in rows]


def _public(rows: list[dict]) -> list[dict]:
    """The counts without the accounts side: its labels and relationship types, and its nodes in `Entity`."""
    accounts = sum(r["count"] for r in rows if r["kind"] == "node" and r["name"] in ACCOUNT_ENTITY_LABELS)
    public = []
    for r in rows:
        if r["name"] in (ACCOUNT_LABELS if r["kind"] == "node" else ACCOUNT_RELATIONSHIPS):
            continue
        if r["kind"] == "node" and r["name"] == "Entity":
            r = {**r, "count": r["count"] - accounts}
        public.append(r)
    return public

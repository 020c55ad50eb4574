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
# The public kinds of node, each with `:Entity` besides (docs/graph-model.md): the `Entity` count others see is
# theirs added up, exactly what they see (the accounts' nodes carry `:Entity` too, and graph-counts reads each
# label's count on its own: a sign-up between two reads would show in a difference, never in this sum).
PUBLIC_ENTITY_LABELS = frozenset({"Researcher", "Work", "Topic", "Institution", "Source"})
ACCOUNT_RELATIONSHIPS = frozenset({"FOLLOWS", "MADE", "CLAIMS", "CLAIMANT_OF", "SENT", "TO"})


@strawberry.type
class GraphQuery:
    @strawberry.field(description="Node counts per label and relationship counts per type of the graph model (the "
                                  "accounts' labels and relationships, and their nodes in `Entity`, only for moderators).")
    async def graph_counts(self, info: Info[Context, None]) -> list[GraphCount] | None:
        # The count store, in constant time whatever the graph's size: not a heavy query.
        rows = await info.context.db.read("graph-counts")
        viewer = info.context.viewer
        if viewer is None or not viewer.is_moderator:
            rows = _public(rows)
        return [GraphCount(kind=r["kind"], name=r["name"], count=r["count"]) for r in rows]


def _public(rows: list[dict]) -> list[dict]:
    """The counts without the accounts side: its labels and relationship types, and its nodes in `Entity`."""
    entities = sum(r["count"] for r in rows if r["kind"] == "node" and r["name"] in PUBLIC_ENTITY_LABELS)
    public = []
    for r in rows:
        if r["name"] in (ACCOUNT_LABELS if r["kind"] == "node" else ACCOUNT_RELATIONSHIPS):
            continue
        if r["kind"] == "node" and r["name"] == "Entity":
            r = {**r, "count": entities}
        public.append(r)
    return public

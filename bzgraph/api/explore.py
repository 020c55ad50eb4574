"""Explore: the bounded, deterministic neighbourhood around any node, and collaboration paths.

``explore`` reads the ranked neighbour lists that ``cypher/explore/refresh.cypher`` keeps on every
node (refreshed on write, ``bzgraph/neighbours.py``), so one request is one query whose cost depends
on ``limit``, never on the center's degree. See ``docs/explore.md``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from bzgraph.api.inputs import check_first, check_id, size_argument
from bzgraph.api.lookahead import selected_fields
from bzgraph.api.nodes import Node, NodeKind
from bzgraph.api.profile import Researcher, load_node
from bzgraph.api.works import Work
from bzgraph.context import Context
from bzgraph.errors import BadUserInput
from bzgraph.execution import PURE

MAX_LIMIT = 500
# Past this limit an explore at depth 2 is a heavy query (Database.heavy_slots): its memory grows with
# the lists it expands, about 40-112 MB around the sample's hubs at 500, a tenth of that at 50. So is
# one with cross edges at any depth: around a hub at 500, its 13,000 readings take this process's loop
# about 100 ms to shape, during which every other request waits.
HEAVY_LIMIT = 100
MAX_HOPS = 8
DEPTH, LIMIT, HOPS = 1, 50, 6  # the defaults of depth, limit and maxHops
# crossEdges(first:): its default and largest value. The shown nodes' kept lists bound how many
# there are, but not tightly (around a work of a thousand authors, every pair of those shown), so the
# answer holds a bounded number, which the query cost rule counts (bzgraph/cost.py).
CROSS_EDGES_FIRST = 1_000
CROSS_EDGES_MAX = 10_000
Reading = tuple[str, str, str, float]  # an edge as read from a kept list: start, end, kind, weight


@strawberry.type(description="A node of an explored neighbourhood.")
class GraphNode:
    id: strawberry.ID = strawberry.field(description="the node's id")
    kind: NodeKind = strawberry.field(description="the node's kind")
    label: str = strawberry.field(description="name or title, ready to draw")
    weight: float | None = strawberry.field(
        default=None, description="how strongly it belongs to the neighbourhood (null for the center)")

    @strawberry.field(description="The node itself, with its type's fields (a work's year, a researcher's trust tier) "
                                  "to draw it by: read in one query with every `node` of the request; null when it is "
                                  "gone since its list was kept.")
    async def node(self, info: Info[Context, None]) -> Node | None:
        return await load_node(info.context, str(self.id))


@strawberry.enum(description="How two nodes of an explored neighbourhood are joined.")
class EdgeKind(Enum):
    CO_AUTHORED = strawberry.enum_value("CO_AUTHORED", description="researchers who share works (weight: how many)")
    AUTHORED = strawberry.enum_value("AUTHORED", description="a researcher to their work (weight: the work's citations "
                                                             "seen from the researcher, 1 / author position from the work)")
    WORKS_ON = strawberry.enum_value("WORKS_ON", description="a researcher to a topic of their works (weight: how many)")
    HAS_TOPIC = strawberry.enum_value("HAS_TOPIC", description="a work to its topic (weight: the topic's score seen "
                                                               "from the work, the work's citations from the topic)")
    AFFILIATED_WITH = strawberry.enum_value("AFFILIATED_WITH", description="a researcher to an institution (weight: "
                                                                           "years affiliated)")
    CITES = strawberry.enum_value("CITES", description="a citing work to the work it cites (weight: the other work's "
                                                       "citations)")


@strawberry.type(description="An edge between two returned nodes.")
class GraphEdge:
    source: strawberry.ID = strawberry.field(description="the id of the node the edge starts from")
    target: strawberry.ID = strawberry.field(description="the id of the node the edge points to")
    kind: EdgeKind = strawberry.field(description="directed as in the graph (researcher to work to topic, "
                                                  "researcher to institution, citing to cited work)")
    weight: float = strawberry.field(description="the `weight` of the node it leads to, as read from the node it was "
                                                 "reached from (by kinds: shared works, citations, works with the topic, "
                                                 "years affiliated, 1 / author position or topic score; docs/explore.md)")


@strawberry.type(description="How many neighbours of a kind exist, and how many are shown.")
class KindTotal:
    kind: NodeKind = strawberry.field(description="the kind of neighbour counted")
    total: int = strawberry.field(description="neighbours of this kind (depth 1: the center's, exact; depth 2: plus "
                                              "the second-ring candidates in the expanded nodes' kept lists)")
    shown: int = strawberry.field(description="how many of them are in `nodes`")


@strawberry.type(description="A bounded subgraph around a center node.")
class Subgraph:
    center: GraphNode = strawberry.field(description="the node explored (its `weight` is null)")
    nodes: list[GraphNode] = strawberry.field(description="the neighbours shown, at most `limit`, the center not "
                                                          "included: first the center's own, the kinds interleaved by "
                                                          "rank (the heaviest of each kind, then the second of each, …), "
                                                          "then at depth 2 the second ring, best reading first")
    edges: list[GraphEdge] = strawberry.field(description="one per shown node, joining it to the node it was "
                                                          "reached from")
    totals: list[KindTotal] = strawberry.field(description="one per kind asked for (all when `kinds` is null or "
                                                           "empty), in NodeKind order")
    truncated: bool = strawberry.field(description="true when any neighbour was left out; false means the whole "
                                                   "neighbourhood is shown")
    all_cross_edges: strawberry.Private[list[Reading]]  # made GraphEdges only as far as `first` asks

    @strawberry.field(metadata=PURE, description=(
        "the other edges among the center and the shown nodes (a shown co-author to a shown work, a shown work to a "
        "shown topic, ...), each once, as far as the two ends' kept neighbour lists tell (docs/explore.md); in the "
        "order of their ends, the center's first, then each shown node's in the order of `nodes`; read only when asked "
        "for; null, with an error, for a `first` out of range"))
    def cross_edges(self, first: Annotated[int, size_argument(f"at most this many, 0 to {CROSS_EDGES_MAX:,}")]
                    = CROSS_EDGES_FIRST) -> list[GraphEdge] | None:
        return [_graph_edge(edge) for edge in self.all_cross_edges[:check_first(first, maximum=CROSS_EDGES_MAX)]]

    @strawberry.field(metadata=PURE, description="how many edges `crossEdges` has without its `first`: more than it "
                                                 "lists means it was cut short")
    def cross_edges_total(self) -> int:
        return len(self.all_cross_edges)


@strawberry.type(description="One co-authorship step of a collaboration path, with the works that join it.")
class PathStep:
    source: Researcher = strawberry.field(description="the researcher the step starts from (on the `from` side)")
    target: Researcher = strawberry.field(description="their co-author the step leads to (on the `to` side)")
    works: list[Work] = strawberry.field(description="the newest 10 of the works they share")
    shared_works: int = strawberry.field(description="how many works they share in all")


@strawberry.type(description="The shortest chain of co-authorships between two researchers.")
class CollaborationPath:
    hops: int = strawberry.field(description="how many co-authorships the chain has (0 when `from` is `to`)")
    researchers: list[Researcher] = strawberry.field(description="the chain, from `from` to `to`")
    steps: list[PathStep] = strawberry.field(description="one per hop, in chain order")


# Edges point as the graph's relationships do: researcher -> work -> topic, researcher -> topic
# (WORKS_ON, through their works), researcher -> institution, citing work -> cited work.
_EDGE_ORDER = {"RESEARCHER": 0, "WORK": 1, "TOPIC": 2, "INSTITUTION": 2}
_DIRECTED = frozenset({"AUTHORED", "HAS_TOPIC", "WORKS_ON", "AFFILIATED_WITH"})


_EDGE_KINDS = {kind.name: kind for kind in EdgeKind}  # a dict look-up: calling the Enum costs ten times more


def _read(source: str, source_kind: str, node: dict[str, Any]) -> Reading:
    """The edge between a node and the node it was reached from (``source``), pointing the
    graph's way; a ``CITED_BY`` reading is the citing work's ``CITES``."""
    via, start, end = node["via"], source, node["id"]
    if via == "CITED_BY":
        start, end, via = end, start, "CITES"
    elif via in _DIRECTED and _EDGE_ORDER[node["kind"]] < _EDGE_ORDER[source_kind]:
        start, end = end, start
    return start, end, via, node["weight"]


def _graph_edge(edge: Reading) -> GraphEdge:
    start, end, via, weight = edge
    return GraphEdge(source=strawberry.ID(start), target=strawberry.ID(end), kind=_EDGE_KINDS[via], weight=weight)


def _edge(source: str, source_kind: str, node: dict[str, Any]) -> GraphEdge:
    return _graph_edge(_read(source, source_kind, node))


def _edge_key(start: str, end: str, via: str) -> tuple[str, str, str]:
    """What makes two readings the same edge: its ends and kind (a co-authorship has no direction)."""
    if via == "CO_AUTHORED" and end < start:
        return end, start, via
    return start, end, via


def _cross_edges(readings: list[dict[str, Any]], kind_of: dict[str, str], tree: list[GraphEdge]) -> list[Reading]:
    """The edges among shown nodes besides the ``tree`` (each node's edge to the node it was reached
    from), one per pair and kind, in the order first read. An edge is often read from both ends:
    its weight is the one its start reads (the end's reading when the start's list lacks it), as
    for the tree's edges. Thousands of readings around a hub: plain tuples until the edges kept."""
    seen = {_edge_key(str(edge.source), str(edge.target), edge.kind.name) for edge in tree}
    found: dict[tuple[str, str, str], tuple[Reading, bool]] = {}  # the edge, and whether its start read it
    for reading in readings:
        source = reading["source"]
        if source == reading["id"]:
            continue
        edge = _read(source, kind_of[source], reading)
        key = _edge_key(edge[0], edge[1], edge[2])
        if key in seen:
            continue
        by_start = source == edge[0]
        if key not in found or (by_start and not found[key][1]):
            found[key] = (edge, by_start)
    return [edge for edge, _ in found.values()]


def subgraph_from_row(row: dict[str, Any], kinds: list[NodeKind] | None, depth: int) -> Subgraph:
    """Shape the neighbourhood query's row; totals count every neighbour, shown or not. At depth 2 the
    row also says whether neighbours the totals cannot count were left out (``leftOut``)."""
    order = row["kindOrder"]
    wanted = [k.name for k in kinds] if kinds else order
    center = row["center"]
    kind_of = {center["id"]: center["kind"], **{n["id"]: n["kind"] for n in row["nodes"]}}
    nodes = [GraphNode(id=strawberry.ID(n["id"]), kind=NodeKind(n["kind"]), label=n["label"], weight=n["weight"])
             for n in row["nodes"]]
    edges = [_edge(n["source"], kind_of[n["source"]], n) for n in row["nodes"]]
    cross_edges = _cross_edges(row["crossReadings"], kind_of, edges)
    shown = Counter(n.kind.name for n in nodes)
    found2 = row["found2"] if depth >= 2 else [0] * len(order)
    totals = [KindTotal(kind=NodeKind(k), total=row["totals"][i] + found2[i], shown=shown[k])
              for i, k in enumerate(order) if k in wanted]
    return Subgraph(
        center=GraphNode(id=strawberry.ID(center["id"]), kind=NodeKind(center["kind"]), label=center["label"]),
        nodes=nodes, edges=edges, all_cross_edges=cross_edges, totals=totals,
        truncated=any(t.total > t.shown for t in totals) or bool(row["leftOut"]),
    )


@strawberry.type
class ExploreQuery:
    @strawberry.field(description=f"The neighbourhood of any node, bounded by `limit` (≤ {MAX_LIMIT}); null for an unknown id.")
    async def explore(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="the center: any node's id")],
                      depth: Annotated[int, size_argument("1: the center's neighbours; 2: their neighbours too")] = DEPTH,
                      kinds: Annotated[list[NodeKind] | None, strawberry.argument(description="the kinds of neighbour to show; null or empty: all")] = None,
                      limit: Annotated[int, size_argument(f"at most this many nodes besides the center, 1 to {MAX_LIMIT}")] = LIMIT) -> Subgraph | None:
        if depth not in (1, 2):
            raise BadUserInput("`depth` must be 1 or 2", argument="depth")
        if not 1 <= limit <= MAX_LIMIT:
            raise BadUserInput(f"`limit` must be between 1 and {MAX_LIMIT}", argument="limit")
        cross_edges = bool(selected_fields(info, {"crossEdges", "crossEdgesTotal"}))
        rows = await info.context.db.read(
            "explore/neighbourhood", heavy=limit > HEAVY_LIMIT and (depth == 2 or cross_edges), id=check_id(id),
            depth=depth, limit=limit, firstLevel=limit if depth == 1 else (limit + 1) // 2,
            kinds=[k.name for k in kinds] if kinds else None, crossEdges=cross_edges)
        if not rows:
            return None
        if cross_edges and limit > HEAVY_LIMIT:
            await asyncio.sleep(0)  # thousands of readings to shape: let the requests waiting on the loop go first
        return subgraph_from_row(rows[0], kinds, depth)

    @strawberry.field(description="The shortest chain of co-authorships between two researchers, "
                                  f"with the works joining each step; null when none within `maxHops` (≤ {MAX_HOPS}).")
    async def collaboration_path(self, info: Info[Context, None],
                                 from_: Annotated[strawberry.ID, strawberry.argument(name="from", description="a researcher's id")],
                                 to: Annotated[strawberry.ID, strawberry.argument(description="another researcher's id")],
                                 max_hops: Annotated[int, size_argument(f"the longest chain of co-authorships to look for, 1 to {MAX_HOPS}")] = HOPS) -> CollaborationPath | None:
        if not 1 <= max_hops <= MAX_HOPS:
            raise BadUserInput(f"`maxHops` must be between 1 and {MAX_HOPS}", argument="maxHops")
        rows = await info.context.db.read("explore/collaboration-path", heavy=True, source=check_id(from_, "from"),
                                          target=check_id(to, "to"), maxHops=max_hops)
        if not rows or rows[0]["researchers"] is None:
            return None
        row = rows[0]
        people = [Researcher.from_row(r, info.context) for r in row["researchers"]]
        steps = [PathStep(source=people[i], target=people[i + 1], works=[Work.from_row(w) for w in step["works"]],
                          shared_works=step["sharedWorks"])
                 for i, step in enumerate(row["steps"])]
        return CollaborationPath(hops=len(steps), researchers=people, steps=steps)

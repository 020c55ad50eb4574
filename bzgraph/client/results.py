"""The typed results of the notebook client: profiles, neighbourhoods, search hits, rows, with
``to_pandas`` and ``to_networkx``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import networkx
    import pandas

T = TypeVar("T")
Data = dict[str, Any]


class Records(list[T]):
    """A list of results that turns into a DataFrame: one row per item, one column per field of
    ``of`` (a dataclass) or per name of ``columns`` (for dicts), present even when there are no
    rows; integers that may be missing are pandas' nullable ``Int64``, so a year stays a whole number."""

    def __init__(self, items: Iterable[T] = (), of: type | None = None, columns: list[str] | None = None) -> None:
        super().__init__(items)
        self.of = of
        self.columns = columns

    def to_pandas(self) -> pandas.DataFrame:
        import pandas as pd

        if self.of is None:
            return _frame([x for x in self], self.columns)  # type: ignore[misc]
        frame = pd.DataFrame([asdict(x) for x in self],  # type: ignore[call-overload]
                             columns=[f.name for f in fields(self.of)])
        return frame.astype({f.name: _DTYPES[f.type] for f in fields(self.of) if f.type in _DTYPES})

_DTYPES = {"int": "int64", "int | None": "Int64", "float": "float64", "float | None": "float64"}


def _frame(rows: list[Data], columns: list[str] | None) -> pandas.DataFrame:
    """Rows of dicts as a DataFrame; a column of whole numbers with some missing is ``Int64``
    (pandas would make it floats)."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns)
    for name in frame.columns:
        raw = [row.get(name) for row in rows]
        present = [v for v in raw if v is not None]
        if present and len(present) < len(raw) \
                and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
            frame[name] = pd.array(raw, dtype="Int64")
    return frame


@dataclass(frozen=True)
class Work:
    id: str
    type: str | None
    year: int | None
    venue: str | None
    title: str | None
    abstract: str | None


@dataclass(frozen=True)
class WorksPage:
    total_count: int
    has_next_page: bool
    end_cursor: str | None
    items: Records[Work]

    def to_pandas(self) -> pandas.DataFrame:
        return self.items.to_pandas()


@dataclass(frozen=True)
class Affiliation:
    id: str
    name: str
    country: str | None


@dataclass(frozen=True)
class Counts:
    works: int
    followers: int
    topics: int
    close_collaborators: int


@dataclass(frozen=True)
class Trust:
    score: int
    tier: str
    verification_level: str


@dataclass(frozen=True)
class ViewerState:
    is_following: bool
    can_claim: bool
    can_invite: bool


@dataclass(frozen=True)
class Profile:
    """A researcher's profile page (the ProfilePage operation)."""

    id: str
    name: str
    headline: str | None
    open_to_collaborate: bool
    claimed: bool
    affiliation: Affiliation | None
    counts: Counts
    trust: Trust
    viewer_state: ViewerState | None
    works: WorksPage

    @classmethod
    def from_data(cls, r: Data) -> Profile:
        works = r["works"]
        aff, trust, viewer = r["affiliation"], r["trust"], r["viewerState"]
        return cls(
            id=r["id"], name=r["name"], headline=r["headline"], open_to_collaborate=r["openToCollaborate"],
            claimed=r["claimed"], affiliation=Affiliation(**aff) if aff else None,
            counts=Counts(works=r["counts"]["works"], followers=r["counts"]["followers"],
                          topics=r["counts"]["topics"], close_collaborators=r["counts"]["closeCollaborators"]),
            trust=Trust(score=trust["score"], tier=trust["tier"], verification_level=trust["verificationLevel"]),
            viewer_state=ViewerState(is_following=viewer["isFollowing"], can_claim=viewer["canClaim"],
                                     can_invite=viewer["canInvite"]) if viewer else None,
            works=WorksPage(total_count=works["totalCount"], has_next_page=works["pageInfo"]["hasNextPage"],
                            end_cursor=works["pageInfo"]["endCursor"],
                            items=Records((Work(**e["node"]) for e in works["edges"]), of=Work)))


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    label: str
    weight: float | None = None


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str
    weight: float


@dataclass(frozen=True)
class KindTotal:
    kind: str
    total: int
    shown: int


@dataclass(frozen=True)
class Neighbourhood:
    """A bounded subgraph around a center node (the ResearchGraph operation)."""

    center: Node
    nodes: Records[Node]
    edges: Records[Edge]
    totals: Records[KindTotal]
    truncated: bool
    cross_edges: Records[Edge] = field(default_factory=lambda: Records(of=Edge))  # asked for with cross_edges=True
    cross_edges_total: int | None = None  # how many there are (more than cross_edges holds: cut at the API's 1,000)

    @classmethod
    def from_data(cls, g: Data) -> Neighbourhood:
        return cls(center=Node(**g["center"]), nodes=Records((Node(**n) for n in g["nodes"]), of=Node),
                   edges=Records((Edge(**e) for e in g["edges"]), of=Edge),
                   totals=Records((KindTotal(**t) for t in g["totals"]), of=KindTotal), truncated=g["truncated"],
                   cross_edges=Records((Edge(**e) for e in g.get("crossEdges", ())), of=Edge),
                   cross_edges_total=g.get("crossEdgesTotal"))

    def to_networkx(self) -> networkx.DiGraph:
        """A directed graph: nodes keep ``kind``, ``label``, ``weight`` and ``center``; edges ``kind`` and ``weight``
        (the cross edges too, when they were asked for)."""
        import networkx as nx

        graph = nx.DiGraph(center=self.center.id, truncated=self.truncated)
        for node in (self.center, *self.nodes):
            graph.add_node(node.id, kind=node.kind, label=node.label, weight=node.weight,
                           center=node.id == self.center.id)
        for edge in (*self.edges, *self.cross_edges):
            graph.add_edge(edge.source, edge.target, kind=edge.kind, weight=edge.weight)
        return graph

    def to_pandas(self) -> pandas.DataFrame:
        """The nodes (the center first) as a DataFrame."""
        return Records([self.center, *self.nodes], of=Node).to_pandas()


@dataclass(frozen=True)
class SearchHit:
    score: float
    id: str
    kind: str
    label: str
    year: int | None = None


@dataclass(frozen=True)
class SearchResults:
    """A page of full-text search hits, ranked by relevance (the contract's Search, with paging:
    pass ``end_cursor`` as ``after`` for the next page). ``truncated``: a kind had more hits than
    the API ranks (1,000), so the last page is not the last hit; more words narrow the search."""

    total_count: int
    hits: Records[SearchHit]
    has_next_page: bool = False
    end_cursor: str | None = None
    truncated: bool = False

    @classmethod
    def from_data(cls, s: Data) -> SearchResults:
        hits = Records((SearchHit(score=h["score"], id=h["node"]["id"], kind=h["node"]["__typename"].upper(),
                                  label=h["node"].get("name") or h["node"].get("title") or h["node"]["id"],
                                  year=h["node"].get("year")) for h in s["hits"]), of=SearchHit)
        return cls(total_count=s["totalCount"], hits=hits, has_next_page=s["pageInfo"]["hasNextPage"],
                   end_cursor=s["pageInfo"]["endCursor"], truncated=s["truncated"])

    def __iter__(self) -> Iterator[SearchHit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def to_pandas(self) -> pandas.DataFrame:
        return self.hits.to_pandas()


@dataclass(frozen=True)
class Rows:
    """The rows of a named Cypher query, one dict per row."""

    name: str
    columns: list[str]
    rows: Records[Data] = field(default_factory=Records)
    truncated: bool = False

    def __iter__(self) -> Iterator[Data]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> Data:
        return self.rows[index]

    def to_pandas(self) -> pandas.DataFrame:
        return _frame(list(self.rows), self.columns)

"""The requests both clients send: a bundled GraphQL operation, its variables, and how its
``data`` becomes a typed result."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from bzgraph.client.errors import TruncatedWarning
from bzgraph.client.results import Data, Neighbourhood, Profile, Records, Rows, SearchHit, SearchResults, Work

T = TypeVar("T")


@cache
def operation(name: str) -> str:
    """The text of a bundled GraphQL operation (``bzgraph/operations/NAME.graphql``)."""
    return resources.files("bzgraph").joinpath("operations", f"{name}.graphql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Call:
    """One GraphQL operation and how to shape its ``data``."""

    document: str
    variables: Data
    shape: Callable[[Data], Any]


PAGE_MAX = 100  # the most a page of the API holds (works, search hits)


class Pages:
    """The pages of one list, read one after another (``Client.all_works``, ``Client.all_hits``)."""

    def __init__(self) -> None:
        self.more, self.found = True, False
        self.after: str | None = None
        self.items: list[Any] = []

    def add_works(self, profile: Profile | None) -> None:
        if profile is None:
            self.more = False
            return
        self.found = True
        self.items += profile.works.items
        self.more, self.after = profile.works.has_next_page, profile.works.end_cursor

    def works(self) -> Records[Work] | None:
        return Records(self.items, of=Work) if self.found else None

    def add_hits(self, page: SearchResults, text: str) -> None:
        self.items += page.hits
        self.more, self.after = page.has_next_page, page.end_cursor
        if not self.more and page.truncated:
            warnings.warn(f"{text!r}: a kind has more hits than the API ranks (1,000): add words to narrow the search",
                          TruncatedWarning, stacklevel=3)

    def hits(self) -> Records[SearchHit]:
        return Records(self.items, of=SearchHit)


def _kinds(kinds: list[str] | str | None) -> list[str] | None:
    if kinds is None:
        return None
    return [k.upper() for k in ([kinds] if isinstance(kinds, str) else kinds)]


def _maybe(key: str, shape: Callable[[Data], T]) -> Callable[[Data], T | None]:
    return lambda data: shape(data[key]) if data[key] is not None else None


def profile(id: str, works_first: int, works_after: str | None) -> Call:
    return Call(operation("ProfilePage"), {"id": id, "worksFirst": works_first, "worksAfter": works_after},
                 _maybe("researcher", Profile.from_data))


def explore(id: str, depth: int, kinds: list[str] | str | None, limit: int, cross_edges: bool) -> Call:
    def shape(g: Data) -> Neighbourhood:
        hood = Neighbourhood.from_data(g)
        if hood.cross_edges_total is not None and hood.cross_edges_total > len(hood.cross_edges):
            warnings.warn(f"{id}: the API lists the first {len(hood.cross_edges):,} of {hood.cross_edges_total:,} cross "
                          "edges, those of the center and the highest-ranked nodes (for more, up to 10,000, send a "
                          "document with crossEdges(first: N) to execute())",
                          TruncatedWarning, stacklevel=5)  # _maybe's lambda is one frame more than cypher's
        return hood

    return Call(operation("ExploreGraph" if cross_edges else "ResearchGraph"),
                 {"id": id, "depth": depth, "kinds": _kinds(kinds), "limit": limit}, _maybe("explore", shape))


def search(text: str, kinds: list[str] | str | None, first: int, after: str | None) -> Call:
    return Call(operation("SearchPage"), {"q": text, "kinds": _kinds(kinds), "first": first, "after": after},
                 lambda data: SearchResults.from_data(data["search"]))


def cypher(name: str, params: Data) -> Call:
    def shape(data: Data) -> Rows:
        c = data["cypher"]
        if c["truncated"]:
            warnings.warn(f"{name}: the API answers at most {len(c['rows'])} rows and this query has more; "
                          "pass a smaller limit, or run it directly (Client(..., neo4j_uri=...)) for every row",
                          TruncatedWarning, stacklevel=4)
        return Rows(name=c["name"], columns=c["columns"], rows=Records(c["rows"], columns=c["columns"]),
                    truncated=c["truncated"])

    return Call(operation("AnalystQuery"), {"name": name, "params": params}, shape)

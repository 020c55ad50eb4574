"""Works, topics and institutions, and the lists that lead on from them.

A work's ``references`` and ``citedBy`` and a topic's ``works`` are pages of one named query,
``cypher/work/page.cypher``; an institution's ``researchers`` are pages of
``cypher/institution/researchers.cypher``. Like a work's authors and topics, each list is batched
over the request: every node that asks for the same page reads it in the same run of its query.
The lists are keyset-paged like a researcher's works: a cursor holds the position of the last item
and belongs to its list alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from bzgraph import cursors
from bzgraph.api.inputs import MAX_PAGE, check_first, size_argument
from bzgraph.api.nodes import Node
from bzgraph.context import Context

if TYPE_CHECKING:
    from bzgraph.api.profile import Researcher

Row = dict[str, Any]
LIST_FIRST = 10
# year (-10000 when unknown: below any year the import keeps, -9999 to 9999), sort title (300 characters), id
WORKS_POSITION = (int, str, str)
# The version of the year orders, in the scope of their cursors: a cursor made when an unknown year
# sorted as -1, or titles and names by code point (before 2026-11-29), belongs to another list, refused
# rather than paging on wrongly.
YEAR_ORDER = "y3"
MEMBERS_POSITION = (int, str, str)  # latest year the affiliation was seen, name as it sorts (nameKey), id
RANKED_POSITION = (int, str, str)  # a researcher's count in a ranked list, name as it sorts (nameKey), id
FIRST_DESCRIPTION = f"at most this many, 0 to {MAX_PAGE}"
# A work's authors, the first of them in author-list order: works of large collaborations have
# thousands, and the list, once unbounded, let one small request ask for millions of fields.
AUTHORS_FIRST = 20  # most works have fewer; `authorCount` tells a UI when to ask for more
AUTHORS_MAX = 1_000
AFTER_DESCRIPTION = "the endCursor of the page before; null for the first page"


@strawberry.type(description="An institution researchers are affiliated with.")
class Institution(Node):
    id: strawberry.ID = strawberry.field(description="unique across the whole graph (imported: OpenAlex's `I…` id)")
    name: str = strawberry.field(description="display name")
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 code")
    ror: str | None = strawberry.field(
        default=None, description="the ROR id as its full URL (`https://ror.org/…`, as OpenAlex gives it; unlike the "
                                  "bare `orcid` and `doi`); null when unknown")
    type: str | None = strawberry.field(default=None, description="the kind of institution as OpenAlex names it "
                                                                  "(e.g. `education`, `company`); null when unknown")

    @classmethod
    def from_row(cls, row: Row) -> Institution:
        return cls(id=strawberry.ID(row["id"]), name=row.get("name") or "", country=row.get("country"),
                   ror=row.get("ror"), type=row.get("type"))

    @strawberry.field(description="Researchers affiliated with the institution, the most recently seen there first, "
                                  "then by name; keyset-paged with `after` (batched). Null, with an error, when "
                                  "`first` or `after` is refused.")
    async def researchers(self, info: Info[Context, None],
                          first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = LIST_FIRST,
                          after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
                          ) -> AffiliationConnection | None:
        return await members_page(info.context, str(self.id), first, after)


@strawberry.type(description="A research topic.")
class Topic(Node):
    id: strawberry.ID = strawberry.field(description="unique across the whole graph (imported: OpenAlex's `T…` id, "
                                                     "or `C…` for a 2022 concept)")
    name: str = strawberry.field(description="display name")
    subfield: str | None = strawberry.field(default=None, description="the topic's subfield in OpenAlex's taxonomy "
                                                                      "(null for a 2022 concept, `C…`)")
    field: str | None = strawberry.field(default=None, description="the subfield's field (null for a 2022 concept)")
    domain: str | None = strawberry.field(default=None, description="the field's domain (null for a 2022 concept)")

    @classmethod
    def from_row(cls, row: Row) -> Topic:
        return cls(id=strawberry.ID(row["id"]), name=row.get("name") or "", subfield=row.get("subfield"),
                   field=row.get("field"), domain=row.get("domain"))

    @strawberry.field(description="Works about this topic, newest first; keyset-paged with `after` (batched). "
                                  "Null, with an error, when `first` or `after` is refused.")
    async def works(self, info: Info[Context, None],
                    first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = LIST_FIRST,
                    after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
                    ) -> WorkConnection | None:
        return await works_page(info.context, "topic", str(self.id), first, after)

    @strawberry.field(description="Researchers working on this topic, the most works with it first, then by name; "
                                  "keyset-paged with `after` (batched). Null, with an error, when `first` or `after` is "
                                  "refused.")
    async def researchers(self, info: Info[Context, None],
                          first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = LIST_FIRST,
                          after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
                          ) -> TopicResearcherConnection | None:
        return await topic_researchers_page(info.context, str(self.id), first, after)


@strawberry.type(description="A venue: the journal, repository or conference a work was published in.")
class Source:
    id: strawberry.ID = strawberry.field(description="unique across the whole graph (imported: OpenAlex's `S…` id)")
    name: str = strawberry.field(description="display name (a work's `venue`)")
    type: str | None = strawberry.field(default=None, description="as OpenAlex names it: `journal`, `repository`, "
                                                                  "`conference`, …; null when unknown")
    issn: str | None = strawberry.field(default=None, description="its linking ISSN (ISSN-L), e.g. `1234-5678`; null "
                                                                  "when it has none")

    @classmethod
    def from_row(cls, row: Row) -> Source:
        return cls(id=strawberry.ID(row["id"]), name=row.get("name") or row["id"], type=row.get("type"),
                   issn=row.get("issn"))


@strawberry.type(description="A topic of a work, with how strongly the work is about it.")
class WorkTopic:
    score: float = strawberry.field(description="how strongly the work is about the topic, in (0, 1]")
    topic: Topic = strawberry.field(description="the topic")


@strawberry.type(description="An author of a work, in author-list order.")
class Authorship:
    position: int = strawberry.field(description="place in the author list, from 1")
    researcher: Annotated[Researcher, strawberry.lazy("bzgraph.api.profile")] = strawberry.field(
        description="the author's researcher record")


async def batched(context: Context, name: str, node_id: str, *, heavy: bool = False, **params: Any) -> Row:
    """The row of the named query ``name`` for ``node_id`` (``{}`` when it has none): one run of the
    query, with ``params``, for every node of the request that asks with the same ``params``; a
    ``heavy`` query (its cost follows the graph's shape) waits for a heavy slot."""
    key = (name, tuple(sorted(params.items())))
    loader = context.loaders.get(key)
    if loader is None:
        async def load(ids: list[str]) -> list[Row]:
            found = await context.db.read(name, ids=list(dict.fromkeys(ids)), heavy=heavy, **params)
            rows = {r["id"]: r for r in found}
            return [rows.get(i, {}) for i in ids]

        loader = context.loaders[key] = DataLoader(load_fn=load)
    return await loader.load(node_id)


async def _authors(context: Context, work_id: str, wanted: int) -> Row:
    """The ``work/authors`` row of a work with at least its first ``wanted`` authors: one query for
    every work of the request, reading out as many authors as the most any field asks for (their
    researchers carry whole rows: a hub's 100 works, each read out to 1,000 authors for the first 20,
    sent 1.4 MB)."""
    loader = context.loaders.get("work/authors")
    if loader is None:
        async def load(keys: list[tuple[str, int]]) -> list[Row]:
            most = max(wanted for _, wanted in keys)
            found = await context.db.read("work/authors", ids=list(dict.fromkeys(i for i, _ in keys)), max=most)
            rows = {r["id"]: r for r in found}
            return [rows.get(i, {}) for i, _ in keys]

        loader = context.loaders["work/authors"] = DataLoader(load_fn=load)
    return await loader.load((str(work_id), wanted))


@strawberry.type(description="A published work: article, preprint, chapter, …")
class Work(Node):
    id: strawberry.ID = strawberry.field(description="unique across the whole graph (imported: OpenAlex's `W…` id)")
    title: str | None = strawberry.field(description="null when the record has none (a few OpenAlex works)")
    type: str | None = strawberry.field(default=None, description="as OpenAlex names it: `article`, `preprint`, "
                                                                  "`book-chapter`, …")
    year: int | None = strawberry.field(default=None, description="publication year; null when unknown")
    venue: str | None = strawberry.field(default=None, description="name of the primary venue")
    abstract: str | None = strawberry.field(default=None, description="HTML entities decoded; null when the record "
                                                                      "has none")
    date: str | None = strawberry.field(default=None, description="publication date, ISO 8601 (a preprint's: the day it was posted)")
    doi: str | None = strawberry.field(default=None, description="the bare DOI in lower case, without "
                                                                 "`https://doi.org/` (e.g. `10.1007/s10208-022-09557-9`)")
    arxiv_id: str | None = strawberry.field(default=None, description="the bare arXiv id, without `arXiv:` or a "
                                                                      "version (e.g. `2012.03772`)")
    language: str | None = strawberry.field(default=None, description="ISO 639-1 code, e.g. `en`; null when unknown")
    cited_by_count: int = strawberry.field(default=0, description="citations from anywhere, as the source reports "
                                                                  "them (0 when unknown); `citedBy` lists those in the graph")

    @classmethod
    def from_row(cls, row: Row) -> Work:
        return cls(
            id=strawberry.ID(row["id"]), title=row.get("title") or None, type=row.get("type"),
            year=row.get("year"), venue=row.get("venue"), abstract=row.get("abstract"),
            date=row.get("date"), doi=row.get("doi"), arxiv_id=row.get("arxivId"),
            language=row.get("language"), cited_by_count=row.get("citedByCount") or 0,
        )

    @strawberry.field(description=f"Authors with a researcher record, in author-list order, the first `first` "
                                  f"(at most {AUTHORS_MAX:,}; `authorCount` says how many there are; batched). Null, with an error, "
                                  f"when `first` is refused or the authors cannot be read: the work and its list keep the rest.")
    async def authors(self, info: Info[Context, None],
                      first: Annotated[int, size_argument(f"at most this many, 0 to {AUTHORS_MAX:,}")] = AUTHORS_FIRST) -> list[Authorship] | None:
        first = check_first(first, maximum=AUTHORS_MAX)
        row = await _authors(info.context, self.id, first)
        return [Authorship(position=a["position"],
                           researcher=_researcher(a["researcher"], info.context))
                for a in row.get("authors", [])[:first]]

    @strawberry.field(description="How many authors with a researcher record the work has (`authors` lists them). "
                                  "Null, with an error, when the authors cannot be read.")
    async def author_count(self, info: Info[Context, None]) -> int | None:
        return (await _authors(info.context, self.id, 0)).get("authorCount", 0)

    @strawberry.field(description=f"Author names without a researcher record (e.g. unlinked OpenAlex authorships), "
                                  f"in author-list order, the first {AUTHORS_MAX:,}. Null, with an error, when the authors "
                                  f"cannot be read.")
    async def raw_author_names(self, info: Info[Context, None]) -> list[str] | None:
        return (await _authors(info.context, self.id, AUTHORS_MAX)).get("rawAuthorNames", [])

    @strawberry.field(description="The venue itself (`venue` is its name): its id, type and ISSN; null when the "
                                  "work has none (batched).")
    async def source(self, info: Info[Context, None]) -> Source | None:
        row = await batched(info.context, "work/source", self.id)
        return Source.from_row(row["source"]) if row else None

    @strawberry.field(description="Topics of the work, strongest first (batched). Null, with an error, when they "
                                  "cannot be read: the work and its list keep the rest.")
    async def topics(self, info: Info[Context, None]) -> list[WorkTopic] | None:
        row = await batched(info.context, "work/topics", self.id)
        return [WorkTopic(score=t["score"], topic=Topic.from_row(t["topic"])) for t in row.get("topics", [])]

    @strawberry.field(description="Works in the graph that this work cites, newest first; keyset-paged with `after` "
                                  "(batched). Null, with an error, when `first` or `after` is refused.")
    async def references(self, info: Info[Context, None],
                         first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = LIST_FIRST,
                         after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
                         ) -> WorkConnection | None:
        return await works_page(info.context, "references", str(self.id), first, after)

    @strawberry.field(description="Works in the graph that cite this work, newest first; keyset-paged with `after` "
                                  "(batched). `citedByCount` counts citations anywhere; this lists those in the graph. "
                                  "Null, with an error, when `first` or `after` is refused.")
    async def cited_by(self, info: Info[Context, None],
                       first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = LIST_FIRST,
                       after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
                       ) -> WorkConnection | None:
        return await works_page(info.context, "citedBy", str(self.id), first, after)


@strawberry.type(description="Where a page sits in its list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="true when more items follow this page")
    end_cursor: str | None = strawberry.field(description="the cursor of the page's last item, to pass as `after` for "
                                                          "the next page; null when the page is empty")
    has_previous_page: bool = strawberry.field(description="true when this page was asked for `after` a cursor")
    start_cursor: str | None = strawberry.field(default=None, description="the cursor of the page's first item; "
                                                                          "null when the page is empty")


@strawberry.type(description="A work on a page, with the cursor that pages on after it.")
class WorkEdge:
    cursor: str = strawberry.field(description="pass as `after` for the works after this one")
    node: Work = strawberry.field(description="the work")


@strawberry.type(description="A page of works, newest first (year, then title as a reader files it: case, accents and leading punctuation aside).")
class WorkConnection:
    total_count: int = strawberry.field(description="how many works the whole list holds, as of this page")
    page_info: PageInfo = strawberry.field(description="where this page sits in the list")
    edges: list[WorkEdge] = strawberry.field(description="the works of this page, in list order")


@strawberry.type(description="A researcher on a page of an institution's researchers.")
class AffiliationEdge:
    cursor: str = strawberry.field(description="pass as `after` for the researchers after this one")
    years: list[int] = strawberry.field(description="the years the affiliation was seen, oldest first")
    node: Annotated[Researcher, strawberry.lazy("bzgraph.api.profile")] = strawberry.field(
        description="the affiliated researcher")


@strawberry.type(description="A page of an institution's researchers, the most recently seen there first, then by name.")
class AffiliationConnection:
    total_count: int = strawberry.field(description="how many researchers are affiliated with the institution, as of "
                                                    "this page")
    page_info: PageInfo = strawberry.field(description="where this page sits in the list")
    edges: list[AffiliationEdge] = strawberry.field(description="the researchers of this page, in list order")


@strawberry.type(description="A researcher working on a topic, with how many of their works have it.")
class TopicResearcherEdge:
    cursor: str = strawberry.field(description="pass as `after` for the researchers after this one")
    works_count: int = strawberry.field(description="how many of the researcher's works have the topic")
    node: Annotated[Researcher, strawberry.lazy("bzgraph.api.profile")] = strawberry.field(
        description="the researcher")


@strawberry.type(description="A page of a topic's researchers, the most works with it first, then by name.")
class TopicResearcherConnection:
    total_count: int = strawberry.field(description="how many researchers have works with the topic, as of this page")
    page_info: PageInfo = strawberry.field(description="where this page sits in the list")
    edges: list[TopicResearcherEdge] = strawberry.field(description="the researchers of this page, in list order")


@strawberry.type(description="A co-author, with how many works they share.")
class CoauthorEdge:
    cursor: str = strawberry.field(description="pass as `after` for the co-authors after this one")
    shared_works: int = strawberry.field(description="how many works both authored (at least 1)")
    node: Annotated[Researcher, strawberry.lazy("bzgraph.api.profile")] = strawberry.field(description="the co-author")


@strawberry.type(description="A page of a researcher's co-authors, the most shared works first, then by name.")
class CoauthorConnection:
    total_count: int = strawberry.field(description="how many researchers share a work with this one, as of this page")
    page_info: PageInfo = strawberry.field(description="where this page sits in the list")
    edges: list[CoauthorEdge] = strawberry.field(description="the co-authors of this page, in list order")


# -- pages ------------------------------------------------------------------------------------


def page_info(cursors_on_page: list[str], has_next: bool, has_previous: bool) -> PageInfo:
    """Where a page with these cursors sits in its list."""
    return PageInfo(has_next_page=has_next, end_cursor=cursors_on_page[-1] if cursors_on_page else None,
                    has_previous_page=has_previous, start_cursor=cursors_on_page[0] if cursors_on_page else None)


def works_connection(scope: str, rows: list[Row], total: int, has_next: bool, has_previous: bool) -> WorkConnection:
    """A page of works from query rows that carry their sort keys (``sortYear``, ``sortTitle``)."""
    edges = [WorkEdge(cursor=cursors.encode(scope, [w["sortYear"], w["sortTitle"], w["id"]]), node=Work.from_row(w))
             for w in rows]
    return WorkConnection(total_count=total, page_info=page_info([e.cursor for e in edges], has_next, has_previous),
                          edges=edges)


async def works_page(context: Context, via: str, node_id: str, first: int, after: str | None) -> WorkConnection:
    """A page of the works ``node_id`` leads to ``via`` its references, its citations or its topic."""
    first = check_first(first)
    scope = f"{via}:{node_id}:{YEAR_ORDER}"
    year, title, last = cursors.decode(scope, after, WORKS_POSITION) if after is not None else (None, None, None)
    row = await batched(context, "work/page", node_id, via=via, first=first,
                        afterYear=year, afterTitle=title, afterId=last)
    works = row.get("works", [])
    return works_connection(scope, works[:first], row.get("totalCount", 0), len(works) > first, after is not None)


async def members_page(context: Context, institution_id: str, first: int, after: str | None) -> AffiliationConnection:
    """A page of the researchers affiliated with ``institution_id``."""
    first = check_first(first)
    scope = f"researchers:{institution_id}:{YEAR_ORDER}"
    year, name, last = cursors.decode(scope, after, MEMBERS_POSITION) if after is not None else (None, None, None)
    row = await batched(context, "institution/researchers", institution_id, first=first,
                        afterYear=year, afterName=name, afterId=last)
    members = row.get("members", [])
    edges = [AffiliationEdge(cursor=cursors.encode(scope, [m["sortYear"], m["sortName"], m["researcher"]["id"]]),
                             years=m["years"], node=_researcher(m["researcher"], context))
             for m in members[:first]]
    return AffiliationConnection(total_count=row.get("totalCount", 0), edges=edges,
                                 page_info=page_info([e.cursor for e in edges], len(members) > first, after is not None))


async def topic_researchers_page(context: Context, topic_id: str, first: int,
                                 after: str | None) -> TopicResearcherConnection:
    """A page of the researchers with works on ``topic_id`` (a pass over its authorships: heavy)."""
    total, ranked, info = await _ranked_page(context, "topic/researchers", f"topicResearchers:{topic_id}", topic_id,
                                             first, after, heavy=True)
    return TopicResearcherConnection(total_count=total, page_info=info, edges=[
        TopicResearcherEdge(cursor=cursor, works_count=count, node=node) for cursor, count, node in ranked])


async def coauthors_page(context: Context, researcher_id: str, first: int,
                         after: str | None) -> CoauthorConnection:
    """A page of the co-authors of ``researcher_id``."""
    total, ranked, info = await _ranked_page(context, "profile/coauthors", f"coauthors:{researcher_id}", researcher_id,
                                             first, after)
    return CoauthorConnection(total_count=total, page_info=info, edges=[
        CoauthorEdge(cursor=cursor, shared_works=count, node=node) for cursor, count, node in ranked])


async def _ranked_page(context: Context, name: str, scope: str, node_id: str, first: int, after: str | None,
                       *, heavy: bool = False) -> tuple[int, list[tuple[str, int, Researcher]], PageInfo]:
    """A page of a list of researchers ranked by a count, then name, then id (the named query's
    ``members``, keyset-paged by ``afterCount``, ``afterName``, ``afterId``): its total, each
    researcher with its cursor and count, and where the page sits."""
    first = check_first(first)
    count, sort_name, last = cursors.decode(scope, after, RANKED_POSITION) if after is not None else (None, None, None)
    row = await batched(context, name, node_id, heavy=heavy, first=first,
                        afterCount=count, afterName=sort_name, afterId=last)
    members = row.get("members", [])
    ranked = [(cursors.encode(scope, [m["count"], m["sortName"], m["researcher"]["id"]]), m["count"],
               _researcher(m["researcher"], context)) for m in members[:first]]
    return row.get("totalCount", 0), ranked, page_info([c for c, _, _ in ranked], len(members) > first, after is not None)


def _researcher(row: Row, context: Context) -> Researcher:
    from bzgraph.api.profile import Researcher  # at call time: the profile module imports this one

    return Researcher.from_row(row, context)

"""The researcher profile: header, counts, trust, viewer state, works, collaborators and topics.

``researcher(id:)`` reads its whole answer from one run of ``cypher/profile/researchers.cypher``:
the resolver looks ahead at the selection for the arguments of ``works``, ``closeCollaborators``
and ``topics``, and for the parts of the query its fields need (``PARTS_OF_FIELD``: a trust
snapshot computes no co-authors). Researchers built elsewhere (search hits, authors, node lookups)
load the same query, every part of it, through a per-request DataLoader, batched over many ids.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from bzgraph import cursors
from bzgraph.api.inputs import MAX_IDS, MAX_PAGE, check_first, check_id, size_argument
from bzgraph.api.lookahead import argument, selected_below, selected_fields
from bzgraph.api.nodes import KIND_OF_LABEL, Node, NodeKind
from bzgraph.api.trust import Trust
from bzgraph.api.works import (AFTER_DESCRIPTION, FIRST_DESCRIPTION, LIST_FIRST, WORKS_POSITION, YEAR_ORDER, CoauthorConnection,
                               Institution, Topic, Work, WorkConnection, batched, coauthors_page, works_connection)
from bzgraph.context import Context
from bzgraph.errors import BadUserInput, NotFound
from bzgraph.execution import PURE

Row = dict[str, Any]
T = TypeVar("T")
COLLABORATORS_FIRST = 10
TOPICS_FIRST = 20
LIST_AFTER_DESCRIPTION = "the cursor of the last item of the page before; null for the first page"
PENDING_CLAIMS_MAX = 5  # claims an account may have awaiting review at once (the moderators' queue; canClaim)
INVITATIONS_PER_DAY = 20  # invitations an account may send in 24 hours (inviteToCollaborate; canInvite)
INVITATION_DAYS = 30  # how long an invitation waits for its answer: still pending after that, it has expired


# -- loading ----------------------------------------------------------------------------------


# What the profile query computes beyond the record, its counts of works and followers and the works page
# (its $parts): each only when a field selected needs it, as the fields below say.
PARTS = frozenset({"affiliations", "collaborators", "topics", "viewer"})
PARTS_OF_FIELD = {"affiliation": {"affiliations"}, "affiliations": {"affiliations"},
                  "closeCollaborators": {"collaborators"}, "topics": {"topics"}, "headline": {"topics"},
                  "viewerState": {"viewer"}}
PARTS_OF_COUNT = {"topics": {"topics"}, "closeCollaborators": {"collaborators"}}  # counts' fields; works and followers: none


@dataclass(frozen=True)
class ProfileArgs:
    """The list arguments one profile query is run with, and the parts it computes."""

    works_first: int = LIST_FIRST
    works_after: str | None = None
    collaborators_first: int = COLLABORATORS_FIRST
    collaborators_after: str | None = None
    topics_first: int = TOPICS_FIRST
    topics_after: str | None = None
    parts: frozenset[str] = PARTS


LISTS = ("works", "collaborators", "topics")  # the profile's paged lists (ProfileArgs' prefixes)
# The version of the name orders of collaborators and topics, in their cursors' scopes: a cursor made
# when ties sorted by code point, or names in lower case with their accents (before 2026-11-29), belongs
# to another list, refused rather than paging on wrongly.
NAME_ORDER = "n3"
POSITIONS = {"works": WORKS_POSITION,
             "collaborators": (int, str, str),  # shared works, name, id
             "topics": (int, str, str)}  # works with the topic, name, id


def _scope(kind: str, researcher_id: str) -> str:
    """The list a cursor belongs to: one of ``LISTS`` of one researcher, in its order's version."""
    return f"{kind}:{researcher_id}:" + (YEAR_ORDER if kind == "works" else NAME_ORDER)


def _positions(args: ProfileArgs, ids: list[str]) -> dict[str, list[Any]]:
    """Each list's keyset position from its ``after`` cursor (all None for a first page)."""
    positions = {}
    for kind in LISTS:
        after = getattr(args, f"{kind}_after")
        positions[kind] = [None, None, None]
        if after is not None:
            if len(set(ids)) != 1:
                raise BadUserInput("`after` applies to one researcher's list", argument="after")
            positions[kind] = cursors.decode(_scope(kind, ids[0]), after, POSITIONS[kind])
    return positions


def profile_params(ids: list[str], viewer: str | None, args: ProfileArgs, viewer_orcid: str | None = None) -> dict[str, Any]:
    """The parameters of ``profile/researchers`` for ``ids``, seen by the account ``viewer`` (with the
    ORCID iD its sign-in verified, if any), with the list pages ``args`` names (``BAD_USER_INPUT`` for
    a cursor that is not one of those lists')."""
    after = _positions(args, ids)
    return {
        "ids": sorted(set(ids)), "viewer": viewer, "viewerOrcid": viewer_orcid,
        "worksFirst": args.works_first,
        "afterYear": after["works"][0], "afterTitle": after["works"][1], "afterId": after["works"][2],
        "collaboratorsFirst": args.collaborators_first, "collaboratorsAfterShared": after["collaborators"][0],
        "collaboratorsAfterName": after["collaborators"][1], "collaboratorsAfterId": after["collaborators"][2],
        "topicsFirst": args.topics_first, "topicsAfterWorks": after["topics"][0],
        "topicsAfterName": after["topics"][1], "topicsAfterId": after["topics"][2],
        "maxPendingClaims": PENDING_CLAIMS_MAX, "invitationsPerDay": INVITATIONS_PER_DAY,
        "invitationDays": INVITATION_DAYS, "parts": sorted(args.parts),
    }


async def _load_profiles(context: Context, keys: list[tuple[str, ProfileArgs]]) -> list[Row | None | BadUserInput]:
    """One query per distinct set of arguments (normally one), each over all its ids; a page after a
    cursor is one researcher's, so its query is too. A cursor refused fails its own keys only."""
    groups: dict[tuple[ProfileArgs, str | None], list[tuple[str, ProfileArgs]]] = {}
    for researcher_id, args in keys:  # keys differing in their parts only share a query with all of them
        paged = any(getattr(args, f"{kind}_after") is not None for kind in LISTS)
        groups.setdefault((replace(args, parts=frozenset()), researcher_id if paged else None), []).append(
            (researcher_id, args))
    found: dict[tuple[str, ProfileArgs], Row | BadUserInput] = {}
    for (lists, _), members in groups.items():
        args = replace(lists, parts=frozenset().union(*(key_args.parts for _, key_args in members)))
        try:
            params = profile_params([researcher_id for researcher_id, _ in members], context.viewer_id, args,
                                    context.viewer.orcid if context.viewer else None)
        except BadUserInput as refused:
            found.update((key, refused) for key in members)
            continue
        rows = {row["researcher"]["id"]: row for row in await context.db.read("profile/researchers", **params)}
        for researcher_id, key_args in members:
            if researcher_id in rows:
                rows[researcher_id]["args"] = args
                found[(researcher_id, key_args)] = rows[researcher_id]
    return [found.get(key) for key in keys]


def _profile_loader(context: Context) -> DataLoader[tuple[str, ProfileArgs], Row | None]:
    """The request's profile loader (a key's refused cursor is raised by its own ``load``)."""
    loader = context.loaders.get("profile")
    if loader is None:
        async def load(keys: list[tuple[str, ProfileArgs]]) -> list[Row | None | BadUserInput]:
            return await _load_profiles(context, keys)

        loader = context.loaders["profile"] = DataLoader(load_fn=load, cache=False)
    return loader


def args_from_selection(info: Info[Context, Any]) -> ProfileArgs:
    """The list arguments the selection under the current field uses, and the parts its fields need."""
    found = selected_fields(info, {"works", "counts", *PARTS_OF_FIELD})
    counted = selected_below(info, found["counts"], set(PARTS_OF_COUNT)) if "counts" in found else {}
    return ProfileArgs(
        parts=frozenset().union(*(PARTS_OF_FIELD[name] for name in found if name in PARTS_OF_FIELD),
                                *(PARTS_OF_COUNT[name] for name in counted)),
        works_first=argument(info, found.get("works"), "first", 0),
        works_after=argument(info, found.get("works"), "after", None),
        collaborators_first=argument(info, found.get("closeCollaborators"), "first", 0),
        collaborators_after=argument(info, found.get("closeCollaborators"), "after", None),
        topics_first=argument(info, found.get("topics"), "first", 0),
        topics_after=argument(info, found.get("topics"), "after", None),
    )


async def load_researcher(info: Info[Context, Any], id: str) -> Researcher | None:
    """The researcher ``id`` with everything the current selection asks for, in one query."""
    rid, args = check_id(id), args_from_selection(info)
    for kind in LISTS:
        after = getattr(args, f"{kind}_after")
        if after is not None:
            try:  # a bad cursor is its list's error (the list's own resolver reads it again and refuses it)
                cursors.decode(_scope(kind, rid), after, POSITIONS[kind])
            except BadUserInput:
                args = replace(args, **{f"{kind}_after": None})  # type: ignore[arg-type]
    row = await _profile_loader(info.context).load((rid, args))
    return Researcher.from_profile(row, info.context) if row else None


# -- types ------------------------------------------------------------------------------------



@strawberry.type(description="A topic of a researcher, with how many of their works have it.")
class TopicCount:
    works_count: int = strawberry.field(description="how many of the researcher's works have the topic")
    topic: Topic = strawberry.field(description="the topic")
    cursor: str = strawberry.field(description="pass as `after` for the topics after this one")


@strawberry.type(description="An institution a researcher has been affiliated with, and the years it was seen.")
class Affiliation:
    institution: Institution = strawberry.field(description="the institution")
    years: list[int] = strawberry.field(description="oldest first")


@strawberry.type(description="The profile's counts.")
class ResearcherCounts:
    works: int = strawberry.field(description="works authored")
    followers: int = strawberry.field(description="accounts following")
    _researcher: strawberry.Private[Researcher]

    @strawberry.field(graphql_type=int, metadata=PURE, description="distinct topics over the works")
    def topics(self) -> Awaitable[int] | int:
        return self._researcher._read_profile(lambda p: p["counts"]["topics"], frozenset(PARTS_OF_COUNT["topics"]))

    @strawberry.field(graphql_type=int, metadata=PURE, description="co-authors sharing at least two works")
    def close_collaborators(self) -> Awaitable[int] | int:
        return self._researcher._read_profile(lambda p: p["counts"]["closeCollaborators"],
                                              frozenset(PARTS_OF_COUNT["closeCollaborators"]))


@strawberry.enum(description="Why the viewer cannot claim a record: the first is what `claimResearcher` would answer.")
class CannotClaimReason(Enum):
    SIGN_IN = strawberry.enum_value("SIGN_IN", description="anonymous: sign in to claim")
    ALREADY_CLAIMED = strawberry.enum_value("ALREADY_CLAIMED", description="the record has an approved claimant")
    VIEWER_HOLDS_CLAIM = strawberry.enum_value("VIEWER_HOLDS_CLAIM", description="the viewer holds a record already")
    REVOKED_BEFORE = strawberry.enum_value("REVOKED_BEFORE", description="a moderator revoked the viewer's claim on it")
    ALREADY_PENDING = strawberry.enum_value("ALREADY_PENDING", description="the viewer's claim on it awaits review")
    TOO_MANY_PENDING = strawberry.enum_value("TOO_MANY_PENDING", description=f"the viewer has {PENDING_CLAIMS_MAX} "
                                                                             "claims awaiting review")


@strawberry.enum(description="Why the viewer cannot invite a researcher: the first is what `inviteToCollaborate` would "
                             "answer.")
class CannotInviteReason(Enum):
    SIGN_IN = strawberry.enum_value("SIGN_IN", description="anonymous: sign in to invite")
    NOT_CLAIMED = strawberry.enum_value("NOT_CLAIMED", description="the record is not claimed: nobody to invite yet")
    OWN_RECORD = strawberry.enum_value("OWN_RECORD", description="the viewer holds this record")
    NOT_OPEN = strawberry.enum_value("NOT_OPEN", description="its claimant is not open to collaboration")
    ALREADY_INVITED = strawberry.enum_value("ALREADY_INVITED", description="the viewer's invitation to it awaits an "
                                                                           "answer")
    RATE_LIMITED = strawberry.enum_value("RATE_LIMITED", description=f"the viewer sent {INVITATIONS_PER_DAY} "
                                                                     "invitations in the last 24 hours")


@strawberry.type(description="What the viewer may do on this profile (all false when anonymous).")
class ViewerState:
    is_following: bool = strawberry.field(description="the viewer follows this researcher")
    can_claim: bool = strawberry.field(description="signed in, the record unclaimed, the viewer holds no record and had no "
                                                   "claim on it revoked, and either the viewer's verified ORCID iD is the record's "
                                                   f"or they have no pending claim on it and fewer than {PENDING_CLAIMS_MAX} pending "
                                                   "claims")
    can_invite: bool = strawberry.field(description="signed in, the record claimed, not the viewer's own and open to "
                                                    "collaboration, no invitation of the viewer's to it pending (unexpired), and "
                                                    f"fewer than {INVITATIONS_PER_DAY} invitations sent in the last 24 hours")
    cannot_claim_reasons: list[CannotClaimReason] = strawberry.field(
        description="why `canClaim` is false, each reason that applies (empty when it is true), to say beside the "
                    "button. A viewer whose verified ORCID iD is the record's passes the pending checks when the claim "
                    "gives that iD as evidence: pre-fill it")
    cannot_invite_reasons: list[CannotInviteReason] = strawberry.field(
        description="why `canInvite` is false, each reason that applies (empty when it is true)")


@strawberry.type(description="A co-author, with the number of works shared.")
class Collaborator:
    shared_works: int = strawberry.field(description="how many works both authored (at least 2)")
    researcher: Researcher = strawberry.field(description="the co-author")
    cursor: str = strawberry.field(description="pass as `after` for the collaborators after this one")


@strawberry.type(description="A researcher: an author record, claimable by its person.")
class Researcher(Node):
    id: strawberry.ID = strawberry.field(description="unique across the whole graph (imported: OpenAlex's `A…` id)")
    name: str = strawberry.field(description="display name")
    _props: strawberry.Private[Row]
    _context: strawberry.Private[Context]
    _profile: strawberry.Private[Row | None] = None

    @classmethod
    def from_row(cls, row: Row, context: Context) -> Researcher:
        """From a researcher's properties (``id`` and ``name`` at least); what ``row`` leaves out
        loads on demand, within the request of ``context``."""
        return cls(id=strawberry.ID(row["id"]), name=row.get("name") or "", _props=row, _context=context)

    def _property(self, key: str, empty: Any = None) -> Any:
        """A stored property: from the row this researcher was built from when it has ``key``, else
        from the profile row (so that every path to a researcher reads the same)."""
        if key in self._props:
            return self._props[key] if self._props[key] is not None else empty
        return self._read_profile(lambda p: p["researcher"].get(key) or empty)

    @strawberry.field(graphql_type=list[str], metadata=PURE, description="Other spellings of the name seen in the sources, sorted; never the name itself.")
    def aliases(self) -> Awaitable[list[str]] | list[str]:
        return self._property("aliases", [])

    @strawberry.field(graphql_type=str | None, metadata=PURE, description="The ORCID iD on record (0000-0000-0000-0000), if any.")
    def orcid(self) -> Awaitable[str | None] | str | None:
        return self._property("orcid")

    @strawberry.field(graphql_type=str | None, metadata=PURE, description="The claimant's own words, if they wrote any.")
    def bio(self) -> Awaitable[str | None] | str | None:
        return self._property("bio")

    @classmethod
    def from_profile(cls, profile: Row, context: Context) -> Researcher:
        researcher = cls.from_row(profile["researcher"], context)
        researcher._profile = profile
        return researcher

    def _read_profile(self, read: Callable[[Row], T], parts: frozenset[str] = frozenset(),
                      **wanted: Any) -> T | Awaitable[T]:
        """``read`` applied to the profile row.

        At once when the row at hand was read with what ``wanted`` asks for and with the ``parts``
        ``read`` needs (the case under ``researcher(id:)``, which looks ahead, for one page of each list
        and the parts its selection needs: a list asked for twice under aliases, with other arguments,
        loads its second page with a query of its own); otherwise after loading it, batched over the
        request (a researcher reached through a list: one more query for all of them, which computes
        every part, their counts and lists however few fields are asked for).
        The fields below are pure (``execution.PURE``): they return the value itself when they can,
        and the planned completion then reads them without graphql-core's per-field machinery;
        otherwise they return the load, not yet started.
        """
        profile = self._profile
        if (profile is not None and parts <= profile["args"].parts
                and all(_covers(profile["args"], k, v) for k, v in wanted.items())):
            return read(profile)
        return self._load_and_read(read, wanted)

    async def _load_and_read(self, read: Callable[[Row], T], wanted: dict[str, Any]) -> T:
        row = await _profile_loader(self._context).load((str(self.id), ProfileArgs(**{**_NOTHING, **wanted})))
        if row is None:  # deleted under us
            raise NotFound("the researcher no longer exists", argument="id")
        if self._profile is None:
            self._profile = row
        return read(row)

    @strawberry.field(graphql_type=str | None, metadata=PURE,
                      description="One line derived from the graph (the main topics); null when there is too little to say.")
    def headline(self) -> Awaitable[str | None] | str | None:
        return self._read_profile(_headline, _parts("headline"))

    @strawberry.field(graphql_type=bool, metadata=PURE,
                      description="The open-to-collaborate flag of the profile header, which the approved claimant edits "
                                  "(`updateProfile`); false when unset.")
    def open_to_collaborate(self) -> Awaitable[bool] | bool:
        return self._property("openToCollaborate", False)

    @strawberry.field(graphql_type=bool, metadata=PURE,
                      description="Claimed by an account and approved by a moderator.")
    def claimed(self) -> Awaitable[bool] | bool:
        return self._read_profile(lambda p: p["claimed"])  # always computed

    @strawberry.field(graphql_type=Institution | None, metadata=PURE,
                      description="The current affiliation: the institution seen in the latest year (of several, "
                                  "the first by name, then id); null when none is known.")
    def affiliation(self) -> Awaitable[Institution | None] | Institution | None:
        return self._read_profile(
            lambda p: Institution.from_row(p["affiliation"]) if p["affiliation"] else None, _parts("affiliation"))

    @strawberry.field(graphql_type=list[Affiliation], metadata=PURE,
                      description="Every known affiliation, the most recently seen first (the first is `affiliation`).")
    def affiliations(self) -> Awaitable[list[Affiliation]] | list[Affiliation]:
        return self._read_profile(lambda p: [Affiliation(institution=Institution.from_row(a["institution"]), years=a["years"])
                                             for a in p["affiliations"]], _parts("affiliations"))

    @strawberry.field(graphql_type=ResearcherCounts, metadata=PURE,
                      description="Works, followers, topics and close collaborators, counted in the graph.")
    def counts(self) -> Awaitable[ResearcherCounts] | ResearcherCounts:
        return self._read_profile(lambda p: ResearcherCounts(works=p["counts"]["works"], followers=p["counts"]["followers"],
                                                             _researcher=self))

    @strawberry.field(graphql_type=Trust, metadata=PURE,
                      description="The trust snapshot stored on the record, recomputed on every write that changes "
                                  "a signal (docs/trust.md).")
    def trust(self) -> Awaitable[Trust] | Trust:
        if "trustKeys" in self._props:  # read with the row that reached the researcher: one snapshot, whole
            return Trust.from_researcher(self._props)
        return self._read_profile(lambda p: Trust.from_researcher(p["researcher"]))

    @strawberry.field(graphql_type=ViewerState, metadata=PURE,
                      description="What the signed-in viewer may do on this profile; all false when anonymous.")
    def viewer_state(self) -> Awaitable[ViewerState] | ViewerState:
        return self._read_profile(_viewer_state, _parts("viewerState"))

    @strawberry.field(graphql_type=WorkConnection | None, metadata=PURE,
                      description=f"Works, newest first (year, unknown years last; then title as a reader files it, "
                                  f"untitled first; then id); keyset-paged with `after` (first ≤ {MAX_PAGE}). Null, "
                                  "with an error, when `first` or `after` is refused.")
    def works(self, first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = LIST_FIRST,
              after: Annotated[str | None, strawberry.argument(description="the endCursor of the page before; null for the first page")] = None) -> Awaitable[WorkConnection] | WorkConnection:
        first = check_first(first)
        scope = _scope("works", str(self.id))
        return self._read_profile(lambda p: _works_page(p, scope, first), works_first=first, works_after=after)

    @strawberry.field(graphql_type=list[Collaborator] | None, metadata=PURE,
                      description="Co-authors sharing at least two works, most shared first, then by name (case and accents aside; first ≤ "
                                  f"{MAX_PAGE}; `after` a collaborator's cursor for the ones after it). Null, with an error, "
                                  "when `first` or `after` is refused.")
    def close_collaborators(self, first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = COLLABORATORS_FIRST,
                            after: Annotated[str | None, strawberry.argument(description=LIST_AFTER_DESCRIPTION)] = None) -> Awaitable[list[Collaborator]] | list[Collaborator]:
        first = check_first(first)
        scope = _scope("collaborators", str(self.id))
        return self._read_profile(lambda p: [
            Collaborator(shared_works=c["sharedWorks"], researcher=Researcher.from_row(c["researcher"], self._context),
                         cursor=cursors.encode(scope, [c["sharedWorks"], c["sortName"], c["researcher"]["id"]]))
            for c in p["closeCollaborators"][:first]], _parts("closeCollaborators"), collaborators_first=first,
            collaborators_after=after)

    @strawberry.field(description="Everyone who shares a work with the researcher, the most shared works first, then by "
                                  "name, then id; keyset-paged with `after` (batched). Those sharing at least two are "
                                  "`closeCollaborators`, in the same order. Null, with an error, when `first` or "
                                  "`after` is refused.")
    async def coauthors(self, first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = LIST_FIRST,
                        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
                        ) -> CoauthorConnection | None:
        return await coauthors_page(self._context, str(self.id), first, after)

    @strawberry.field(graphql_type=list[TopicCount] | None, metadata=PURE,
                      description="Topics over the researcher's works, by how many works have them, then by name (case and accents aside) "
                                  f"(first ≤ {MAX_PAGE}; `after` a topic's cursor for the ones after it). Null, with an error, "
                                  "when `first` or `after` is refused.")
    def topics(self, first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = TOPICS_FIRST,
               after: Annotated[str | None, strawberry.argument(description=LIST_AFTER_DESCRIPTION)] = None) -> Awaitable[list[TopicCount]] | list[TopicCount]:
        first = check_first(first)
        scope = _scope("topics", str(self.id))
        return self._read_profile(lambda p: [
            TopicCount(works_count=t["worksCount"], topic=Topic.from_row(t["topic"]),
                       cursor=cursors.encode(scope, [t["worksCount"], t["sortName"], t["topic"]["id"]]))
            for t in p["topics"][:first]], _parts("topics"), topics_first=first, topics_after=after)


def _headline(profile: Row) -> str | None:
    """"Works on" the main topics, separated by semicolons: OpenAlex's topic names hold commas and
    "and" themselves ("Hydrocarbon exploration and reservoir analysis")."""
    topics = profile["mainTopics"]
    if not topics:
        return None
    return "Works on " + "; ".join(topics)


def _viewer_state(profile: Row) -> ViewerState:
    v = profile["viewerState"]
    return ViewerState(is_following=v["isFollowing"], can_claim=v["canClaim"], can_invite=v["canInvite"],
                       cannot_claim_reasons=[CannotClaimReason[r] for r in v["cannotClaim"]],
                       cannot_invite_reasons=[CannotInviteReason[r] for r in v["cannotInvite"]])


def _works_page(profile: Row, scope: str, first: int) -> WorkConnection:
    return works_connection(scope, profile["works"][:first], profile["counts"]["works"], profile["hasNextPage"],
                            profile["args"].works_after is not None)


def _parts(field: str) -> frozenset[str]:
    """The parts of the profile query the field ``field`` reads."""
    return frozenset(PARTS_OF_FIELD[field])


_NOTHING = {"works_first": 0, "works_after": None, "collaborators_first": 0, "collaborators_after": None,
            "topics_first": 0, "topics_after": None}


def _covers(args: ProfileArgs, key: str, value: Any) -> bool:
    """Whether a profile read with ``args`` holds what ``key=value`` asks for. A longer list of
    collaborators or topics holds a shorter one's first page (the field cuts it); works need the same
    ``first``, since ``hasNextPage`` was read for that page size."""
    have = getattr(args, key)
    return have >= value if key.endswith("_first") and not key.startswith("works_") else have == value


async def load_node(context: Context, node_id: str) -> Node | None:
    """The node with this id, or None: one query (``node``) for every node the request loads so."""
    row = await batched(context, "node", node_id)
    return node_from_row(row["label"], row["props"], context) if row else None


def node_from_row(label: str, props: Row, context: Context) -> Node:
    """The GraphQL object for a node with ``label`` and properties ``props``."""
    kind = KIND_OF_LABEL[label]
    if kind is NodeKind.RESEARCHER:
        return Researcher.from_row(props, context)
    if kind is NodeKind.WORK:
        return Work.from_row(props)
    if kind is NodeKind.TOPIC:
        return Topic.from_row(props)
    return Institution.from_row(props)


@strawberry.type
class ProfileQuery:
    @strawberry.field(description="A researcher by id; null when there is none.")
    async def researcher(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="e.g. bzr-leon-bungert, or an OpenAlex id such as A5049649985")]) -> Researcher | None:
        return await load_researcher(info, id)

    @strawberry.field(description="A researcher, work, topic or institution by id; null when there is none (accounts, claims and invitations are private: not reachable by id).")
    async def node(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="the id of a researcher, work, topic or institution")]) -> Node | None:
        return await load_node(info.context, check_id(id))

    @strawberry.field(description=f"The nodes with these ids (at most {MAX_IDS}), in their order: null where there is none, as `node` answers; read in one query with every `node` of the request. Null, with an error, when `ids` is refused.")
    async def nodes(self, info: Info[Context, None], ids: Annotated[list[strawberry.ID], strawberry.argument(description="ids of researchers, works, topics or institutions, in any mix")]) -> list[Node | None] | None:
        if len(ids) > MAX_IDS:
            raise BadUserInput(f"`ids` holds at most {MAX_IDS} ids", argument="ids")
        checked = []
        for index, node_id in enumerate(ids):
            try:
                checked.append(check_id(node_id, "ids"))
            except BadUserInput:
                raise BadUserInput(f"`ids[{index}]` is not a valid id", argument="ids") from None
        return list(await asyncio.gather(*(load_node(info.context, i) for i in checked)))

"""Accounts and the profile page's actions: follow, claim with moderation, invitations, profile edits.

Every mutation is one managed write transaction: the action's named query, then, where the action
can change a signal of trust (a follow, an approved claim, a profile edit), ``trust/recompute`` for
that researcher (a claim starts PENDING; invitations and their answers change no signal). The
payload's researcher is then read through the profile query (bookmarks make the read see the write).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from email_validator import EmailNotValidError, validate_email
from strawberry.types import Info

from bzgraph import cursors, identifiers
from bzgraph.api.inputs import check_first, check_id, size_argument
from bzgraph.api.lookahead import argument, selected_fields
from bzgraph.api.profile import INVITATION_DAYS, INVITATIONS_PER_DAY, PENDING_CLAIMS_MAX, Researcher, load_researcher
from bzgraph.api.works import FIRST_DESCRIPTION
from bzgraph.context import Context, Viewer
from bzgraph.db import Tx, extend_deadline_once
from bzgraph.errors import (
    BadUserInput,
    BzgraphError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    Unauthenticated,
)
from bzgraph.text import BIDI_OVERRIDES, LINE_BREAKS_AND_TABS, has_controls, is_visible

T = TypeVar("T")

Row = dict[str, Any]
MESSAGE_MAX = 2000
BIO_MAX = 500
ACCOUNT_LIST_FIRST = 100  # the default page of the account's own lists
CLAIMS_FIRST = 20  # the default page of the claims a moderator reviews


# -- input checks ---------------------------------------------------------------------------


def require_viewer(info: Info[Context, Any]) -> Viewer:
    viewer = info.context.viewer
    if viewer is None:
        raise Unauthenticated("sign in: this action needs `Authorization: Bearer <token>`")
    return viewer


def normalize_orcid(value: str) -> str:
    """An ORCID iD as ``0000-0000-0000-0000`` with a valid ISO 7064 checksum, else BAD_USER_INPUT."""
    orcid = identifiers.orcid_form(value)
    if orcid is None:
        raise BadUserInput("`orcid` must be an ORCID iD such as 0000-0002-1825-0097", argument="orcid")
    if not identifiers.orcid_checks(orcid):
        raise BadUserInput("`orcid` has a wrong check digit", argument="orcid")
    return orcid


_INSTANT = re.compile(r"(\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z")


def instant(value: str | None, digits: int) -> str | None:
    """A UTC date-time as Neo4j writes it (``toString``: trailing zeros of the fraction dropped,
    ``…:16.82Z``, ``…:16Z``) with exactly ``digits`` of fraction (``…:16.820Z``), so that every
    value of a field has one width and sorts as text in time order."""
    match = _INSTANT.fullmatch(value) if value is not None else None
    if match is None:
        return value
    return f"{match[1]}.{(match[2] or '').ljust(digits, '0')[:digits]}Z"


def free_text(value: str, argument: str, max_length: int) -> str | None:
    """Text a person typed (a note, a message, a bio), composed (NFC) and trimmed; None when
    nothing visible is left (white space, zero-width or format characters alone).
    ``BAD_USER_INPUT`` for control characters other than line breaks and tabs (they would drive
    the terminals the text is shown on), for bidirectional overrides (they would make the text read
    other than it is), or for more than ``max_length`` characters once trimmed."""
    text = unicodedata.normalize("NFC", value).strip()
    if has_controls(text, allowed=LINE_BREAKS_AND_TABS):
        raise BadUserInput(f"`{argument}` contains control characters", argument=argument)
    if BIDI_OVERRIDES.search(text):
        raise BadUserInput(f"`{argument}` contains bidirectional override characters (U+202A–U+202E)",
                           argument=argument)
    if len(text) > max_length:
        raise BadUserInput(f"`{argument}` is longer than {max_length} characters", argument=argument)
    return text if is_visible(text) else None


def normalize_email(value: str) -> str:
    """An e-mail address as email-validator normalizes it (syntax and lengths, no DNS look-up),
    else BAD_USER_INPUT."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise BadUserInput(f"`email` is not an e-mail address: {exc}", argument="email") from None


# -- types ----------------------------------------------------------------------------------


@strawberry.enum(description="PENDING until a moderator reviews the claim, then APPROVED or REJECTED; an approved "
                              "claim a moderator later revokes is REVOKED.")
class ClaimStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description="awaiting a moderator's review")
    APPROVED = strawberry.enum_value("APPROVED", description="approved by a moderator: the claimant holds the record")
    REJECTED = strawberry.enum_value("REJECTED", description="rejected by a moderator, or closed when another claim was "
                                                             "approved (see `closedBecause`)")
    REVOKED = strawberry.enum_value("REVOKED", description="approved, then revoked by a moderator (see `revokeReason`): "
                                                           "the account no longer holds the record, and may not claim it again")


@strawberry.enum(description="Why a claim was rejected without a review: an approval made it moot.")
class ClaimClosure(Enum):
    RECORD_CLAIMED = strawberry.enum_value("RECORD_CLAIMED", description="another account's claim on the record was approved")
    CLAIMANT_HOLDS_CLAIM = strawberry.enum_value("CLAIMANT_HOLDS_CLAIM",
                                                 description="the claimant's claim on another record was approved")


@strawberry.enum(description="PENDING until the claimant answers, then ACCEPTED or DECLINED; EXPIRED when "
                              f"still unanswered {INVITATION_DAYS} days after it was sent.")
class InvitationStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description="not answered yet")
    ACCEPTED = strawberry.enum_value("ACCEPTED", description="accepted by the researcher's claimant")
    DECLINED = strawberry.enum_value("DECLINED", description="declined by the researcher's claimant")
    EXPIRED = strawberry.enum_value("EXPIRED", description=f"not answered within {INVITATION_DAYS} days of its sending: it "
                                                       "can no longer be answered, and its sender may invite again")


@strawberry.input(description="Evidence for a claim: at least one of `orcid` and `email`.")
class ClaimEvidenceInput:
    orcid: str | None = strawberry.field(default=None, description="an ORCID iD, bare or as its orcid.org address, "
                                                                   "with or without hyphens; its check digit is verified")
    email: str | None = strawberry.field(default=None, description="an e-mail address (syntax and lengths checked, "
                                                                   "no DNS look-up)")
    note: str | None = strawberry.field(default=None, description=f"anything else for the moderator, at most {MESSAGE_MAX:,} "
                                                                  "characters")


@strawberry.type(description="Claim evidence, as the claimant typed it: nothing here is verified but what "
                              "`orcidVerified` says (an ORCID iD is public, and no e-mail is sent); a moderator checks that "
                              "the claimant controls it before approving. Shown only to moderators and the claimant.")
class ClaimEvidence:
    orcid: str | None = strawberry.field(description="the ORCID iD given, as `0000-0000-0000-0000` (its check digit is "
                                                     "valid; that the claimant holds it, only when `orcidVerified`)")
    orcid_verified: bool = strawberry.field(default=False, description=(
        "the claimant signed in with an identity provider that verified they hold this ORCID iD (BZGRAPH_JWT_ORCID_CLAIM); "
        "a claim so verified whose iD is the record's is approved at once"))
    email: str | None = strawberry.field(description="the e-mail address given, as email-validator normalized it "
                                                     "(never confirmed)")
    note: str | None = strawberry.field(description="the claimant's note, composed (NFC) and trimmed")


@strawberry.type(description="A request to be recognised as the person behind an author record.")
class Claim:
    id: strawberry.ID = strawberry.field(description="`claim:` and a UUID")
    status: ClaimStatus = strawberry.field(description="where the claim stands")
    created_at: str | None = strawberry.field(default=None, description="when the claim was made: an ISO 8601 "
                                                                        "date-time in UTC to the nanosecond, e.g. "
                                                                        "`2026-11-28T04:43:32.187654321Z`")
    researcher_id: strawberry.Private[str | None] = None
    evidence: ClaimEvidence | None = strawberry.field(default=None, description="what the claimant gave as evidence")
    claimant: str | None = strawberry.field(default=None, description="the claimant's account (shown to moderators and the claimant)")
    closed_because: ClaimClosure | None = strawberry.field(
        default=None, description="why a REJECTED claim was closed without a review; null when a moderator decided")
    revoke_reason: str | None = strawberry.field(default=None, description="why a moderator revoked the claim (REVOKED)")

    @classmethod
    def from_row(cls, row: Row) -> Claim:
        return cls(id=strawberry.ID(row["id"]), status=ClaimStatus(row["status"]),
                   created_at=instant(row.get("createdAt"), 9), researcher_id=row.get("researcherId"),
                   evidence=ClaimEvidence(orcid=row.get("orcid"), orcid_verified=bool(row.get("orcidVerified")),
                                          email=row.get("email"), note=row.get("note")),
                   claimant=row.get("claimant"),
                   closed_because=ClaimClosure(row["closedBecause"]) if row.get("closedBecause") else None,
                   revoke_reason=row.get("revokeReason"))

    @strawberry.field(description="The claimed record.")
    async def researcher(self, info: Info[Context, None]) -> Researcher | None:
        return await load_researcher(info, self.researcher_id) if self.researcher_id else None


@strawberry.type(description="An invitation to collaborate, sent to a claimed researcher.")
class Invitation:
    id: strawberry.ID = strawberry.field(description="`invitation:` and a UUID")
    status: InvitationStatus = strawberry.field(description="whether it has been answered, and how")
    message: str | None = strawberry.field(default=None, description=f"the sender's message, 1 to {MESSAGE_MAX:,} characters")
    created_at: str | None = strawberry.field(default=None, description="when it was sent: an ISO 8601 date-time in "
                                                                        "UTC to the millisecond, e.g. `2026-11-28T04:43:32.180Z`")
    sender: str | None = strawberry.field(default=None, description="the sending account's token subject (`sub`); "
                                                                    "`senderId` and `senderResearcher` say who it is")
    sender_id: strawberry.ID | None = strawberry.field(default=None, description="the sending account's id, as its "
                                                                                "`Account.id` reads (`user:…`)")
    expires_at: str | None = strawberry.field(default=None, description="while `PENDING`: when it expires unanswered, "
                                                                        "as `createdAt`; null otherwise")
    researcher_id: strawberry.Private[str | None] = None
    sender_researcher_id: strawberry.Private[str | None] = None

    @classmethod
    def from_row(cls, row: Row) -> Invitation:
        sender_id = row.get("senderId")
        return cls(id=strawberry.ID(row["id"]), status=InvitationStatus(row["status"]),
                   message=row.get("message"), created_at=instant(row.get("createdAt"), 3), sender=row.get("from"),
                   sender_id=strawberry.ID(sender_id) if sender_id else None,
                   expires_at=instant(row.get("expiresAt"), 3), researcher_id=row.get("researcherId"),
                   sender_researcher_id=row.get("senderResearcherId"))

    @strawberry.field(description="The invited researcher (the record its claimant holds).")
    async def researcher(self, info: Info[Context, None]) -> Researcher | None:
        return await load_researcher(info, self.researcher_id) if self.researcher_id else None

    @strawberry.field(description="The record the sender holds (an approved claim), to see who invites: their "
                                  "profile, works and trust; null when they hold none.")
    async def sender_researcher(self, info: Info[Context, None]) -> Researcher | None:
        return await load_researcher(info, self.sender_researcher_id) if self.sender_researcher_id else None


@strawberry.type(description="A researcher the account follows.")
class Follow:
    since: str | None = strawberry.field(description="when the follow began: an ISO 8601 date-time in UTC to the "
                                                     "millisecond, e.g. `2026-11-28T04:43:32.180Z`; null for a follow "
                                                     "recorded without one (the seed's)")
    cursor: str = strawberry.field(description="`after` for the page after this follow (valid after an unfollow too)")
    researcher_id: strawberry.Private[str]

    @strawberry.field(description="The researcher followed.")
    async def researcher(self, info: Info[Context, None]) -> Researcher | None:
        return await load_researcher(info, self.researcher_id)


@dataclass(frozen=True)
class ListArgs:
    """A page of one of the account's lists: a status (None: any), its size, the last item before it."""

    status: str | None = None
    first: int = ACCOUNT_LIST_FIRST
    after: str | None = None


ACCOUNT_LISTS = ("claims", "invitations", "sentInvitations", "following")  # fields, and accounts/viewer's parameters
_CURSOR_LISTS = {"following"}  # paged by an opaque cursor (a follow can be undone), no status; the others by an id
_UNSELECTED = ListArgs(first=0)
FOLLOWING_POSITION = (int, str)  # since (nanoseconds since the epoch, 0 when unknown), the researcher's id
_NOTHING_AFTER = [-1, ""]  # a position no follow comes after: the page of a refused cursor (its field says why)


def _following_scope(user_id: str) -> str:
    return f"following:{user_id}"


def list_params(args: dict[str, ListArgs], user_id: str = "") -> dict[str, Any]:
    """``accounts/viewer``'s parameters for the pages ``args`` names (an empty page of the others),
    of the account ``user_id``."""
    params: dict[str, Any] = {"invitationDays": INVITATION_DAYS}
    for name in ACCOUNT_LISTS:
        page = args.get(name, _UNSELECTED)
        params[f"{name}First"] = page.first
        if name == "following":
            after: list[Any] = [None, None]
            if page.after is not None:
                try:
                    after = cursors.decode(_following_scope(user_id), page.after, FOLLOWING_POSITION)
                except BadUserInput:
                    after = _NOTHING_AFTER
            params |= {"followingAfterSince": after[0], "followingAfterId": after[1]}
        else:
            params |= {f"{name}After": page.after, f"{name}Status": page.status}
    return params


def _list_args(info: Info[Context, Any]) -> dict[str, ListArgs]:
    """The pages the selection under ``viewer`` asks for (the first selection of each list)."""
    found = selected_fields(info, set(ACCOUNT_LISTS))
    args: dict[str, ListArgs] = {}
    for name, field in found.items():
        status = argument(info, field, "status", None) if name not in _CURSOR_LISTS else None
        args[name] = ListArgs(status=status.value if status else None,
                              first=argument(info, field, "first", 0),
                              after=argument(info, field, "after", None))
    return args


ACCOUNT_LIST_DESCRIPTION = ("newest first, of one status (or any); `after` is the id of the last item of the page "
                            "before. Null, with an error, when `first` or `after` is refused.")
STATUS_DESCRIPTION = "only the items in this state; null for any"
ACCOUNT_AFTER_DESCRIPTION = "the id of the last item of the page before; null for the first page"


@strawberry.type(description="How many items the account's lists hold in all, whatever page is read.")
class AccountCounts:
    following: int = strawberry.field(description="researchers the account follows")
    pending_claims: int = strawberry.field(description="claims the account made that await a moderator")
    pending_invitations: int = strawberry.field(description="invitations to the record the account holds that await "
                                                            "its answer (not expired)")
    sent_pending_invitations: int = strawberry.field(description="invitations the account sent that await an answer "
                                                                 "(not expired)")


@strawberry.type(description="The signed-in account.")
class Account:
    id: strawberry.ID = strawberry.field(description="`user:` followed by `sub`")
    sub: str = strawberry.field(description="the token's subject (its `sub` claim)")
    roles: list[str] = strawberry.field(description="the token's roles that bzgraph knows (only `moderator`), sorted")
    claimed_researcher_id: strawberry.Private[str | None] = None
    loaded: strawberry.Private[Row | None] = None  # the row of accounts/viewer read for ``viewer``
    loaded_args: strawberry.Private[dict[str, ListArgs] | None] = None  # the pages that row holds

    @strawberry.field(description="How many items your lists hold in all (for a badge beside each).")
    def counts(self) -> AccountCounts:
        counts = (self.loaded or {}).get("counts") or {}
        return AccountCounts(following=counts.get("following", 0), pending_claims=counts.get("pendingClaims", 0),
                             pending_invitations=counts.get("pendingInvitations", 0),
                             sent_pending_invitations=counts.get("sentPendingInvitations", 0))

    @strawberry.field(description="The claims you made, " + ACCOUNT_LIST_DESCRIPTION)
    async def claims(self, info: Info[Context, None],
                     status: Annotated[ClaimStatus | None, strawberry.argument(description=STATUS_DESCRIPTION)] = None,
                     first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = ACCOUNT_LIST_FIRST,
                     after: Annotated[strawberry.ID | None, strawberry.argument(description=ACCOUNT_AFTER_DESCRIPTION)] = None,
                     ) -> list[Claim] | None:
        rows = await self._page(info, "claims", status, first, after)
        return [Claim.from_row(r) for r in rows]

    @strawberry.field(description="Invitations to the record you hold, " + ACCOUNT_LIST_DESCRIPTION)
    async def invitations(self, info: Info[Context, None],
                          status: Annotated[InvitationStatus | None, strawberry.argument(description=STATUS_DESCRIPTION)] = None,
                          first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = ACCOUNT_LIST_FIRST,
                          after: Annotated[strawberry.ID | None, strawberry.argument(description=ACCOUNT_AFTER_DESCRIPTION)] = None,
                          ) -> list[Invitation] | None:
        rows = await self._page(info, "invitations", status, first, after)
        return [Invitation.from_row(r) for r in rows]

    @strawberry.field(description="Invitations you sent, with their answers, " + ACCOUNT_LIST_DESCRIPTION)
    async def sent_invitations(self, info: Info[Context, None],
                               status: Annotated[InvitationStatus | None, strawberry.argument(description=STATUS_DESCRIPTION)] = None,
                               first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = ACCOUNT_LIST_FIRST,
                               after: Annotated[strawberry.ID | None, strawberry.argument(description=ACCOUNT_AFTER_DESCRIPTION)] = None,
                               ) -> list[Invitation] | None:
        rows = await self._page(info, "sentInvitations", status, first, after)
        return [Invitation.from_row(r) for r in rows]

    @strawberry.field(description="The researchers you follow, most recently followed first; `after` is the `cursor` "
                                  "of the last follow of the page before. Null, with an error, when `first` or `after` "
                                  "is refused.")
    async def following(self, info: Info[Context, None],
                        first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = ACCOUNT_LIST_FIRST,
                        after: Annotated[str | None, strawberry.argument(description="the `cursor` of the last follow of the page "
                                                                                     "before; null for the first page")] = None,
                        ) -> list[Follow] | None:
        scope = _following_scope(self.id)
        if after is not None:
            cursors.decode(scope, after, FOLLOWING_POSITION)  # BAD_USER_INPUT if refused
        rows = await self._page(info, "following", None, first, after)
        return [Follow(since=instant(r["since"], 3), cursor=cursors.encode(scope, [r["position"], r["researcherId"]]),
                       researcher_id=r["researcherId"]) for r in rows]

    @strawberry.field(description="The author record this account holds, once a claim is approved.")
    async def claimed_researcher(self, info: Info[Context, None]) -> Researcher | None:
        rid = self.claimed_researcher_id
        return await load_researcher(info, rid) if rid else None

    async def _page(self, info: Info[Context, Any], name: str, status: Enum | None, first: int,
                    after: str | None) -> list[Row]:
        """The page of list ``name``: from the row ``viewer`` read, or (another page of the same list
        asked for under an alias) from a query of its own."""
        checked = after if after is None or name in _CURSOR_LISTS else check_id(after, "after")
        page = ListArgs(status=status.value if status else None, first=check_first(first), after=checked)
        row = self.loaded
        if row is None or (self.loaded_args or {}).get(name) != page:
            row = await _read_account(info.context, self.id, {name: page})
        if not row.get(f"{name}AfterFound", True):
            raise BadUserInput("`after` is not the id of an item of this list", argument="after")
        return row[name]


async def read_viewer(info: Info[Context, Any]) -> Account | None:
    """The signed-in account with the pages of its lists that the field's selection asks for (one
    query); null when anonymous."""
    viewer = info.context.viewer
    if viewer is None:
        return None
    pages = _list_args(info)
    row = await _read_account(info.context, viewer.id, pages)
    return Account(id=strawberry.ID(viewer.id), sub=viewer.sub, roles=sorted(viewer.roles),
                   claimed_researcher_id=row["claimedResearcherId"], loaded=row, loaded_args=pages)


async def _read_account(context: Context, user_id: str, pages: dict[str, ListArgs]) -> Row:
    """The account's row of ``accounts/viewer`` with ``pages`` of its lists."""
    rows = await context.db.read("accounts/viewer", userId=user_id, **list_params(pages, user_id))
    return rows[0]


# How long, at least, a mutation's saved change has to read back the researcher it answers with.
READ_BACK_SECONDS = 2.0


def _saved(info: Info[Context, Any]) -> None:
    """The change is saved: what the answer reads back gets at least :data:`READ_BACK_SECONDS` (the
    timeout, if less), rather than a change committed late in the request's time (a lock waited for,
    a busy database) being answered as failed."""
    extend_deadline_once(min(READ_BACK_SECONDS, info.context.db.timeout))


VIEWER_AFTER_DESCRIPTION = ("Your account as the change left it, read after the commit: its `counts` and lists, "
                            "for a client cache to update (one query more when asked for).")


@strawberry.type(description="What a mutation on a researcher changed: the researcher as it now reads.")
class ResearcherPayload:
    """What a mutation answers once its change is committed: the researcher as the change left them."""

    researcher_id: strawberry.Private[str]

    @strawberry.field(description="The researcher as the change left them, read after the commit.")
    async def researcher(self, info: Info[Context, None]) -> Researcher | None:
        return await _read_back(load_researcher(info, self.researcher_id), "the researcher")

    @strawberry.field(description=VIEWER_AFTER_DESCRIPTION)
    async def viewer(self, info: Info[Context, None]) -> Account | None:
        return await _read_back(read_viewer(info), "your account")


@strawberry.type(description="The claim as it now reads, and its researcher.")
class ClaimPayload(ResearcherPayload):
    claim: Claim = strawberry.field(description="the claim as it now reads")


@strawberry.type(description="The invitation as it now reads.")
class InvitationPayload:
    invitation: Invitation = strawberry.field(description="the invitation as it now reads")

    @strawberry.field(description=VIEWER_AFTER_DESCRIPTION)
    async def viewer(self, info: Info[Context, None]) -> Account | None:
        return await _read_back(read_viewer(info), "your account")


async def _read_back(read: Awaitable[T], what: str) -> T:
    """What a mutation reads after its commit: an outage then is not the change failing."""
    try:
        return await read
    except ServiceUnavailable as exc:  # read after the commit: the change itself is saved
        raise ServiceUnavailable(f"the change is saved, but reading {what} back failed: read it again shortly") from exc


# -- mutations ------------------------------------------------------------------------------

# What an action's query answers when a rule refuses it (any other outcome is a success).
Refusals = dict[str, tuple[type[BzgraphError], str]]
CLAIM_REFUSALS: Refusals = {
    "ALREADY_CLAIMED": (Conflict, "this author record is already claimed"),
    "VIEWER_HOLDS_CLAIM": (Conflict, "your account already holds an approved claim"),
    "REVOKED_BEFORE": (Conflict, "a moderator revoked your claim on this record"),
    "ALREADY_PENDING": (Conflict, "you already have a pending claim on this record"),
    "TOO_MANY_PENDING": (Conflict, f"you have {PENDING_CLAIMS_MAX} claims awaiting review: wait for a moderator's "
                                   "decision on one of them"),
}
REVIEW_REFUSALS: Refusals = {
    "OWN_CLAIM": (Forbidden, "a moderator cannot review their own claim"),
    "NOT_PENDING": (Conflict, "this claim has already been reviewed"),
    "RECORD_CLAIMED": (Conflict, "this author record already has an approved claimant"),
    "CLAIMANT_HOLDS_CLAIM": (Conflict, "the claimant already holds an approved claim"),
}
# Who approved a claim whose claimant's verified ORCID iD is the record's (the claim's `reviewedBy`).
ORCID_REVIEWER = "orcid"
REVOKE_REFUSALS: Refusals = {
    "OWN_CLAIM": (Forbidden, "a moderator cannot revoke their own claim"),
    "NOT_APPROVED": (Conflict, "only an approved claim can be revoked"),
}
INVITE_REFUSALS: Refusals = {
    "NOT_CLAIMED": (Forbidden, "this author record must be claimed first: only claimed researchers can be invited"),
    "OWN_RECORD": (Forbidden, "you cannot invite the record you hold"),
    "NOT_OPEN": (Forbidden, "this researcher is not open to collaboration at the moment"),
    "ALREADY_INVITED": (Conflict, "your invitation to this researcher is still pending: wait for their answer"),
    "RATE_LIMITED": (RateLimited, f"at most {INVITATIONS_PER_DAY} invitations per account per 24 hours"),
}
RESPOND_REFUSALS: Refusals = {
    "NOT_PENDING": (Conflict, "this invitation has already been answered"),
    "EXPIRED": (Conflict, f"this invitation has expired: it waited {INVITATION_DAYS} days for an answer"),
}


def _accepted(rows: list[Row], missing: str, refusals: Refusals) -> Row:
    """The action's row; NOT_FOUND (``missing``) without one, the refusal its outcome names (with
    the row's ``details``, if any, as extensions)."""
    if not rows:
        raise NotFound(missing)
    row = rows[0]
    if row["outcome"] in refusals:
        error, message = refusals[row["outcome"]]
        raise error(message, **(row.get("details") or {}))
    return row


async def _recompute_after(tx: Tx, name: str, researcher_id: str, **params: Any) -> list[Row]:
    """Run the action ``name``; when it found the researcher (a row came back, also for a follow
    that changed nothing, or a refused follow of one's own record), recompute their trust: the same
    signals give the same score."""
    rows = await tx.run(name, **params)
    if rows:
        await tx.run("trust/recompute", ids=[researcher_id])
    return rows


async def _claim_verified(tx: Tx, params: dict[str, Any]) -> list[Row]:
    """A claim whose ORCID iD the claimant's identity provider verified: when it is the record's iD,
    the evidence verifies the claim at once, approved in the same transaction as a moderator's
    approval would be (``reviewedBy``: ``orcid``), and trust recomputed; otherwise it waits, PENDING."""
    rows = await tx.run("accounts/claim", **params)
    if rows and rows[0]["outcome"] == "CREATED" and rows[0]["recordOrcid"] == params["orcid"]:
        approved = await tx.run("accounts/review-claim", claimId=params["claimId"], approve=True, moderatorId=ORCID_REVIEWER)
        if approved and approved[0]["outcome"] == "APPROVED":
            await tx.run("trust/recompute", ids=[params["researcherId"]])
            return [{**rows[0], "claim": approved[0]["claim"]}]
    return rows


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="Follow a researcher; following twice changes nothing. The record's claimant "
                                      "cannot follow it (FORBIDDEN).")
    async def follow_researcher(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="the researcher's id")]) -> ResearcherPayload | None:
        return await _follow(info, id, "accounts/follow", sub=True)

    @strawberry.mutation(description="Stop following a researcher; unfollowing someone not followed changes nothing.")
    async def unfollow_researcher(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="the researcher's id")]) -> ResearcherPayload | None:
        return await _follow(info, id, "accounts/unfollow")

    @strawberry.mutation(description="Ask to be recognised as this author; the claim starts PENDING, unless the evidence "
                                      "verifies it at once: an ORCID iD the claimant's identity provider verified they hold "
                                      "(BZGRAPH_JWT_ORCID_CLAIM), equal to the record's, approves it (L3).")
    async def claim_researcher(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="the id of the author record to claim")],
                               evidence: Annotated[ClaimEvidenceInput, strawberry.argument(description="what shows the record is yours (seen only by you and moderators)")]) -> ClaimPayload | None:
        viewer = require_viewer(info)
        rid = check_id(id)
        orcid = normalize_orcid(evidence.orcid) if evidence.orcid else None
        email = normalize_email(evidence.email) if evidence.email else None
        if orcid is None and email is None:
            raise BadUserInput("give at least one of `orcid` and `email` as evidence", argument="evidence")
        note = free_text(evidence.note, "note", MESSAGE_MAX) if evidence.note is not None else None
        params = {"userId": viewer.id, "sub": viewer.sub, "researcherId": rid, "claimId": f"claim:{uuid.uuid4()}",
                  "orcid": orcid, "orcidVerified": orcid is not None and orcid == viewer.orcid, "email": email,
                  "note": note, "maxPendingClaims": PENDING_CLAIMS_MAX}
        if params["orcidVerified"]:
            rows = await info.context.db.execute(lambda tx: _claim_verified(tx, params), write=True)
        else:
            rows = await info.context.db.write("accounts/claim", **params)
        row = _accepted(rows, "no researcher with this id", CLAIM_REFUSALS)
        _saved(info)
        return ClaimPayload(researcher_id=rid, claim=Claim.from_row(row["claim"]))

    @strawberry.mutation(description="A moderator approves or rejects a pending claim.")
    async def review_claim(self, info: Info[Context, None], claim_id: Annotated[strawberry.ID, strawberry.argument(description="the pending claim's id")],
                           approve: Annotated[bool, strawberry.argument(description="true approves the claim, false rejects it")]) -> ClaimPayload | None:
        viewer = require_viewer(info)
        if not viewer.is_moderator:
            raise Forbidden("reviewing claims needs the moderator role")
        cid = check_id(claim_id, "claimId")

        async def review(tx: Tx) -> list[Row]:
            rows = await tx.run("accounts/review-claim", claimId=cid, approve=approve, moderatorId=viewer.id)
            if rows and rows[0]["outcome"] == "APPROVED":
                await tx.run("trust/recompute", ids=[rows[0]["researcherId"]])
            return rows

        row = _accepted(await info.context.db.execute(review, write=True), "no claim with this id", REVIEW_REFUSALS)
        _saved(info)
        return ClaimPayload(researcher_id=row["researcherId"], claim=Claim.from_row(row["claim"]))

    @strawberry.mutation(description="A moderator revokes an approved claim (the claimant turned out not to be the author): "
                                      "the account no longer holds the record and may not claim it again; the record's bio "
                                      "and openToCollaborate, which the claimant controlled, are cleared; others may claim it.")
    async def revoke_claim(self, info: Info[Context, None], claim_id: Annotated[strawberry.ID, strawberry.argument(description="the approved claim's id")],
                           reason: Annotated[str, strawberry.argument(description=f"why, for the claimant and moderators: 1 to {MESSAGE_MAX:,} characters, some visible")]) -> ClaimPayload | None:
        viewer = require_viewer(info)
        if not viewer.is_moderator:
            raise Forbidden("revoking claims needs the moderator role")
        cid = check_id(claim_id, "claimId")
        text = free_text(reason, "reason", MESSAGE_MAX)
        if text is None:
            raise BadUserInput(f"`reason` must have 1 to {MESSAGE_MAX} characters, some visible", argument="reason")

        async def revoke(tx: Tx) -> list[Row]:
            rows = await tx.run("accounts/revoke-claim", claimId=cid, moderatorId=viewer.id, reason=text)
            if rows and rows[0]["outcome"] == "REVOKED":
                await tx.run("trust/recompute", ids=[rows[0]["researcherId"]])
            return rows

        row = _accepted(await info.context.db.execute(revoke, write=True), "no claim with this id", REVOKE_REFUSALS)
        _saved(info)
        return ClaimPayload(researcher_id=row["researcherId"], claim=Claim.from_row(row["claim"]))

    @strawberry.mutation(description="Invite a claimed researcher who is open to collaboration (FORBIDDEN otherwise); "
                                      "yours to one researcher one at a time, until answered or expired (CONFLICT); "
                                      f"{INVITATIONS_PER_DAY} per account per 24 hours (RATE_LIMITED).")
    async def invite_to_collaborate(self, info: Info[Context, None], researcher_id: Annotated[strawberry.ID, strawberry.argument(description="the claimed researcher's id")],
                                    message: Annotated[str, strawberry.argument(description=f"1 to {MESSAGE_MAX:,} characters, some visible")]) -> InvitationPayload | None:
        viewer = require_viewer(info)
        rid = check_id(researcher_id, "researcherId")
        text = free_text(message, "message", MESSAGE_MAX)
        if text is None:
            raise BadUserInput(f"`message` must have 1 to {MESSAGE_MAX} characters, some visible", argument="message")
        rows = await info.context.db.write(
            "accounts/invite", userId=viewer.id, sub=viewer.sub, researcherId=rid,
            invitationId=f"invitation:{uuid.uuid4()}", message=text, limit=INVITATIONS_PER_DAY,
            invitationDays=INVITATION_DAYS)
        row = _accepted(rows, "no researcher with this id", INVITE_REFUSALS)
        _saved(info)
        return InvitationPayload(invitation=Invitation.from_row(row["invitation"]))

    @strawberry.mutation(description="The claimant accepts or declines an invitation sent to their record.")
    async def respond_to_invitation(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="the invitation's id")],
                                    accept: Annotated[bool, strawberry.argument(description="true accepts, false declines")]) -> InvitationPayload | None:
        viewer = require_viewer(info)
        rows = await info.context.db.write("accounts/respond-invitation", userId=viewer.id,
                                           invitationId=check_id(id), accept=accept, invitationDays=INVITATION_DAYS)
        # No row, and the same answer, whether the invitation does not exist or is someone else's.
        row = _accepted(rows, "no invitation with this id", RESPOND_REFUSALS)
        _saved(info)
        return InvitationPayload(invitation=Invitation.from_row(row["invitation"]))

    @strawberry.mutation(description="The approved claimant edits their profile.")
    async def update_profile(self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="the researcher's id")],
                             open_to_collaborate: Annotated[bool | None, strawberry.argument(description="null or left out keeps the current value")] = None,
                             bio: Annotated[str | None, strawberry.argument(description=f"at most {BIO_MAX} characters; null, or nothing visible, clears it; left out keeps it")] = strawberry.UNSET) -> ResearcherPayload | None:
        viewer = require_viewer(info)
        rid = check_id(id)
        text = free_text(bio, "bio", BIO_MAX) if isinstance(bio, str) else None
        clear_bio = bio is None or (isinstance(bio, str) and text is None)  # null or nothing visible
        rows = await info.context.db.execute(
            lambda tx: _recompute_after(tx, "accounts/update-profile", rid, userId=viewer.id, researcherId=rid,
                                        openToCollaborate=open_to_collaborate, bio=text, clearBio=clear_bio),
            write=True)
        if not rows:
            raise Forbidden("only the approved claimant can edit this profile")
        _saved(info)
        return ResearcherPayload(researcher_id=rid)


async def _follow(info: Info[Context, Any], id: str, action: str, *, sub: bool = False) -> ResearcherPayload:
    """Follow or unfollow; ``sub``: the action creates the viewer's account on its first use, and so
    takes the token's subject."""
    viewer = require_viewer(info)
    rid = check_id(id)
    params = {"userId": viewer.id, "researcherId": rid}
    if sub:
        params["sub"] = viewer.sub
    rows = await info.context.db.execute(lambda tx: _recompute_after(tx, action, rid, **params), write=True)
    if not rows:
        raise NotFound("no researcher with this id")
    if rows[0].get("own"):
        raise Forbidden("this is your own record: its claimant does not follow it")
    _saved(info)
    return ResearcherPayload(researcher_id=rid)


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The signed-in account; null when anonymous.")
    async def viewer(self, info: Info[Context, None]) -> Account | None:
        return await read_viewer(info)

    @strawberry.field(description="Claims by status, oldest first (moderators only).")
    async def claims(self, info: Info[Context, None], status: Annotated[ClaimStatus, strawberry.argument(description="the claims in this state")] = ClaimStatus.PENDING,
                     first: Annotated[int, size_argument(FIRST_DESCRIPTION)] = CLAIMS_FIRST,
                     after: Annotated[strawberry.ID | None, strawberry.argument(
                         description="the id of the last claim of the page before; null for the first page")] = None,
                     ) -> list[Claim] | None:
        viewer = require_viewer(info)
        if not viewer.is_moderator:
            raise Forbidden("listing claims needs the moderator role")
        row = (await info.context.db.read("accounts/claims", status=status.value, first=check_first(first),
                                          after=check_id(after, "after") if after is not None else None))[0]
        if not row["afterFound"]:
            raise BadUserInput("`after` is not the id of a claim", argument="after")
        return [Claim.from_row(c) for c in row["claims"]]

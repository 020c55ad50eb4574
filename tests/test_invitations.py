"""Invitations to collaborate (claimed records only, rate limited, private to the claimant) and
profile edits by the approved claimant."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from bzgraph.api.accounts import instant
from bzgraph.seed import load_seed
from support import (claim_and_approve, claim_and_open, codes, commits_answered_late, contract, gql, new_id, new_researcher,
                     paging, profile_state, token)

RESPOND = """mutation($id: ID!, $accept: Boolean!) {
  respondToInvitation(id: $id, accept: $accept) { invitation { id status } } }"""
INBOX = "{ viewer { invitations { id status message sender } } }"
EDIT = """mutation($id: ID!, $open: Boolean, $bio: String) {
  updateProfile(id: $id, openToCollaborate: $open, bio: $bio) {
    researcher { openToCollaborate bio trust { score } } } }"""


async def invite(api, rid: str, tok: str, message: str = "Shall we work together?") -> dict:
    return await gql(api, contract("InviteToCollaborate"), {"id": rid, "message": message}, token=tok)


async def test_only_a_claimed_researcher_open_to_collaboration_can_be_invited(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    sender = token(settings, new_id("sender"))
    body = await invite(api, rid, sender)
    assert codes(body) == ["FORBIDDEN"] and "claimed first" in body["errors"][0]["message"]
    assert codes(await invite(api, "no-such", sender)) == ["NOT_FOUND"]
    owner_sub = new_id("owner")
    await claim_and_approve(api, settings, rid, owner_sub)
    owner = token(settings, owner_sub)
    assert codes(await invite(api, rid, owner)) == ["FORBIDDEN"]  # not your own record
    body = await invite(api, rid, sender)  # claimed, but its claimant has not opened it to collaboration
    assert codes(body) == ["FORBIDDEN"] and "not open to collaboration" in body["errors"][0]["message"]
    assert (await profile_state(api, rid, sender))["viewerState"]["canInvite"] is False
    assert "errors" not in await gql(api, EDIT, {"id": rid, "open": True}, token=owner)
    assert (await profile_state(api, rid, sender))["viewerState"]["canInvite"] is True
    body = await invite(api, rid, owner)  # open now, and still not by its own claimant
    assert codes(body) == ["FORBIDDEN"] and body["errors"][0]["message"] == "you cannot invite the record you hold"
    assert (await profile_state(api, rid, owner))["viewerState"]["canInvite"] is False  # nor offered the button
    for message in ("", "   ", "x" * 2001):
        assert codes(await invite(api, rid, sender, message)) == ["BAD_USER_INPUT"], len(message)
    second = token(settings, new_id("sender"))
    assert (await profile_state(api, rid, second))["viewerState"]["canInvite"] is True  # its account exists now
    for message, tok in (("x", sender), ("x" * 2000, second)):
        body = await invite(api, rid, tok, message)
        assert body["data"]["inviteToCollaborate"]["invitation"]["status"] == "PENDING"
        assert body["extensions"]["cypherRoundTrips"] == 1
    assert "errors" not in await gql(api, EDIT, {"id": rid, "open": False}, token=owner)
    assert codes(await invite(api, rid, token(settings, new_id("sender")))) == ["FORBIDDEN"]  # closed again


async def test_an_unclaimed_record_open_to_collaboration_offers_no_invitation(api, settings, seeded) -> None:
    """As the reference page's researcher: unclaimed, yet open to collaborate. An invitation needs a
    claimant to receive it, so a signed-in viewer is offered none (canInvite false, the invite itself
    FORBIDDEN) until the record is claimed."""
    rid = await new_researcher(seeded)
    await seeded.write("testing/set-properties", id=rid, props={"openToCollaborate": True})
    sender = token(settings, new_id("sender"))
    state = await profile_state(api, rid, sender)
    assert state["claimed"] is False
    assert state["viewerState"] == {"isFollowing": False, "canClaim": True, "canInvite": False,
                                    "cannotClaimReasons": [], "cannotInviteReasons": ["NOT_CLAIMED"]}, state
    assert codes(await invite(api, rid, sender)) == ["FORBIDDEN"]
    await seeded.write("testing/add-signals", id=rid, followers=[], institution=None,
                       claimant=f"user:{new_id('owner')}", orcid=None)  # an approved claim
    state = await profile_state(api, rid, sender)
    assert state["claimed"] is True
    assert state["viewerState"] == {"isFollowing": False, "canClaim": False, "canInvite": True,
                                    "cannotClaimReasons": ["ALREADY_CLAIMED"], "cannotInviteReasons": []}, state


async def test_one_pending_invitation_per_sender_and_researcher(api, settings, seeded) -> None:
    """A second invitation while the first awaits an answer is a CONFLICT (and the button is off);
    once the claimant has answered, the sender may invite again."""
    rid = await new_researcher(seeded)
    owner_sub = new_id("owner")
    await claim_and_open(api, settings, rid, owner_sub)
    sender = token(settings, new_id("sender"))
    first = (await invite(api, rid, sender, "First"))["data"]["inviteToCollaborate"]["invitation"]
    assert (await profile_state(api, rid, sender))["viewerState"]["canInvite"] is False
    body = await invite(api, rid, sender, "Again")
    assert codes(body) == ["CONFLICT"] and "still pending" in body["errors"][0]["message"]
    assert (await profile_state(api, rid, token(settings, new_id("other"))))["viewerState"]["canInvite"] is True
    assert "errors" not in await gql(api, RESPOND, {"id": first["id"], "accept": False}, token=token(settings, owner_sub))
    assert (await profile_state(api, rid, sender))["viewerState"]["canInvite"] is True
    assert (await invite(api, rid, sender, "Again"))["data"]["inviteToCollaborate"]["invitation"]["status"] == "PENDING"


async def test_an_invitation_reads_the_same_in_every_payload(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    owner_sub, sender_sub = new_id("owner"), new_id("sender")
    await claim_and_open(api, settings, rid, owner_sub)
    held = await new_researcher(seeded)  # the sender holds a record of their own: the invitee sees whose
    await claim_and_approve(api, settings, held, sender_sub)
    fields = "id status message createdAt sender senderId senderResearcher { id name }"
    sent = (await gql(api, f"""mutation($id: ID!) {{ inviteToCollaborate(researcherId: $id, message: "Hi") {{
        invitation {{ {fields} }} viewer {{ counts {{ sentPendingInvitations }} sentInvitations {{ {fields} }} }} }} }}""",
                      {"id": rid}, token=token(settings, sender_sub)))
    invitation = sent["data"]["inviteToCollaborate"]["invitation"]
    assert invitation["message"] == "Hi" and invitation["sender"] == sender_sub and invitation["createdAt"]
    assert invitation["senderId"] == f"user:{sender_sub}" and invitation["senderResearcher"] == {
        "id": held, "name": f"Researcher {held}"}
    assert sent["data"]["inviteToCollaborate"]["viewer"] == {  # the sender's account as the invitation left it
        "counts": {"sentPendingInvitations": 1}, "sentInvitations": [invitation]}
    owner = token(settings, owner_sub)
    inbox = (await gql(api, f"{{ viewer {{ invitations {{ {fields} }} }} }}", token=owner))["data"]["viewer"]
    assert inbox["invitations"] == [invitation]
    answered = await gql(api, f"""mutation($id: ID!) {{ respondToInvitation(id: $id, accept: false) {{
        invitation {{ {fields} }} viewer {{ counts {{ pendingInvitations }} }} }} }}""", {"id": invitation["id"]}, token=owner)
    assert answered["data"]["respondToInvitation"]["invitation"] == {**invitation, "status": "DECLINED"}
    assert answered["data"]["respondToInvitation"]["viewer"] == {"counts": {"pendingInvitations": 0}}


async def test_the_claimant_alone_reads_and_answers_invitations(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    owner_sub, sender_sub = new_id("owner"), new_id("sender")
    await claim_and_open(api, settings, rid, owner_sub)
    owner, sender, stranger = token(settings, owner_sub), token(settings, sender_sub), token(settings, new_id("x"))
    invitation = (await invite(api, rid, sender, "Hello"))["data"]["inviteToCollaborate"]["invitation"]

    inbox = (await gql(api, INBOX, token=owner))["data"]["viewer"]["invitations"]
    assert inbox == [{"id": invitation["id"], "status": "PENDING", "message": "Hello", "sender": sender_sub}]
    for other in (sender, stranger):
        assert (await gql(api, INBOX, token=other))["data"]["viewer"]["invitations"] == []
    assert (await gql(api, INBOX))["data"]["viewer"] is None

    # someone else's invitation and a missing one get the same answer
    answers = [await gql(api, RESPOND, {"id": iid, "accept": True}, token=tok)
               for iid, tok in ((invitation["id"], sender), (invitation["id"], stranger), ("invitation:none", owner))]
    assert [codes(a) for a in answers] == [["NOT_FOUND"]] * 3
    assert len({a["errors"][0]["message"] for a in answers}) == 1
    assert codes(await gql(api, RESPOND, {"id": invitation["id"], "accept": True})) == ["UNAUTHENTICATED"]

    accepted = await gql(api, RESPOND, {"id": invitation["id"], "accept": True}, token=owner)
    assert accepted["data"]["respondToInvitation"]["invitation"] == {"id": invitation["id"], "status": "ACCEPTED"}
    assert codes(await gql(api, RESPOND, {"id": invitation["id"], "accept": False}, token=owner)) == ["CONFLICT"]
    second = (await invite(api, rid, sender, "Again"))["data"]["inviteToCollaborate"]["invitation"]
    declined = await gql(api, """mutation($id: ID!) { respondToInvitation(id: $id, accept: false) {
      invitation { status expiresAt } } }""", {"id": second["id"]}, token=owner)
    assert declined["data"]["respondToInvitation"]["invitation"] == {"status": "DECLINED", "expiresAt": None}
    # an answered invitation no longer expires
    answered = await gql(api, "{ viewer { invitations { id status expiresAt } } }", token=owner)
    assert {i["status"]: i["expiresAt"] for i in answered["data"]["viewer"]["invitations"]} == {
        "ACCEPTED": None, "DECLINED": None}


async def test_the_sender_sees_what_they_sent_and_the_answer(api, settings, seeded) -> None:
    """viewer.sentInvitations: the sender's own invitations, newest first, with the invited researcher
    and the claimant's answer; nobody else sees them."""
    first, second = await new_researcher(seeded), await new_researcher(seeded)
    owners = {rid: new_id("owner") for rid in (first, second)}
    for rid, sub in owners.items():
        await claim_and_open(api, settings, rid, sub)
    sender_sub = new_id("sender")
    sender = token(settings, sender_sub)
    one = (await invite(api, first, sender, "First"))["data"]["inviteToCollaborate"]["invitation"]
    two = (await invite(api, second, sender, "Second"))["data"]["inviteToCollaborate"]["invitation"]
    await gql(api, RESPOND, {"id": one["id"], "accept": True}, token=token(settings, owners[first]))
    query = "{ viewer { sentInvitations { id status message sender researcher { id claimed } } } }"
    sent = (await gql(api, query, token=sender))["data"]["viewer"]["sentInvitations"]
    assert sent == [
        {"id": two["id"], "status": "PENDING", "message": "Second", "sender": sender_sub,
         "researcher": {"id": second, "claimed": True}},
        {"id": one["id"], "status": "ACCEPTED", "message": "First", "sender": sender_sub,
         "researcher": {"id": first, "claimed": True}}]
    assert (await gql(api, query, token=token(settings, owners[first])))["data"]["viewer"]["sentInvitations"] == []
    inbox = await gql(api, "{ viewer { invitations { id researcher { id } } } }", token=token(settings, owners[first]))
    assert inbox["data"]["viewer"]["invitations"] == [{"id": one["id"], "researcher": {"id": first}}]


async def test_an_invitation_unanswered_for_30_days_expires(api, settings, seeded) -> None:
    """Still pending 30 days after it was sent, an invitation reads as EXPIRED everywhere: it can no
    longer be answered, it is found under status EXPIRED and not PENDING, and its sender may invite
    the same researcher again. Until then it says when it expires."""
    from datetime import datetime, timedelta

    rid = await new_researcher(seeded)
    owner_sub, sender_sub = new_id("owner"), new_id("sender")
    await claim_and_open(api, settings, rid, owner_sub)
    owner, sender = token(settings, owner_sub), token(settings, sender_sub)
    fields = "id status createdAt expiresAt"
    sent = (await gql(api, f"""mutation($id: ID!) {{ inviteToCollaborate(researcherId: $id, message: "Hi") {{
        invitation {{ {fields} }} }} }}""", {"id": rid}, token=sender))["data"]["inviteToCollaborate"]["invitation"]

    def when(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    created = when(sent["createdAt"])
    assert when(sent["expiresAt"]) - created == timedelta(days=30)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", sent[k]) for k in ("createdAt", "expiresAt")), sent

    lists = f"""query($status: InvitationStatus) {{ viewer {{ invitations(status: $status) {{ {fields} }}
        sentInvitations(status: $status) {{ {fields} }} }} }}"""

    # a day to go: pending everywhere, with the day it expires, and it can still be answered
    await seeded.write("testing/age-invitation", id=sent["id"], days=29)
    assert (await profile_state(api, rid, sender))["viewerState"]["canInvite"] is False
    assert codes(await invite(api, rid, sender)) == ["CONFLICT"]
    pending = (await gql(api, lists, {"status": "PENDING"}, token=sender))["data"]["viewer"]["sentInvitations"]
    assert [(i["id"], i["status"]) for i in pending] == [(sent["id"], "PENDING")]
    aged = when(pending[0]["createdAt"])
    assert created - aged == timedelta(days=29) and when(pending[0]["expiresAt"]) - aged == timedelta(days=30)
    assert (await gql(api, lists, {"status": "PENDING"}, token=owner))["data"]["viewer"]["invitations"] == pending
    other = (await invite(api, rid, token(settings, new_id("sender")), "Late"))["data"]["inviteToCollaborate"]["invitation"]
    await seeded.write("testing/age-invitation", id=other["id"], days=29)
    answered = await gql(api, RESPOND, {"id": other["id"], "accept": True}, token=owner)
    assert answered["data"]["respondToInvitation"]["invitation"]["status"] == "ACCEPTED", answered

    await seeded.write("testing/age-invitation", id=sent["id"], days=1)  # 30 days unanswered
    expired = {**sent, "status": "EXPIRED", "expiresAt": None,
               "createdAt": (await gql(api, "{ viewer { sentInvitations { createdAt } } }",
                                       token=sender))["data"]["viewer"]["sentInvitations"][0]["createdAt"]}
    assert (await gql(api, lists, {"status": "EXPIRED"}, token=owner))["data"]["viewer"]["invitations"] == [expired]
    assert (await gql(api, lists, {"status": "EXPIRED"}, token=sender))["data"]["viewer"]["sentInvitations"] == [expired]
    assert (await gql(api, lists, {"status": "PENDING"}, token=owner))["data"]["viewer"]["invitations"] == []
    body = await gql(api, RESPOND, {"id": sent["id"], "accept": True}, token=owner)
    assert codes(body) == ["CONFLICT"] and "expired" in body["errors"][0]["message"]
    assert (await profile_state(api, rid, sender))["viewerState"]["canInvite"] is True
    again = (await invite(api, rid, sender, "Once more"))["data"]["inviteToCollaborate"]["invitation"]
    assert again["status"] == "PENDING"
    inbox = (await gql(api, lists, {"status": None}, token=owner))["data"]["viewer"]["invitations"]
    assert [(i["id"], i["status"]) for i in inbox] == [
        (again["id"], "PENDING"), (other["id"], "ACCEPTED"), (sent["id"], "EXPIRED")]


async def open_records(api, settings, seeded, n: int) -> list[str]:
    """``n`` fresh researchers, each claimed and open to collaboration."""
    rids = [await new_researcher(seeded) for _ in range(n)]
    await asyncio.gather(*(claim_and_open(api, settings, rid, new_id("popular")) for rid in rids))
    return rids


async def test_invitations_are_rate_limited_per_account(api, settings, seeded) -> None:
    rids = await open_records(api, settings, seeded, 21)
    spammer = token(settings, new_id("spammer"))
    for i, rid in enumerate(rids[:20]):
        assert (await profile_state(api, rids[20], spammer))["viewerState"]["canInvite"] is True
        assert "errors" not in await invite(api, rid, spammer, f"#{i}")
    assert (await profile_state(api, rids[20], spammer))["viewerState"]["cannotInviteReasons"] == ["RATE_LIMITED"]
    body = await invite(api, rids[20], spammer, "one more")
    assert codes(body) == ["RATE_LIMITED"] and "20" in body["errors"][0]["message"]
    assert 86_000 < body["errors"][0]["extensions"]["retryAfter"] <= 86_400  # the first of the 20 was sent just now: a day in whole seconds, at most
    assert "errors" not in await invite(api, rids[20], token(settings, new_id("polite")), "hi")  # per account


async def test_the_rate_limit_holds_under_concurrency(api, settings, seeded) -> None:
    rids = await open_records(api, settings, seeded, 26)
    sender = token(settings, new_id("burst"))
    results = await asyncio.gather(*(invite(api, rid, sender, f"#{i}") for i, rid in enumerate(rids)))
    outcomes = ["ok" if "errors" not in r else codes(r)[0] for r in results]
    assert outcomes.count("ok") == 20 and outcomes.count("RATE_LIMITED") == 6


async def test_invitations_and_follows_at_once_never_deadlock(api, settings, seeded, caplog) -> None:
    """Each account invites and follows the same researcher at the same moment, over and over: the
    two take their locks in the same order (researcher, then account), so Neo4j never has to break
    a deadlock (which the driver would retry, slowly, and past the request's time as a 503)."""
    import logging

    rid = await new_researcher(seeded)
    owner_sub = new_id("owner")
    await claim_and_open(api, settings, rid, owner_sub)
    senders = [token(settings, new_id("both")) for _ in range(6)]
    for sender in senders:  # the accounts exist before the race
        assert "errors" not in await gql(api, "{ viewer { id } }", token=sender)
    follow = contract("FollowResearcher")
    with caplog.at_level(logging.WARNING, logger="neo4j"):
        for round_ in range(10):
            results = await asyncio.gather(*(call for sender in senders for call in (
                invite(api, rid, sender, f"#{round_}"), gql(api, follow, {"id": rid}, token=sender))))
            assert all("errors" not in r for r in results), results
            for sent in results[::2]:  # declined, so that each round sends anew (one pending per sender)
                answer = await gql(api, RESPOND, {"id": sent["data"]["inviteToCollaborate"]["invitation"]["id"],
                                                  "accept": False}, token=token(settings, owner_sub))
                assert "errors" not in answer, answer
    assert not [r for r in caplog.records if "Deadlock" in r.getMessage()]


async def test_an_invitation_saved_as_its_time_runs_out_is_still_read_back(api, settings, seeded) -> None:
    """An invitation, its answer and a profile edit, each committed just as its request's time runs
    out (a lock waited for, a busy database): saved, and the account or researcher each answers with
    is read back in the moment the mutation gives it, not failed ("the change is saved, but reading … failed")."""
    rid, owner_sub = await new_researcher(seeded), new_id("owner")
    await claim_and_open(api, settings, rid, owner_sub)
    sender, owner = token(settings, new_id("late")), token(settings, owner_sub)
    async with commits_answered_late(settings, timeout=2.0) as late:
        body = await gql(late, """mutation($id: ID!, $message: String!) {
            inviteToCollaborate(researcherId: $id, message: $message) {
              invitation { id status } viewer { counts { sentPendingInvitations } } } }""", {"id": rid, "message": "Late"},
                         token=sender)
        assert "errors" not in body, body
        sent = body["data"]["inviteToCollaborate"]
        assert sent["invitation"]["status"] == "PENDING" and sent["viewer"] == {"counts": {"sentPendingInvitations": 1}}
        body = await gql(late, """mutation($id: ID!) { respondToInvitation(id: $id, accept: true) {
            invitation { status } viewer { counts { pendingInvitations } } } }""", {"id": sent["invitation"]["id"]}, token=owner)
        assert "errors" not in body, body
        assert body["data"]["respondToInvitation"] == {
            "invitation": {"status": "ACCEPTED"}, "viewer": {"counts": {"pendingInvitations": 0}}}
        body = await gql(late, EDIT, {"id": rid, "open": None, "bio": "Late but mine"}, token=owner)
        assert "errors" not in body, body
        assert body["data"]["updateProfile"]["researcher"]["bio"] == "Late but mine"


async def test_only_the_claimant_edits_the_profile(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    owner_sub = new_id("editor")
    assert codes(await gql(api, EDIT, {"id": rid, "open": True}, token=token(settings, owner_sub))) == ["FORBIDDEN"]
    await claim_and_approve(api, settings, rid, owner_sub)
    owner = token(settings, owner_sub)
    before = (await profile_state(api, rid))["trust"]["score"]
    body = await gql(api, EDIT, {"id": rid, "open": True, "bio": "Applied analysis."}, token=owner)
    edited = body["data"]["updateProfile"]["researcher"]
    assert edited["openToCollaborate"] is True and edited["bio"] == "Applied analysis."
    assert edited["trust"]["score"] > before  # trust recomputed in the same transaction
    assert codes(await gql(api, EDIT, {"id": rid, "bio": "x" * 501}, token=owner)) == ["BAD_USER_INPUT"]
    kept = (await gql(api, EDIT, {"id": rid, "open": False}, token=owner))["data"]["updateProfile"]["researcher"]
    assert kept["openToCollaborate"] is False and kept["bio"] == "Applied analysis."  # an omitted field stays
    for empty in (None, "  "):
        await gql(api, EDIT, {"id": rid, "bio": "Applied analysis."}, token=owner)
        cleared = (await gql(api, EDIT, {"id": rid, "bio": empty}, token=owner))["data"]["updateProfile"]["researcher"]
        assert cleared["bio"] is None, empty
    assert codes(await gql(api, EDIT, {"id": rid, "open": True}, token=token(settings, new_id("x")))) == ["FORBIDDEN"]
    assert codes(await gql(api, EDIT, {"id": rid, "open": True}, token=token(settings, "mod", "moderator"))) == ["FORBIDDEN"]
    assert codes(await gql(api, EDIT, {"id": rid, "open": False})) == ["UNAUTHENTICATED"]


async def test_typed_text_is_visible_composed_and_measured_as_stored(api, settings, seeded) -> None:
    """Messages and bios: control characters are refused; zero-width, format or filler characters
    alone count as empty; text is stored composed (NFC) and trimmed, and measured so."""
    import unicodedata

    rid = await new_researcher(seeded)
    owner_sub = new_id("owner")
    await claim_and_open(api, settings, rid, owner_sub)
    owner, sender = token(settings, owner_sub), token(settings, new_id("sender"))
    for message in ("\u0000", "\u200b", "\u00ad", "\u3164", "\u202e", " \u200b\u2060 "):
        assert codes(await invite(api, rid, sender, message)) == ["BAD_USER_INPUT"], repr(message)
    for control in ("Hello\x07\x1b[2J", "Hello\x9b2J"):  # C0 and C1 (CSI) alike
        body = await invite(api, rid, sender, control)
        assert codes(body) == ["BAD_USER_INPUT"] and "control characters" in body["errors"][0]["message"], repr(control)
    for spoof in ("Meet me at \u202egnp.exe", "\u202dabc\u202c", "x\u202ay\u202c"):  # reads other than it is
        body = await invite(api, rid, sender, spoof)
        assert codes(body) == ["BAD_USER_INPUT"] and "bidirectional" in body["errors"][0]["message"], repr(spoof)
    assert codes(await gql(api, EDIT, {"id": rid, "bio": "Bio \u202e"}, token=owner)) == ["BAD_USER_INPUT"]
    sent = await invite(api, rid, sender, "  Line one\nline two\t " + "x" * 1980 + "  ")
    assert sent["data"]["inviteToCollaborate"]["invitation"]["status"] == "PENDING"
    inbox = (await gql(api, INBOX, token=owner))["data"]["viewer"]["invitations"]
    assert [i["message"] for i in inbox] == ["Line one\nline two\t " + "x" * 1980]
    for bio in ("\u200b", "\u00ad\u2060"):  # nothing visible: clears, as white space does
        await gql(api, EDIT, {"id": rid, "bio": "Applied analysis."}, token=owner)
        assert (await gql(api, EDIT, {"id": rid, "bio": bio}, token=owner))["data"]["updateProfile"]["researcher"]["bio"] is None
    assert codes(await gql(api, EDIT, {"id": rid, "bio": "a\u0000b"}, token=owner)) == ["BAD_USER_INPUT"]
    assert codes(await gql(api, EDIT, {"id": rid, "bio": "a\u009bb"}, token=owner)) == ["BAD_USER_INPUT"]
    edited = await gql(api, EDIT, {"id": rid, "bio": "x" * 500 + "   "}, token=owner)  # 500 once trimmed
    assert edited["data"]["updateProfile"]["researcher"]["bio"] == "x" * 500
    decomposed = unicodedata.normalize("NFD", "é") * 300  # 600 code points, 300 characters composed
    edited = await gql(api, EDIT, {"id": rid, "bio": decomposed}, token=owner)
    assert edited["data"]["updateProfile"]["researcher"]["bio"] == "é" * 300
    arabic = await invite(api, rid, token(settings, new_id("sender")), "مرحبا، hello \u2067עברית\u2069")  # typed RTL text and an isolate pass
    assert arabic["data"]["inviteToCollaborate"]["invitation"]["status"] == "PENDING", arabic


async def test_private_objects_are_not_reachable_by_id(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    owner_sub = new_id("owner")
    claim_id = await claim_and_open(api, settings, rid, owner_sub)
    invitation = (await invite(api, rid, token(settings, new_id("sender"))))["data"]["inviteToCollaborate"]["invitation"]
    query = "query($id: ID!) { node(id: $id) { id } }"
    for private in (claim_id, invitation["id"], f"user:{owner_sub}"):
        body = await gql(api, query, {"id": private}, token=token(settings, new_id("curious")))
        assert "errors" not in body and body["data"]["node"] is None, private


async def test_a_seed_run_again_keeps_what_the_claimant_edited(api, settings, seeded, tmp_path) -> None:
    """`bzgraph seed` runs at every start of the service: it sets an unclaimed record's bio and
    openToCollaborate, but a claimant's edits of their own record stay."""
    claimed, unclaimed = await new_researcher(seeded), await new_researcher(seeded)
    owner_sub = new_id("editor")
    await claim_and_approve(api, settings, claimed, owner_sub)
    await gql(api, EDIT, {"id": claimed, "open": False, "bio": "Mine."}, token=token(settings, owner_sub))
    edited = (await profile_state(api, claimed))["trust"]["score"]
    seed = {"sources": [], "topics": [], "institutions": [], "works": [], "affiliations": [], "researchers": [
        {"id": rid, "name": f"Researcher {rid}", "aliases": [], "orcid": None, "openToCollaborate": True,
         "bio": "From the seed."} for rid in (claimed, unclaimed)]}
    (tmp_path / "graph.json").write_text(json.dumps(seed))
    await load_seed(seeded, tmp_path / "graph.json")
    read = """query($id: ID!) { researcher(id: $id) { openToCollaborate bio trust { score } } }"""
    kept = (await gql(api, read, {"id": claimed}))["data"]["researcher"]
    assert kept == {"openToCollaborate": False, "bio": "Mine.", "trust": {"score": edited}}
    seeded_fresh = (await gql(api, read, {"id": unclaimed}))["data"]["researcher"]
    assert seeded_fresh["openToCollaborate"] is True and seeded_fresh["bio"] == "From the seed."


async def test_every_invitation_can_be_reached_page_by_page(api, settings, seeded) -> None:
    """The claimant's and the sender's lists page newest first, `after` the id of the last item seen,
    optionally of one status: however many arrive, none is out of reach (issue 5: the claimant
    answers them). An `after` that is not an item of the list is refused, not read as its end."""
    rid = await new_researcher(seeded)
    owner_sub = new_id("owner")
    await claim_and_open(api, settings, rid, owner_sub)
    owner = token(settings, owner_sub)
    senders = [token(settings, new_id("sender")) for _ in range(7)]
    sent = [(await invite(api, rid, senders[i], f"#{i}"))["data"]["inviteToCollaborate"]["invitation"]["id"]
            for i in range(7)]
    for iid in sent[:2]:
        assert "errors" not in await gql(api, RESPOND, {"id": iid, "accept": False}, token=owner)
    page_query = """query($first: Int!, $after: ID, $status: InvitationStatus) {
      viewer { invitations(first: $first, after: $after, status: $status) { id status } } }"""

    async def walk(status: str | None) -> list[str]:
        seen: list[str] = []
        for _ in paging():
            body = await gql(api, page_query, {"first": 2, "after": seen[-1] if seen else None, "status": status},
                             token=owner)
            page = body["data"]["viewer"]["invitations"]
            assert len(page) <= 2 and all(status in (None, i["status"]) for i in page)
            if not page:
                return seen
            seen += [i["id"] for i in page]

    assert await walk(None) == sent[::-1]  # newest first, each once
    assert await walk("PENDING") == sent[2:][::-1]
    assert await walk("DECLINED") == sent[:2][::-1]
    mine = token(settings, new_id("other"))
    for after in ("invitation:no-such", sent[0], rid):  # unknown, someone else's list, not an invitation
        body = await gql(api, page_query, {"first": 2, "after": after, "status": None},
                         token=mine if after == sent[0] else owner)
        assert codes(body) == ["BAD_USER_INPUT"] and body["data"]["viewer"]["invitations"] is None, after
    assert codes(await gql(api, page_query, {"first": 101, "after": None, "status": None}, token=owner)) == ["BAD_USER_INPUT"]

    # the sender's list pages the same way; two pages of it in one request, under aliases
    mine = [sent[0]]  # declined above: the sender may invite again, once each answer is in
    for i in range(3):
        if i:
            assert "errors" not in await gql(api, RESPOND, {"id": mine[-1], "accept": False}, token=owner)
        mine.append((await invite(api, rid, senders[0], f"again #{i}"))["data"]["inviteToCollaborate"]["invitation"]["id"])
    body = await gql(api, """query($after: ID) { viewer {
        newest: sentInvitations(first: 2) { id } older: sentInvitations(first: 2, after: $after) { id } } }""",
                     {"after": mine[2]}, token=senders[0])
    assert body["data"]["viewer"] == {"newest": [{"id": mine[3]}, {"id": mine[2]}],
                                      "older": [{"id": mine[1]}, {"id": mine[0]}]}


async def test_the_account_and_its_lists_are_one_round_trip(api, settings, seeded) -> None:
    sub = new_id("reader")
    reader = token(settings, sub)
    assert "errors" not in await gql(api, "{ viewer { id } }", token=reader)  # the account exists
    body = await gql(api, """{ viewer { id claims(first: 5) { id } invitations(status: PENDING) { id }
        sentInvitations(first: 3) { id } claimedResearcher { id } } }""", token=reader)
    assert body["data"]["viewer"] == {"id": f"user:{sub}", "claims": [], "invitations": [], "sentInvitations": [],
                                      "claimedResearcher": None}
    assert body["extensions"]["cypherRoundTrips"] == 1


async def test_the_accounts_lists_count_their_pages_in_the_query_cost(api, settings, seeded) -> None:
    """Each of the account's lists holds up to `first` items (100 by default): a document nesting
    large pages under them is refused before anything runs, as under any other list."""
    reader = token(settings, new_id("costly"))
    nested = "researcher {{ works(first: 100) {{ edges {{ node {{ id title }} }} }} }}"
    for field in ("claims", "invitations", "sentInvitations"):
        body = await gql(api, f"{{ viewer {{ {field} {{ {nested.format()} }} }} }}", token=reader)
        assert codes(body) == ["QUERY_TOO_COMPLEX"], field
        small = await gql(api, f"{{ viewer {{ {field}(first: 10) {{ {nested.format()} }} }} }}", token=reader)
        assert "errors" not in small, field


async def test_the_account_counts_its_lists_whole(api, settings, seeded) -> None:
    """viewer.counts: what a UI shows beside each list, counted whole whatever page is read, in the
    account's one query; expired invitations and answered ones no longer count as pending."""
    counts = "{ viewer { counts { following pendingClaims pendingInvitations sentPendingInvitations } } }"
    zero = {"following": 0, "pendingClaims": 0, "pendingInvitations": 0, "sentPendingInvitations": 0}

    async def read(tok: str, **expected: int) -> None:
        body = await gql(api, counts, token=tok)
        assert body["data"]["viewer"]["counts"] == {**zero, **expected} and body["extensions"]["cypherRoundTrips"] <= 2

    rid, other = await new_researcher(seeded), await new_researcher(seeded)
    owner_sub = new_id("owner")
    await claim_and_open(api, settings, rid, owner_sub)
    owner, a, b = token(settings, owner_sub), token(settings, new_id("a")), token(settings, new_id("b"))
    await read(a)  # a new account: nothing yet
    first = (await invite(api, rid, a, "From a"))["data"]["inviteToCollaborate"]["invitation"]
    second = (await invite(api, rid, b, "From b"))["data"]["inviteToCollaborate"]["invitation"]
    await read(owner, pendingInvitations=2)
    await read(a, sentPendingInvitations=1)
    await seeded.write("testing/age-invitation", id=second["id"], days=30)
    await read(owner, pendingInvitations=1)
    await read(b)
    assert "errors" not in await gql(api, RESPOND, {"id": first["id"], "accept": False}, token=owner)
    await read(owner)
    for followed in (rid, other):
        assert "errors" not in await gql(api, contract("FollowResearcher"), {"id": followed}, token=a)
    body = await gql(api, contract("ClaimResearcher"), {"id": other, "evidence": {"email": "a@example.org"}}, token=a)
    assert "errors" not in body, body
    await read(a, following=2, pendingClaims=1)
    paged = await gql(api, """{ viewer { following(first: 1) { since } claims(first: 0) { id }
        counts { following pendingClaims } } }""", token=a)
    assert paged["data"]["viewer"] == {"following": [paged["data"]["viewer"]["following"][0]], "claims": [],
                                       "counts": {"following": 2, "pendingClaims": 1}}
    assert paged["extensions"]["cypherRoundTrips"] == 1


@pytest.mark.parametrize("stored, digits, shown", [
    ("2026-11-29T10:52:16.82Z", 3, "2026-11-29T10:52:16.820Z"),   # Neo4j drops the fraction's trailing zeros
    ("2026-11-29T10:52:16Z", 3, "2026-11-29T10:52:16.000Z"),      # and a whole second's fraction
    ("2026-11-29T10:52:16.187654Z", 9, "2026-11-29T10:52:16.187654000Z"),
    ("2026-11-29T10:52:16.187654321Z", 9, "2026-11-29T10:52:16.187654321Z"),
    ("2026-11-29T10:52:16.1876Z", 3, "2026-11-29T10:52:16.187Z"),  # cut, never rounded up past the second
    (None, 3, None),
    ("2026-11-29T10:52:16.82+01:00", 3, "2026-11-29T10:52:16.82+01:00"),  # not UTC: as stored
])
def test_instants_have_one_width_so_they_sort_as_text(stored: str | None, digits: int, shown: str | None) -> None:
    assert instant(stored, digits) == shown


"""Claims: PENDING with evidence, moderator review, one approved claimant each way, racing approvals."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from support import (claim_and_approve, codes, commits_answered_late, contract, gql, new_id, new_researcher, profile_state,
                     token, until_blocked)

from bzgraph.errors import Conflict
from bzgraph.settings import Settings


def claim(rid: str, email: str | None = None, **evidence: object) -> dict:
    return {"id": rid, "evidence": {"email": email, **evidence} if email else evidence}


async def test_claim_review_and_viewer_state(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    sub = new_id("claimant")
    mine = token(settings, sub)
    assert (await profile_state(api, rid, mine))["viewerState"]["canClaim"] is True
    assert (await profile_state(api, rid))["viewerState"] == {
        "isFollowing": False, "canClaim": False, "canInvite": False, "cannotClaimReasons": ["SIGN_IN"],
        "cannotInviteReasons": ["SIGN_IN", "NOT_CLAIMED", "NOT_OPEN"]}

    body = await gql(api, contract("ClaimResearcher"), claim(rid, f"{sub}@example.org"), token=mine)
    payload = body["data"]["claimResearcher"]
    assert payload["claim"]["status"] == "PENDING" and payload["researcher"]["claimed"] is False
    assert payload["researcher"]["trust"]["verificationLevel"] == "L0"
    assert body["extensions"]["cypherRoundTrips"] == 2
    before = payload["researcher"]["trust"]["score"]
    assert (await profile_state(api, rid, mine))["viewerState"]["canClaim"] is False
    again = await gql(api, contract("ClaimResearcher"), claim(rid, f"{sub}@example.org"), token=mine)
    assert codes(again) == ["CONFLICT"]

    review = {"claimId": payload["claim"]["id"], "approve": True}
    assert codes(await gql(api, contract("ReviewClaim"), review, token=mine)) == ["FORBIDDEN"]
    moderator = token(settings, "mod", "moderator")
    await gql(api, "{ viewer { id } }", token=moderator)  # an account's first request also writes its User node
    body = await gql(api, contract("ReviewClaim"), review, token=moderator)
    approved = body["data"]["reviewClaim"]
    assert approved["claim"] == {"id": review["claimId"], "status": "APPROVED"}
    assert approved["researcher"]["claimed"] is True
    assert approved["researcher"]["trust"]["verificationLevel"] == "L2"
    assert approved["researcher"]["trust"]["score"] > before  # recomputed in the same transaction
    assert body["extensions"]["cypherRoundTrips"] == 3
    assert codes(await gql(api, contract("ReviewClaim"), review, token=moderator)) == ["CONFLICT"]

    other = token(settings, new_id("other"))
    assert (await profile_state(api, rid, other))["viewerState"] == {  # claimed, but not open to collaboration yet
        "isFollowing": False, "canClaim": False, "canInvite": False, "cannotClaimReasons": ["ALREADY_CLAIMED"],
        "cannotInviteReasons": ["NOT_OPEN"]}
    assert (await profile_state(api, rid, mine))["viewerState"]["canInvite"] is False
    assert codes(await gql(api, contract("ClaimResearcher"), claim(rid, "o@example.org"), token=other)) == ["CONFLICT"]
    # the claimant holds a record now: no second approved claim for this account
    second = await new_researcher(seeded)
    assert (await profile_state(api, second, mine))["viewerState"]["canClaim"] is False
    assert codes(await gql(api, contract("ClaimResearcher"), claim(second, "a@example.org"), token=mine)) == ["CONFLICT"]


async def test_rejection_leaves_the_record_unclaimed(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    sub = new_id("r")
    body = await gql(api, contract("ClaimResearcher"), claim(rid, "r@example.org"), token=token(settings, sub))
    cid = body["data"]["claimResearcher"]["claim"]["id"]
    body = await gql(api, contract("ReviewClaim"), {"claimId": cid, "approve": False},
                     token=token(settings, "mod", "moderator"))
    assert body["data"]["reviewClaim"]["claim"]["status"] == "REJECTED"
    assert body["data"]["reviewClaim"]["researcher"]["claimed"] is False
    assert body["data"]["reviewClaim"]["researcher"]["trust"]["verificationLevel"] == "L0"
    # the rejected claimant may try again
    assert (await profile_state(api, rid, token(settings, sub)))["viewerState"]["canClaim"] is True


async def test_matching_orcid_verifies_to_l3(api, settings, seeded) -> None:
    rid = await new_researcher(seeded, orcid="0000-0002-1825-0097")
    await claim_and_approve(api, settings, rid, new_id("orcid"), orcid="https://orcid.org/0000-0002-1825-0097")
    assert (await profile_state(api, rid))["trust"]["verificationLevel"] == "L3"
    mismatch = await new_researcher(seeded, orcid="0000-0002-1825-0097")
    await claim_and_approve(api, settings, mismatch, new_id("orcid"), orcid="0000-0001-5109-3700")
    assert (await profile_state(api, mismatch))["trust"]["verificationLevel"] == "L2"


async def test_a_claim_reads_the_same_in_every_payload(api, settings, seeded) -> None:
    rid, sub = await new_researcher(seeded), new_id("same")
    fields = "id status createdAt claimant evidence { orcid email note } researcher { id }"
    made = await gql(api, f"""mutation($id: ID!) {{ claimResearcher(id: $id,
        evidence: {{email: " Me@Example.org ", note: "n"}}) {{ claim {{ {fields} }} }} }}""",
        {"id": rid}, token=token(settings, sub))
    claim = made["data"]["claimResearcher"]["claim"]
    assert claim["createdAt"] and claim["claimant"] == sub and claim["researcher"] == {"id": rid}
    assert len(claim["createdAt"]) == len("2026-11-28T04:43:32.187654321Z"), claim["createdAt"]  # one width
    assert claim["evidence"] == {"orcid": None, "email": "Me@example.org", "note": "n"}  # normalized once, stored so
    mine = await gql(api, f"{{ viewer {{ claims {{ {fields} }} }} }}", token=token(settings, sub))
    assert mine["data"]["viewer"]["claims"] == [claim]
    reviewed = await gql(api, f"""mutation($id: ID!) {{ reviewClaim(claimId: $id, approve: false) {{
        claim {{ {fields} }} }} }}""", {"id": claim["id"]}, token=token(settings, "mod", "moderator"))
    assert reviewed["data"]["reviewClaim"]["claim"] == {**claim, "status": "REJECTED"}


async def test_claim_evidence_is_validated(api, settings, seeded) -> None:
    tok = token(settings, new_id("v"))
    for evidence in ({}, {"note": "it's me"}, {"orcid": "1234"}, {"orcid": "0000-0002-1825-0098"},
                     {"orcid": "0000-0002-1825-009"}, {"orcid": "ftp://orcid.org/0000-0002-1825-0097"},
                     {"orcid": "0000-00021825-0097-"}, {"orcid": "https://example.org/0000-0002-1825-0097"},
                     {"email": "not-an-email"}, {"email": "a@example.org", "note": "x" * 2001},
                     {"email": "x@" + "b" * 300 + ".com"}, {"email": "a@..co"}, {"email": "a@example..org"},
                     {"orcid": "\u0660\u0660\u0660\u0660-\u0660\u0660\u0660\u0662-\u0661\u0666\u0669\u0664-\u0662\u0663\u0663X"}):
        body = await gql(api, contract("ClaimResearcher"), {"id": "bzr-leon-bungert", "evidence": evidence}, token=tok)
        assert codes(body) == ["BAD_USER_INPUT"], evidence
    assert codes(await gql(api, contract("ClaimResearcher"), claim("no-such", "a@example.org"), token=tok)) == ["NOT_FOUND"]
    body = await gql(api, contract("ClaimResearcher"),
                     claim("bzr-leon-bungert", "a@example.org", note="\u0000nul\u0007bell\u001b[31mred"), token=tok)
    assert codes(body) == ["BAD_USER_INPUT"] and "control characters" in body["errors"][0]["message"]


@pytest.mark.parametrize("typed", ["0000-0001-5006-625X", "0000-0001-5006-625x", "https://orcid.org/0000-0001-5006-625x",
                                   "orcid.org/0000-0001-5006-625X", "HTTPS://WWW.ORCID.ORG/0000-0001-5006-625X",
                                   "000000015006625x", " http://orcid.org/000000015006625X "])
async def test_an_orcid_is_taken_in_the_forms_people_paste(api, settings, seeded, typed: str) -> None:
    rid = await new_researcher(seeded)
    body = await gql(api, "mutation($id: ID!, $e: ClaimEvidenceInput!) { claimResearcher(id: $id, evidence: $e) "
                          "{ claim { evidence { orcid } } } }", {"id": rid, "e": {"orcid": typed}}, token=token(settings, new_id("o")))
    assert body.get("errors") is None, body
    assert body["data"]["claimResearcher"]["claim"]["evidence"]["orcid"] == "0000-0001-5006-625X"


async def test_racing_approvals_let_exactly_one_win(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    claims = []
    for _ in range(4):
        body = await gql(api, contract("ClaimResearcher"), claim(rid, "c@example.org"),
                         token=token(settings, new_id("racer")))
        claims.append(body["data"]["claimResearcher"]["claim"]["id"])
    mod = token(settings, "mod", "moderator")
    results = await asyncio.gather(*(gql(api, contract("ReviewClaim"), {"claimId": c, "approve": True}, token=mod)
                                     for c in claims))
    assert sorted("ok" if "errors" not in r else codes(r)[0] for r in results) == ["CONFLICT"] * 3 + ["ok"]
    approved = [c for c in (await seeded.read("accounts/claims", status="APPROVED", first=1000, after=None))[0]["claims"]
                if c["researcherId"] == rid]
    assert len(approved) == 1

    # one account, two records, approvals racing: it holds at most one
    sub = new_id("greedy")
    first, second = await new_researcher(seeded), await new_researcher(seeded)
    ids = []
    for record in (first, second):
        body = await gql(api, contract("ClaimResearcher"), claim(record, "g@example.org"), token=token(settings, sub))
        ids.append(body["data"]["claimResearcher"]["claim"]["id"])
    results = await asyncio.gather(*(gql(api, contract("ReviewClaim"), {"claimId": c, "approve": True}, token=mod)
                                     for c in ids))
    assert sorted("ok" if "errors" not in r else codes(r)[0] for r in results) == ["CONFLICT", "ok"]
    held = (await gql(api, "{ viewer { claimedResearcher { id } } }", token=token(settings, sub)))["data"]
    assert held["viewer"]["claimedResearcher"]["id"] in (first, second)


async def test_an_approval_closes_the_pending_claims_it_makes_moot(api, settings, seeded) -> None:
    """Once a record is taken, others' pending claims on it can never be approved, nor the new claimant's
    on other records: they are rejected with the approval, and leave the moderators' queue."""
    record, elsewhere, untouched = [await new_researcher(seeded) for _ in range(3)]
    winner, loser, bystander = new_id("winner"), new_id("loser"), new_id("bystander")

    async def file(rid: str, sub: str) -> str:
        body = await gql(api, contract("ClaimResearcher"), claim(rid, f"{sub}@example.org"), token=token(settings, sub))
        return body["data"]["claimResearcher"]["claim"]["id"]

    won, lost, other_record = await file(record, winner), await file(record, loser), await file(elsewhere, winner)
    unrelated = await file(untouched, bystander)
    mod = token(settings, "mod", "moderator")
    body = await gql(api, contract("ReviewClaim"), {"claimId": won, "approve": True}, token=mod)
    assert body["data"]["reviewClaim"]["claim"]["status"] == "APPROVED"
    statuses = "{ viewer { claims { id status closedBecause } } }"
    assert (await gql(api, statuses, token=token(settings, loser)))["data"]["viewer"]["claims"] == [
        {"id": lost, "status": "REJECTED", "closedBecause": "RECORD_CLAIMED"}]
    assert sorted(tuple(c.values()) for c in (await gql(api, statuses, token=token(settings, winner)))[
        "data"]["viewer"]["claims"]) == sorted([(won, "APPROVED", None), (other_record, "REJECTED", "CLAIMANT_HOLDS_CLAIM")])
    rejected = await gql(api, "{ claims(status: REJECTED, first: 100) { id closedBecause } }", token=mod)
    assert {c["id"]: c["closedBecause"] for c in rejected["data"]["claims"]}[lost] == "RECORD_CLAIMED"
    pending = {c["id"] for c in (await gql(api, "{ claims(status: PENDING, first: 100) { id } }", token=mod))[
        "data"]["claims"]}
    assert {lost, other_record}.isdisjoint(pending) and unrelated in pending  # others' claims stay as they were
    assert codes(await gql(api, contract("ReviewClaim"), {"claimId": lost, "approve": True}, token=mod)) == ["CONFLICT"]
    assert (await profile_state(api, elsewhere, token(settings, loser)))["viewerState"]["canClaim"] is True


async def test_an_account_has_at_most_five_claims_awaiting_review(api, settings, seeded) -> None:
    """One account cannot fill the moderators' queue: a sixth pending claim is CONFLICT (and
    canClaim says so beforehand), and a decision on one makes room again."""
    sub = new_id("eager")
    mine = token(settings, sub)
    records = [await new_researcher(seeded) for _ in range(7)]
    filed = []
    for rid in records[:5]:
        body = await gql(api, contract("ClaimResearcher"), claim(rid, f"{sub}@example.org"), token=mine)
        filed.append(body["data"]["claimResearcher"]["claim"]["id"])
    assert (await profile_state(api, records[5], mine))["viewerState"]["cannotClaimReasons"] == ["TOO_MANY_PENDING"]
    # the record's iD typed (it is public) verifies nothing: the cap holds (a verified iD alone passes it)
    with_orcid = await new_researcher(seeded, orcid="0000-0002-1825-0097")
    assert codes(await gql(api, contract("ClaimResearcher"), claim(with_orcid, orcid="0000-0002-1825-0097"),
                           token=mine)) == ["CONFLICT"]
    body = await gql(api, contract("ClaimResearcher"), claim(records[5], f"{sub}@example.org"), token=mine)
    assert codes(body) == ["CONFLICT"] and "5 claims awaiting review" in body["errors"][0]["message"]
    await gql(api, contract("ReviewClaim"), {"claimId": filed[0], "approve": False}, token=token(settings, "mod", "moderator"))
    assert (await profile_state(api, records[5], mine))["viewerState"]["canClaim"] is True
    body = await gql(api, contract("ClaimResearcher"), claim(records[5], f"{sub}@example.org"), token=mine)
    assert body["data"]["claimResearcher"]["claim"]["status"] == "PENDING"
    assert codes(await gql(api, contract("ClaimResearcher"), claim(records[6], f"{sub}@example.org"), token=mine)) == [
        "CONFLICT"]


async def test_evidence_is_private_to_the_claimant_and_moderators(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    sub = new_id("private")
    await gql(api, contract("ClaimResearcher"), claim(rid, f"{sub}@example.org"), token=token(settings, sub))
    query = "{ viewer { claims { status evidence { email } researcher { id } } } }"
    mine = (await gql(api, query, token=token(settings, sub)))["data"]["viewer"]["claims"]
    assert mine == [{"status": "PENDING", "evidence": {"email": f"{sub}@example.org"}, "researcher": {"id": rid}}]
    assert (await gql(api, query, token=token(settings, new_id("nosy"))))["data"]["viewer"]["claims"] == []
    listing = "{ claims(status: PENDING, first: 100) { id evidence { email } } }"
    assert codes(await gql(api, listing, token=token(settings, new_id("nosy")))) == ["FORBIDDEN"]
    assert codes(await gql(api, listing)) == ["UNAUTHENTICATED"]
    pending = (await gql(api, listing, token=token(settings, "mod", "moderator")))["data"]["claims"]
    assert {"email": f"{sub}@example.org"} in [c["evidence"] for c in pending]


async def test_moderators_page_through_the_claims(api, settings, seeded) -> None:
    """Pages of 3, each after the last claim of the one before, give the list one page gives."""
    for _ in range(4):
        rid, sub = await new_researcher(seeded), new_id("queued")
        await gql(api, contract("ClaimResearcher"), claim(rid, f"{sub}@example.org"), token=token(settings, sub))
    moderator = token(settings, "mod", "moderator")
    query = "query($first: Int!, $after: ID) { claims(status: PENDING, first: $first, after: $after) { id } }"
    whole = [c["id"] for c in (await gql(api, query, {"first": 100}, token=moderator))["data"]["claims"]]
    assert len(whole) >= 4
    paged: list[str] = []
    while len(paged) < len(whole):
        page = (await gql(api, query, {"first": 3, "after": paged[-1] if paged else None}, token=moderator))
        ids = [c["id"] for c in page["data"]["claims"]]
        assert ids, paged
        paged += ids
    assert paged[:len(whole)] == whole
    for unknown in ("claim:no-such", "bzr-leon-bungert"):  # not the end of the queue: not a claim at all
        refused = await gql(api, query, {"first": 3, "after": unknown}, token=moderator)
        assert codes(refused) == ["BAD_USER_INPUT"] and refused["data"]["claims"] is None, unknown
    assert codes(await gql(api, query, {"first": 3, "after": ""}, token=moderator)) == ["BAD_USER_INPUT"]


async def test_reviewing_without_the_role_reveals_nothing(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    body = await gql(api, contract("ClaimResearcher"), claim(rid, "p@example.org"), token=token(settings, new_id("p")))
    real = body["data"]["claimResearcher"]["claim"]["id"]
    user = token(settings, new_id("user"))
    answers = [await gql(api, contract("ReviewClaim"), {"claimId": cid, "approve": True}, token=user)
               for cid in (real, "claim:does-not-exist")]
    assert [codes(a) for a in answers] == [["FORBIDDEN"], ["FORBIDDEN"]]
    assert answers[0]["errors"][0]["message"] == answers[1]["errors"][0]["message"]
    assert (await profile_state(api, rid))["claimed"] is False


async def test_a_moderator_cannot_approve_their_own_claim(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    sub = new_id("mod-claimant")
    own = token(settings, sub, "moderator")
    body = await gql(api, contract("ClaimResearcher"), claim(rid, f"{sub}@example.org"), token=own)
    cid = body["data"]["claimResearcher"]["claim"]["id"]
    assert codes(await gql(api, contract("ReviewClaim"), {"claimId": cid, "approve": True}, token=own)) == ["FORBIDDEN"]
    assert (await profile_state(api, rid))["claimed"] is False
    body = await gql(api, contract("ReviewClaim"), {"claimId": cid, "approve": True},
                     token=token(settings, "mod", "moderator"))
    assert body["data"]["reviewClaim"]["researcher"]["claimed"] is True  # another moderator may


async def test_the_database_refuses_a_second_claimant_even_without_the_checks(api, settings, seeded) -> None:
    rid, other = await new_researcher(seeded), await new_researcher(seeded)
    holder = new_id("holder")
    await claim_and_approve(api, settings, rid, holder)
    with pytest.raises(Conflict):  # a second claimant of the record
        await seeded.write("testing/claimant-of", userId=f"user:{new_id('intruder')}", researcherId=rid)
    with pytest.raises(Conflict):  # a second record for the account
        await seeded.write("testing/claimant-of", userId=f"user:{holder}", researcherId=other)
    assert (await profile_state(api, other))["claimed"] is False


async def test_the_claimant_pages_through_their_claims(api, settings, seeded) -> None:
    """viewer.claims: newest first, of one status or any, `after` the id of the last claim seen."""
    sub = new_id("pager")
    mine = token(settings, sub)
    made = []
    for _ in range(3):
        body = await gql(api, contract("ClaimResearcher"), claim(await new_researcher(seeded), f"{sub}@example.org"), token=mine)
        made.append(body["data"]["claimResearcher"]["claim"]["id"])
    await gql(api, contract("ReviewClaim"), {"claimId": made[1], "approve": False}, token=token(settings, "mod", "moderator"))
    query = """query($after: ID, $status: ClaimStatus) { viewer { claims(first: 1, after: $after, status: $status) {
        id status } } }"""
    seen: list[str] = []
    while page := (await gql(api, query, {"after": seen[-1] if seen else None}, token=mine))["data"]["viewer"]["claims"]:
        seen += [c["id"] for c in page]
    assert seen == made[::-1]
    rejected = await gql(api, query, {"status": "REJECTED"}, token=mine)
    assert rejected["data"]["viewer"]["claims"] == [{"id": made[1], "status": "REJECTED"}]
    refused = await gql(api, query, {"after": "claim:no-such"}, token=mine)
    assert codes(refused) == ["BAD_USER_INPUT"] and refused["data"]["viewer"]["claims"] is None


async def test_graph_counts_show_the_accounts_side_to_moderators_only(api, settings, seeded) -> None:
    """How many accounts, claims, invitations and follows there are would tell anyone polling when
    someone signs up, claims or is invited: only moderators see those counts."""
    query = "{ graphCounts { kind name count } }"
    private = {"User", "Claim", "Invitation", "FOLLOWS", "MADE", "CLAIMS", "CLAIMANT_OF", "SENT", "TO"}
    public_entities = ("Researcher", "Work", "Topic", "Institution", "Source")

    async def counts(tok: str | None) -> dict[str, int]:
        return {c["name"]: c["count"] for c in (await gql(api, query, token=tok))["data"]["graphCounts"]
                if c["kind"] == "node" or c["name"] in private}

    record = await new_researcher(seeded)
    before = await counts(None)
    await gql(api, contract("ClaimResearcher"), claim(record, "g@example.org"), token=token(settings, new_id("counted")))
    for tok in (None, token(settings, new_id("user"))):
        seen = await counts(tok)
        assert seen.keys() & private == set() and {"Researcher", "Work"} <= seen.keys()
        # the accounts' nodes carry :Entity too: its count would give them away
        assert seen["Entity"] == sum(seen.get(label, 0) for label in public_entities)
        assert seen == before  # a sign-up and a claim later, nothing a non-moderator sees has moved
    everything = await counts(token(settings, "mod", "moderator"))
    assert {"User", "Claim", "MADE", "CLAIMS"} <= everything.keys()
    assert everything["Entity"] == before["Entity"] + sum(everything.get(label, 0) for label in ("User", "Claim", "Invitation"))


async def test_the_moderators_queue_is_in_commit_order(api, settings, seeded) -> None:
    """A claim that waited behind another action's lock on its record commits after a claim made
    meanwhile; a moderator who paged to that claim still finds the late one after it (its time is
    taken once it holds the queue's lock, not when its statement started)."""
    from bzgraph import queries

    slow_record, fast_record = await new_researcher(seeded), await new_researcher(seeded)
    moderator = token(settings, "mod", "moderator")
    query = "query($after: ID) { claims(status: PENDING, first: 100, after: $after) { id } }"
    lock = queries.get("testing/lock-researcher").text
    async with seeded.driver.session(database=seeded.settings.neo4j_database) as session:
        holder = await session.begin_transaction()
        try:
            assert (await (await holder.run(lock, id=slow_record)).single())["id"] == slow_record
            slow = asyncio.create_task(gql(api, contract("ClaimResearcher"), claim(slow_record, "slow@example.org"),
                                           token=token(settings, new_id("slow"))))
            await until_blocked(seeded, "the slow claim")  # its statement has started and waits for the record
            fast = await gql(api, contract("ClaimResearcher"), claim(fast_record, "fast@example.org"),
                             token=token(settings, new_id("fast")))
            fast_id = fast["data"]["claimResearcher"]["claim"]["id"]
            seen = [c["id"] for c in (await gql(api, query, {}, token=moderator))["data"]["claims"]]
            assert not slow.done() and fast_id in seen
        finally:
            await holder.rollback()
    slow_id = (await slow)["data"]["claimResearcher"]["claim"]["id"]
    after = [c["id"] for c in (await gql(api, query, {"after": fast_id}, token=moderator))["data"]["claims"]]
    assert slow_id in after


REVOKE = """mutation($claimId: ID!, $reason: String!) { revokeClaim(claimId: $claimId, reason: $reason) {
  claim { id status revokeReason } researcher { id claimed bio openToCollaborate trust { verificationLevel score } } } }"""
UPDATE = """mutation($id: ID!) { updateProfile(id: $id, openToCollaborate: true, bio: "Mine") { researcher { id } } }"""


async def test_a_moderator_revokes_an_approved_claim_and_the_real_author_can_claim(api, settings, seeded) -> None:
    """An impostor whose claim a moderator approved (the ORCID iD is public: copied as evidence, it
    gives L3) held the record for good: no approval could be undone, and the real author could never
    claim it. A moderator revokes it; what the impostor set on the record goes with it."""
    rid = await new_researcher(seeded, orcid="0000-0002-1825-0097")
    impostor, author = new_id("impostor"), new_id("author")
    cid = await claim_and_approve(api, settings, rid, impostor, orcid="0000-0002-1825-0097")
    assert "errors" not in await gql(api, UPDATE, {"id": rid}, token=token(settings, impostor))
    held = await profile_state(api, rid)
    assert held["claimed"] is True and held["trust"]["verificationLevel"] == "L3"
    reason = {"claimId": cid, "reason": "  The ORCID record names someone else  "}

    assert codes(await gql(api, REVOKE, reason, token=token(settings, impostor))) == ["FORBIDDEN"]
    assert codes(await gql(api, REVOKE, {**reason, "reason": " \u200b "}, token=token(settings, "mod", "moderator"))) \
        == ["BAD_USER_INPUT"]
    body = await gql(api, REVOKE, reason, token=token(settings, "mod", "moderator"))
    revoked = body["data"]["revokeClaim"]
    assert revoked["claim"] == {"id": cid, "status": "REVOKED", "revokeReason": "The ORCID record names someone else"}
    assert revoked["researcher"]["claimed"] is False and revoked["researcher"]["trust"]["verificationLevel"] == "L1"
    assert revoked["researcher"]["trust"]["score"] < held["trust"]["score"]
    assert (revoked["researcher"]["bio"], revoked["researcher"]["openToCollaborate"]) == (None, False)
    assert codes(await gql(api, REVOKE, reason, token=token(settings, "mod", "moderator"))) == ["CONFLICT"]
    assert codes(await gql(api, UPDATE, {"id": rid}, token=token(settings, impostor))) == ["FORBIDDEN"]

    # the impostor may not claim it again; the real author may, and be approved
    assert (await profile_state(api, rid, token(settings, impostor)))["viewerState"]["cannotClaimReasons"] == [
        "REVOKED_BEFORE"]
    again = await gql(api, contract("ClaimResearcher"), claim(rid, "i@example.org"), token=token(settings, impostor))
    assert codes(again) == ["CONFLICT"] and "revoked" in again["errors"][0]["message"]
    assert (await profile_state(api, rid, token(settings, author)))["viewerState"]["canClaim"] is True
    await claim_and_approve(api, settings, rid, author, orcid="0000-0002-1825-0097")
    assert (await profile_state(api, rid))["trust"]["verificationLevel"] == "L3"

    mine = await gql(api, "{ viewer { claims { id status revokeReason } } }", token=token(settings, impostor))
    assert mine["data"]["viewer"]["claims"] == [{"id": cid, "status": "REVOKED",
                                                 "revokeReason": "The ORCID record names someone else"}]
    listed = await gql(api, "{ claims(status: REVOKED, first: 100) { id } }", token=token(settings, "mod", "moderator"))
    assert {"id": cid} in listed["data"]["claims"]


async def test_only_an_approved_claim_is_revoked_and_never_ones_own(api, settings, seeded) -> None:
    rid = await new_researcher(seeded)
    body = await gql(api, contract("ClaimResearcher"), claim(rid, "p@example.org"), token=token(settings, new_id("p")))
    pending = body["data"]["claimResearcher"]["claim"]["id"]
    moderator = token(settings, "mod", "moderator")
    assert codes(await gql(api, REVOKE, {"claimId": pending, "reason": "no"}, token=moderator)) == ["CONFLICT"]
    assert codes(await gql(api, REVOKE, {"claimId": "claim:none", "reason": "no"}, token=moderator)) == ["NOT_FOUND"]
    own = await new_researcher(seeded)
    mod_sub = new_id("mod")
    body = await gql(api, contract("ClaimResearcher"), claim(own, "m@example.org"), token=token(settings, mod_sub, "moderator"))
    cid = body["data"]["claimResearcher"]["claim"]["id"]
    assert "errors" not in await gql(api, contract("ReviewClaim"), {"claimId": cid, "approve": True}, token=moderator)
    assert codes(await gql(api, REVOKE, {"claimId": cid, "reason": "mine"}, token=token(settings, mod_sub, "moderator"))) \
        == ["FORBIDDEN"]


async def test_a_claim_saved_as_its_time_runs_out_is_still_read_back(api, settings, seeded) -> None:
    """A claim, its approval and its revocation, each committed just as its request's time runs out
    (a lock waited for, a busy database): saved, and the researcher and account each answers with are
    read back in the moment the mutation gives them, not failed ("the change is saved, but reading … failed")."""
    rid = await new_researcher(seeded)
    sub = new_id("late")
    mine, moderator = token(settings, sub), token(settings, new_id("late-mod"), "moderator")
    claiming = """mutation($id: ID!, $evidence: ClaimEvidenceInput!) { claimResearcher(id: $id, evidence: $evidence) {
        claim { id status } researcher { id claimed trust { verificationLevel } } viewer { counts { pendingClaims } } } }"""
    async with commits_answered_late(settings, timeout=2.0) as late:
        body = await gql(late, claiming, claim(rid, f"{sub}@example.org"), token=mine)
        assert "errors" not in body, body
        cid = body["data"]["claimResearcher"]["claim"]["id"]
        assert body["data"]["claimResearcher"] == {
            "claim": {"id": cid, "status": "PENDING"}, "viewer": {"counts": {"pendingClaims": 1}},
            "researcher": {"id": rid, "claimed": False, "trust": {"verificationLevel": "L0"}}}
        body = await gql(late, contract("ReviewClaim"), {"claimId": cid, "approve": True}, token=moderator)
        assert "errors" not in body, body
        assert body["data"]["reviewClaim"]["researcher"]["claimed"] is True
        body = await gql(late, REVOKE, {"claimId": cid, "reason": "late"}, token=moderator)
        assert "errors" not in body, body
        assert body["data"]["revokeClaim"]["researcher"]["claimed"] is False


@contextlib.asynccontextmanager
async def orcid_verifying(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    """The app reading the verified ORCID iD of a token's `orcid` claim (BZGRAPH_JWT_ORCID_CLAIM=orcid),
    over httpx, with the settings its tokens are issued with."""
    from bzgraph.app import create_app

    checked = settings.model_copy(update={"jwt_orcid_claim": "orcid"})
    app = create_app(checked)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bzgraph.test") as client:
            yield client, checked


async def test_an_orcid_the_identity_provider_verified_approves_a_claim_at_once(api, settings, seeded) -> None:
    """Signed in with ORCID (or an identity provider that verified the account's iD), a claim whose
    iD is the record's is the evidence that verifies it at once, as the contract's ClaimResearcher
    says a claim may be: APPROVED and L3 without a moderator. The same iD typed by an account the
    provider did not verify it for waits for a moderator, as any other evidence does."""
    from bzgraph.auth import issue_token

    orcid = "0000-0002-1825-0097"
    async with orcid_verifying(settings) as (verifying, checked):
        rid = await new_researcher(seeded, orcid=orcid)
        holder = issue_token(new_id("holder"), [], 600, checked, orcid=orcid)
        body = await gql(verifying, contract("ClaimResearcher"), claim(rid, orcid=f"https://orcid.org/{orcid}"), token=holder)
        done = body["data"]["claimResearcher"]
        assert done["claim"]["status"] == "APPROVED" and done["researcher"]["claimed"] is True
        assert done["researcher"]["trust"]["verificationLevel"] == "L3"
        mine = await gql(verifying, "{ viewer { claims { evidence { orcid orcidVerified } } } }", token=holder)
        assert mine["data"]["viewer"]["claims"] == [{"evidence": {"orcid": orcid, "orcidVerified": True}}]

        # the provider verified another iD, or none: the typed iD is evidence for a moderator to check
        for other in (issue_token(new_id("other"), [], 600, checked, orcid="0000-0001-5109-3700"),
                      issue_token(new_id("typed"), [], 600, checked)):
            copied = await new_researcher(seeded, orcid=orcid)
            body = await gql(verifying, contract("ClaimResearcher"), claim(copied, orcid=orcid), token=other)
            assert body["data"]["claimResearcher"]["claim"]["status"] == "PENDING", body
            assert body["data"]["claimResearcher"]["researcher"]["claimed"] is False
        # a verified iD that is not the record's: PENDING, its evidence marked verified for the moderator
        elsewhere = await new_researcher(seeded, orcid="0000-0001-5109-3700")
        other = issue_token(new_id("verified"), [], 600, checked, orcid=orcid)
        body = await gql(verifying, contract("ClaimResearcher"), claim(elsewhere, orcid=orcid), token=other)
        assert body["data"]["claimResearcher"]["claim"]["status"] == "PENDING"
        listed = await gql(verifying, "{ viewer { claims { id evidence { orcidVerified } } } }", token=other)
        assert listed["data"]["viewer"]["claims"] == [
            {"id": body["data"]["claimResearcher"]["claim"]["id"], "evidence": {"orcidVerified": True}}]

        # a claim waiting in the queue (typed evidence) does not hold back the verified one
        waiting = await new_researcher(seeded, orcid="0000-0001-5109-3700")
        sub = new_id("queued")
        typed = await gql(verifying, contract("ClaimResearcher"), claim(waiting, "q@example.org"),
                          token=issue_token(sub, [], 600, checked))
        assert typed["data"]["claimResearcher"]["claim"]["status"] == "PENDING"
        signed_in = issue_token(sub, [], 600, checked, orcid="0000-0001-5109-3700")
        assert (await profile_state(verifying, waiting, signed_in))["viewerState"]["canClaim"] is True
        body = await gql(verifying, contract("ClaimResearcher"), claim(waiting, orcid="0000-0001-5109-3700"),
                         token=signed_in)
        assert body["data"]["claimResearcher"]["claim"]["status"] == "APPROVED", body
        statuses = await gql(verifying, "{ viewer { claims { status closedBecause } } }", token=signed_in)
        assert sorted(c["status"] for c in statuses["data"]["viewer"]["claims"]) == ["APPROVED", "REJECTED"]

    # without BZGRAPH_JWT_ORCID_CLAIM the token's iD is not taken: the claim waits for a moderator
    rid = await new_researcher(seeded, orcid=orcid)
    unread = issue_token(new_id("unread"), [], 600, settings, orcid=orcid)
    body = await gql(api, contract("ClaimResearcher"), claim(rid, orcid=orcid), token=unread)
    assert body["data"]["claimResearcher"]["claim"]["status"] == "PENDING"


async def test_a_verified_orcid_of_the_record_passes_the_pending_claims_cap(api, settings, seeded) -> None:
    """An account with 5 claims awaiting review whose sign-in verified the record's ORCID iD is offered
    the claim (no TOO_MANY_PENDING: the claim would be approved at once with that iD as evidence), and
    the claim is approved; on a record whose iD differs, the cap holds, and the reasons say so."""
    from bzgraph.auth import issue_token

    orcid, other_orcid = "0000-0002-1825-0097", "0000-0001-5109-3700"
    sub = new_id("capped")
    async with orcid_verifying(settings) as (verifying, checked):
        verified = issue_token(sub, [], 600, checked, orcid=orcid)
        for _ in range(5):
            body = await gql(verifying, contract("ClaimResearcher"), claim(await new_researcher(seeded), f"{sub}@example.org"),
                             token=verified)
            assert body["data"]["claimResearcher"]["claim"]["status"] == "PENDING", body
        mine, elsewhere = await new_researcher(seeded, orcid=orcid), await new_researcher(seeded, orcid=other_orcid)
        assert (await profile_state(verifying, elsewhere, verified))["viewerState"]["cannotClaimReasons"] == ["TOO_MANY_PENDING"]
        assert codes(await gql(verifying, contract("ClaimResearcher"), claim(elsewhere, orcid=orcid), token=verified)) == [
            "CONFLICT"]
        state = (await profile_state(verifying, mine, verified))["viewerState"]
        assert state["cannotClaimReasons"] == [] and state["canClaim"] is True
        body = await gql(verifying, contract("ClaimResearcher"), claim(mine, orcid=orcid), token=verified)
        assert "errors" not in body, body
        assert body["data"]["claimResearcher"]["claim"]["status"] == "APPROVED"
        assert body["data"]["claimResearcher"]["researcher"]["trust"]["verificationLevel"] == "L3"


async def test_a_profile_edit_racing_a_revoke_does_not_bring_back_what_it_cleared(api, settings, seeded) -> None:
    """updateProfile checked the claimant before it locked the record: waiting behind a revoke, it
    then wrote the bio and the flag the revoke had cleared, for a record no longer claimed."""
    rid = await new_researcher(seeded)
    sub = new_id("racer")
    cid = await claim_and_approve(api, settings, rid, sub)

    revoked, release = asyncio.Event(), asyncio.Event()

    async def slow_revoke(tx) -> list:
        rows = await tx.run("accounts/revoke-claim", claimId=cid, moderatorId="user:mod", reason="race")
        revoked.set()
        await release.wait()  # holds the record's lock until the edit waits for it
        return rows

    revoke = asyncio.create_task(seeded.execute(slow_revoke, write=True))
    await asyncio.wait_for(revoked.wait(), 30)
    edit = asyncio.create_task(gql(api, UPDATE, {"id": rid}, token=token(settings, sub)))
    await until_blocked(seeded, "the edit")  # behind the revoke's lock
    release.set()
    assert (await revoke)[0]["outcome"] == "REVOKED"
    body = await edit
    assert codes(body) == ["FORBIDDEN"]
    state = await gql(api, "query($id: ID!) { researcher(id: $id) { claimed bio openToCollaborate } }", {"id": rid})
    assert state["data"]["researcher"] == {"claimed": False, "bio": None, "openToCollaborate": False}


async def test_the_viewer_state_says_why_claiming_or_inviting_is_refused_as_the_action_would(
        api, settings, seeded) -> None:
    """`cannotClaimReasons` and `cannotInviteReasons` list each reason that applies, in the order the
    actions check them: the first is the refusal `claimResearcher` or `inviteToCollaborate` answers."""
    from bzgraph.api.accounts import CLAIM_REFUSALS, INVITE_REFUSALS

    rid, other = await new_researcher(seeded), await new_researcher(seeded)
    owner_sub, guest_sub = new_id("owner"), new_id("guest")
    owner, guest = token(settings, owner_sub), token(settings, guest_sub)

    async def reasons(record: str, tok: str | None) -> tuple[list[str], list[str]]:
        state = (await profile_state(api, record, tok))["viewerState"]
        return state["cannotClaimReasons"], state["cannotInviteReasons"]

    async def refused(mutation: str, variables: dict, tok: str, refusals: dict, reason: str) -> None:
        body = await gql(api, contract(mutation), variables, token=tok)
        assert body["errors"][0]["message"] == refusals[reason][1], (reason, body)

    assert await reasons(rid, None) == (["SIGN_IN"], ["SIGN_IN", "NOT_CLAIMED", "NOT_OPEN"])
    assert await reasons(rid, guest) == ([], ["NOT_CLAIMED", "NOT_OPEN"])
    await refused("InviteToCollaborate", {"id": rid, "message": "Hi"}, guest, INVITE_REFUSALS, "NOT_CLAIMED")
    made = await gql(api, contract("ClaimResearcher"), claim(rid, "guest@example.org"), token=guest)
    assert made["data"]["claimResearcher"]["claim"]["status"] == "PENDING"
    assert (await reasons(rid, guest))[0] == ["ALREADY_PENDING"]
    await refused("ClaimResearcher", claim(rid, "guest@example.org"), guest, CLAIM_REFUSALS, "ALREADY_PENDING")
    await claim_and_approve(api, settings, rid, owner_sub)
    assert await reasons(rid, owner) == (["ALREADY_CLAIMED", "VIEWER_HOLDS_CLAIM"], ["OWN_RECORD", "NOT_OPEN"])
    assert await reasons(other, owner) == (["VIEWER_HOLDS_CLAIM"], ["NOT_CLAIMED", "NOT_OPEN"])
    await refused("ClaimResearcher", claim(other, "o@example.org"), owner, CLAIM_REFUSALS, "VIEWER_HOLDS_CLAIM")
    assert await reasons(rid, guest) == (["ALREADY_CLAIMED"], ["NOT_OPEN"])  # the approval closed the guest's claim
    await refused("ClaimResearcher", claim(rid, "guest@example.org"), guest, CLAIM_REFUSALS, "ALREADY_CLAIMED")
    await refused("InviteToCollaborate", {"id": rid, "message": "Hi"}, guest, INVITE_REFUSALS, "NOT_OPEN")
    edit = "mutation($id: ID!) { updateProfile(id: $id, openToCollaborate: true) { researcher { id } } }"
    assert "errors" not in await gql(api, edit, {"id": rid}, token=owner)
    assert await reasons(rid, guest) == (["ALREADY_CLAIMED"], [])
    assert "errors" not in await gql(api, contract("InviteToCollaborate"), {"id": rid, "message": "Hi"}, token=guest)
    assert await reasons(rid, guest) == (["ALREADY_CLAIMED"], ["ALREADY_INVITED"])
    await refused("InviteToCollaborate", {"id": rid, "message": "Hi"}, guest, INVITE_REFUSALS, "ALREADY_INVITED")
    assert await reasons(rid, owner) == (["ALREADY_CLAIMED", "VIEWER_HOLDS_CLAIM"], ["OWN_RECORD"])

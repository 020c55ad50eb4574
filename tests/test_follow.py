"""Follow and unfollow: idempotent, exact follower counts under concurrency, trust kept in step."""

from __future__ import annotations

import asyncio

import pytest
import strawberry
from support import (claim_and_approve, codes, commits_answered_late, contract, gql, new_id, new_researcher, paging,
                     profile_state, token, until_blocked)

from bzgraph.api.accounts import ResearcherPayload
from bzgraph.db import Tx


def community(state: dict) -> float:
    return next(c["value"] for c in state["trust"]["components"] if c["key"] == "community")


async def test_follow_and_unfollow_are_idempotent(api, settings, seeded) -> None:
    rid = await new_researcher(seeded, followers=["user:t-earlier"])
    alice = token(settings, new_id("alice"))
    since = []
    for attempt in range(2):
        body = await gql(api, contract("FollowResearcher"), {"id": rid}, token=alice)
        assert body["data"]["followResearcher"]["researcher"] == {
            "id": rid, "counts": {"followers": 2}, "viewerState": {"isFollowing": True}}
        # the follow and the trust recompute in one transaction, then the payload's profile read;
        # on the account's first request, its User node is written before
        assert body["extensions"]["cypherRoundTrips"] == (4 if attempt == 0 else 3)
        since.append((await gql(api, "{ viewer { following { since } } }", token=alice))["data"]["viewer"]["following"])
    assert since[0] == since[1]  # following again keeps the first follow's date
    for _ in range(2):
        body = await gql(api, contract("UnfollowResearcher"), {"id": rid}, token=alice)
        assert body["data"]["unfollowResearcher"]["researcher"] == {
            "id": rid, "counts": {"followers": 1}, "viewerState": {"isFollowing": False}}
    assert codes(await gql(api, contract("FollowResearcher"), {"id": "no-such"}, token=alice)) == ["NOT_FOUND"]
    assert codes(await gql(api, contract("UnfollowResearcher"), {"id": "no-such"}, token=alice)) == ["NOT_FOUND"]


async def test_payloads_read_back_the_viewers_account_as_the_change_left_it(api, settings, seeded) -> None:
    """Each mutation's payload answers `viewer` as `{ viewer }` reads after it (counts and lists),
    for a client cache to update the account without a second request; one query more, asked for."""
    rid = await new_researcher(seeded)
    sub = new_id("payload")
    alice = token(settings, sub)
    fields = "id counts { following pendingClaims } following(first: 5) { researcher { id } }"
    for mutation, following in (("followResearcher", [rid]), ("unfollowResearcher", [])):
        body = await gql(api, f"mutation($id: ID!) {{ {mutation}(id: $id) {{ viewer {{ {fields} }} }} }}",
                         {"id": rid}, token=alice)
        assert "errors" not in body, body
        viewer = body["data"][mutation]["viewer"]
        assert viewer == (await gql(api, f"{{ viewer {{ {fields} }} }}", token=alice))["data"]["viewer"]
        assert viewer["id"] == f"user:{sub}" and [f["researcher"]["id"] for f in viewer["following"]] == following
        assert viewer["counts"]["following"] == len(following)
    body = await gql(api, f"""mutation($id: ID!) {{ claimResearcher(id: $id, evidence: {{email: "me@example.org"}}) {{
        viewer {{ {fields} }} }} }}""", {"id": rid}, token=alice)
    assert "errors" not in body, body
    assert body["data"]["claimResearcher"]["viewer"]["counts"] == {"following": 0, "pendingClaims": 1}
    body = await gql(api, "mutation($id: ID!) { followResearcher(id: $id) { researcher { id } } }",
                     {"id": rid}, token=alice)
    assert body["extensions"]["cypherRoundTrips"] == 3  # no account read unless asked for


async def test_a_claimant_is_not_a_follower_of_their_own_record(api, settings, seeded) -> None:
    """Following one's own record would add to its trust (community): approval ends such a follow,
    and the claimant cannot follow it again."""
    rid = await new_researcher(seeded)
    sub = new_id("self")
    mine = token(settings, sub)
    body = await gql(api, contract("FollowResearcher"), {"id": rid}, token=mine)  # before claiming: a follower
    assert body["data"]["followResearcher"]["researcher"]["counts"] == {"followers": 1}
    await claim_and_approve(api, settings, rid, sub)
    state = await profile_state(api, rid, mine)
    assert state["counts"]["followers"] == 0 and community(state) == 0
    assert state["viewerState"]["isFollowing"] is False
    body = await gql(api, contract("FollowResearcher"), {"id": rid}, token=mine)
    assert codes(body) == ["FORBIDDEN"] and "own record" in body["errors"][0]["message"]
    assert (await profile_state(api, rid, mine))["counts"]["followers"] == 0
    other = token(settings, new_id("fan"))
    body = await gql(api, contract("FollowResearcher"), {"id": rid}, token=other)
    assert body["data"]["followResearcher"]["researcher"]["counts"] == {"followers": 1}
    # holding a record, the claimant follows others as anyone does
    someone = await new_researcher(seeded)
    body = await gql(api, contract("FollowResearcher"), {"id": someone}, token=mine)
    assert body["data"]["followResearcher"]["researcher"]["counts"] == {"followers": 1}, body


async def test_followers_are_exact_under_concurrency(api, settings, seeded) -> None:
    rid = await new_researcher(seeded, followers=[f"user:t-old-{i}" for i in range(3)])
    start = (await profile_state(api, rid))["counts"]["followers"]
    assert start == 3
    many = [token(settings, new_id("fan")) for _ in range(50)]
    one = token(settings, new_id("eager"))

    async def run(operation: str, tok: str) -> None:
        body = await gql(api, contract(operation), {"id": rid}, token=tok)
        assert "errors" not in body, body

    await asyncio.gather(*(run("FollowResearcher", t) for t in many))
    after_many = await profile_state(api, rid)
    assert after_many["counts"]["followers"] == start + 50
    await asyncio.gather(*(run("FollowResearcher", one) for _ in range(20)))
    after_one = await profile_state(api, rid, one)
    assert after_one["counts"]["followers"] == start + 51
    assert after_one["viewerState"]["isFollowing"] is True
    assert community(after_one) == start + 51  # trust recomputed with every follow, consistently

    await asyncio.gather(*(run("UnfollowResearcher", t) for t in [*many, one, one, one]))
    final = await profile_state(api, rid)
    assert final["counts"]["followers"] == start
    assert community(final) == start


@strawberry.type
class _Committed:
    """A query whose one field answers as a mutation does once its change is committed."""

    @strawberry.field
    def committed(self) -> ResearcherPayload:
        return ResearcherPayload(researcher_id="bzr-leon-bungert")


async def test_a_payload_read_back_that_fails_says_the_change_is_saved(settings) -> None:
    """A mutation's payload is read after its change is committed; when that read fails (the
    database gone, or the request's time used up waiting for locks), the error must not read as if
    nothing happened: a client that retries a claim would only get CONFLICT."""
    from bzgraph.context import Context, Viewer
    from bzgraph.db import Database
    from bzgraph.errors import to_graphql_error
    from support import free_port

    gone = Database(settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}", "neo4j_timeout": 1.0}))
    context = Context(request=None, db=gone)
    context.viewer = Viewer(id="user:someone", sub="someone")  # the payload's viewer is read back too
    try:
        result = await strawberry.Schema(query=_Committed).execute(
            "{ committed { researcher { id } viewer { id } } }", context_value=context)
    finally:
        await gone.close()
    errors = sorted((to_graphql_error(e).formatted for e in result.errors), key=lambda e: e["path"])
    assert [e["path"] for e in errors] == [["committed", "researcher"], ["committed", "viewer"]]
    for error in errors:
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert error["message"].startswith("the change is saved"), error
    assert result.data == {"committed": {"researcher": None, "viewer": None}}


@pytest.mark.parametrize("operation", ["FollowResearcher", "ClaimResearcher"])
async def test_an_action_waiting_for_a_researcher_an_import_deletes_finds_it_gone(api, settings, seeded,
                                                                                  operation) -> None:
    """An import batch deletes a researcher it left without works (ingest/orphans) while a follow or
    claim waits for that researcher's lock: once the batch commits, the action is NOT_FOUND (Neo4j's
    EntityNotFound makes the transaction run again), not INTERNAL."""
    rid = new_id("A")
    await seeded.write("ingest/researchers", researchers=[
        {"id": rid, "names": [], "record": None, "seen": {"name": "Soon Gone", "orcid": None, "version": "2025-01-01"}}], orcids=[],
        removed=[])
    viewer = token(settings, new_id("fan"))
    await gql(api, "{ viewer { id } }", token=viewer)
    deleted, release = asyncio.Event(), asyncio.Event()

    async def import_batch(tx: Tx) -> list[str]:
        gone = (await tx.run("ingest/orphans", researchers=[rid], sources=[], topics=[], institutions=[]))[0]
        deleted.set()
        await release.wait()  # the batch's transaction stays open, holding the researcher's lock
        return gone["deleted"]

    batch = asyncio.create_task(seeded.execute(import_batch, write=True))
    await asyncio.wait_for(deleted.wait(), 30)
    variables = {"id": rid, "evidence": {"email": "soon.gone@example.org"}} if operation == "ClaimResearcher" else {"id": rid}
    action = asyncio.create_task(gql(api, contract(operation), variables, token=viewer))
    await until_blocked(seeded, "the action")  # behind the batch's lock
    release.set()
    assert await batch == [rid]
    body = await action
    assert codes(body) == ["NOT_FOUND"], body


async def test_a_follow_whose_transaction_the_database_stops_is_service_unavailable(api, settings, seeded) -> None:
    """The database stops a transaction waiting for a lock (shutting down, or an operator's
    TERMINATE): Neo4j's LockClientStopped. The follow answers SERVICE_UNAVAILABLE, not INTERNAL,
    and writes nothing."""
    rid = await new_researcher(seeded)
    viewer = token(settings, new_id("fan"))
    await gql(api, "{ viewer { id } }", token=viewer)
    locked, release = asyncio.Event(), asyncio.Event()

    async def hold(tx: Tx) -> None:
        await tx.run("accounts/follow", userId=new_id("user:holder"), sub=new_id("holder"), researcherId=rid)
        locked.set()
        await release.wait()  # the researcher's lock is held until this transaction ends
        raise LookupError("roll back")  # the holder's follow is not the test's

    holder = asyncio.create_task(seeded.execute(hold, write=True))
    await asyncio.wait_for(locked.wait(), 30)
    action = asyncio.create_task(gql(api, contract("FollowResearcher"), {"id": rid}, token=viewer))
    for _ in range(200):
        if await seeded.write("testing/terminate-blocked"):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the follow never waited for the lock")
    body = await action
    release.set()
    with pytest.raises(LookupError):
        await holder
    assert codes(body) == ["SERVICE_UNAVAILABLE"], body
    assert (await profile_state(api, rid, viewer))["counts"]["followers"] == 0


async def test_writes_waiting_for_a_lock_leave_connections_for_reads(api, settings, seeded) -> None:
    """More follows of one researcher than the driver has connections, all waiting for a lock an
    import batch holds: a read of another researcher still gets a connection (writes may hold at
    most WRITE_SLOTS of them), instead of waiting until the lock is released."""
    from bzgraph.db import POOL_SIZE, WRITE_SLOTS

    rid, other = await new_researcher(seeded), await new_researcher(seeded)
    locked, release = asyncio.Event(), asyncio.Event()

    async def hold(tx: Tx) -> None:
        await tx.run("accounts/follow", userId=new_id("user:holder"), sub=new_id("holder"), researcherId=rid)
        locked.set()
        await release.wait()

    holder = asyncio.create_task(seeded.execute(hold, write=True))
    await asyncio.wait_for(locked.wait(), 30)
    fans = [token(settings, new_id("fan")) for _ in range(POOL_SIZE + 10)]
    follows = [asyncio.create_task(gql(api, contract("FollowResearcher"), {"id": rid}, token=fan)) for fan in fans]
    try:
        await until_blocked(seeded, "the follows", WRITE_SLOTS)  # they hold every connection they may
        read = await asyncio.wait_for(profile_state(api, other), 10)
        assert read["counts"]["followers"] == 0
    finally:
        release.set()
        await holder
        bodies = await asyncio.gather(*follows)
    assert all(codes(body) == [] for body in bodies), [codes(b) for b in bodies if codes(b)]
    assert (await profile_state(api, rid))["counts"]["followers"] == len(fans) + 1


async def test_the_account_lists_whom_it_follows_page_by_page(api, settings, seeded) -> None:
    """viewer.following: the researchers the account follows, most recently followed first (follows
    recorded without a time, as the seed writes them, last, by id), paged by each follow's cursor;
    a cursor stays good after its follow is undone; one of another list, or made up, is refused.
    The list is read with the account (one round trip), and its researchers in one more, however many."""
    rids = [await new_researcher(seeded) for _ in range(5)]
    undated = sorted([await new_researcher(seeded) for _ in range(3)], reverse=True)
    sub = new_id("fan")
    fan = token(settings, sub)
    for rid in rids:
        assert "errors" not in await gql(api, contract("FollowResearcher"), {"id": rid}, token=fan)
    for rid in undated:  # three follows without a time: tied, so ordered by id
        await seeded.write("testing/add-signals", id=rid, followers=[f"user:{sub}"], institution=None,
                           claimant=None, orcid=None)
    assert "errors" not in await gql(api, contract("UnfollowResearcher"), {"id": rids[1]}, token=fan)
    query = """query($first: Int!, $after: String) { viewer { following(first: $first, after: $after) {
        since cursor researcher { id counts { followers } viewerState { isFollowing } } } } }"""
    seen: list[dict] = []
    for _ in paging():
        body = await gql(api, query, {"first": 2, "after": seen[-1]["cursor"] if seen else None}, token=fan)
        page = body["data"]["viewer"]["following"]
        assert len(page) <= 2 and body["extensions"]["cypherRoundTrips"] == (2 if page else 1)
        if not page:
            break
        for item in page:
            assert item["researcher"]["viewerState"] == {"isFollowing": True}
        seen += page
    assert [item["researcher"]["id"] for item in seen] == [rids[4], rids[3], rids[2], rids[0], *undated]
    assert all(item["since"] for item in seen[:4]) and not any(item["since"] for item in seen[4:])
    assert {len(item["since"]) for item in seen[:4]} == {len("2026-11-28T04:43:32.180Z")}  # one width
    counts = await gql(api, "{ viewer { following(first: 100) { since } } }", token=fan)
    assert len(counts["data"]["viewer"]["following"]) == 7 and counts["extensions"]["cypherRoundTrips"] == 1

    # the last follow of a page undone: the page after it is still the same
    after = seen[1]["cursor"]
    assert "errors" not in await gql(api, contract("UnfollowResearcher"), {"id": seen[1]["researcher"]["id"]}, token=fan)
    body = await gql(api, query, {"first": 2, "after": after}, token=fan)
    assert [item["researcher"]["id"] for item in body["data"]["viewer"]["following"]] == [rids[2], rids[0]]

    other_sub = new_id("other")
    other = token(settings, other_sub)
    assert "errors" not in await gql(api, contract("FollowResearcher"), {"id": rids[0]}, token=other)
    theirs = (await gql(api, query, {"first": 1, "after": None}, token=other))["data"]["viewer"]["following"][0]["cursor"]
    for refused in (theirs, "bz1:nonsense", rids[0]):  # another account's list, made up, an id
        body = await gql(api, """query($after: String) { viewer { id following(after: $after) { since } } }""",
                         {"after": refused}, token=fan)
        assert codes(body) == ["BAD_USER_INPUT"] and body["data"]["viewer"] == {"id": f"user:{sub}", "following": None}


async def test_one_accounts_mutations_on_different_records_do_not_deadlock(api, settings, seeded, caplog) -> None:
    """Every account mutation locks the researcher, then the account, before it touches the
    account's relationships: two at once from one account never deadlock (Neo4j would detect it and
    the driver retry after about a second). Follow and unfollow took no account lock, and a follow,
    an unfollow and a claim of one account deadlocked in about one round in four."""
    import logging

    records = [await new_researcher(seeded) for _ in range(3)]
    claim = """mutation($id: ID!) { claimResearcher(id: $id, evidence: {email: "me@example.org"}) { claim { id } } }"""
    with caplog.at_level(logging.WARNING, logger="neo4j"):
        for _ in range(15):
            viewer = token(settings, new_id("busy"))
            assert "errors" not in await gql(api, contract("FollowResearcher"), {"id": records[0]}, token=viewer)
            answers = await asyncio.gather(
                gql(api, contract("UnfollowResearcher"), {"id": records[0]}, token=viewer),
                gql(api, contract("FollowResearcher"), {"id": records[1]}, token=viewer),
                gql(api, claim, {"id": records[2]}, token=viewer))
            assert all("errors" not in a for a in answers), answers
    deadlocks = [r.getMessage() for r in caplog.records if "DeadlockDetected" in r.getMessage()]
    assert deadlocks == [], deadlocks[:1]


async def test_a_change_saved_as_its_time_runs_out_is_still_read_back(settings, seeded) -> None:
    """A follow whose commit is answered just as the request's time runs out (a lock waited for, a
    busy database): the change is saved, and reading back the researcher it answers with gets a
    moment of its own instead of failing at once ("the change is saved, but reading … failed")."""
    rid = await new_researcher(seeded)
    async with commits_answered_late(settings) as client:
        viewer = token(settings, new_id("late"))
        assert "errors" not in await gql(client, "{ viewer { id } }", token=viewer)  # the account exists
        body = await gql(client, contract("FollowResearcher"), {"id": rid}, token=viewer)
        # what the answer reads after the researcher's own row has the time too: a second page of a
        # list is a query of its own, read after the researcher's resolver has returned
        later = await gql(client, """mutation($id: ID!) { unfollowResearcher(id: $id) { researcher {
            id counts { followers } one: works(first: 1) { totalCount } two: works(first: 2) { totalCount } } } }""",
                          {"id": rid}, token=viewer)
    assert "errors" not in body, body
    assert body["data"]["followResearcher"]["researcher"]["counts"]["followers"] == 1
    assert "errors" not in later, later
    answered = later["data"]["unfollowResearcher"]["researcher"]
    assert answered["two"] == answered["one"] and answered["counts"]["followers"] == 0

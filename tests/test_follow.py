"""Follow and unfollow: idempotent, exact follower counts under concurrency, trust kept in step."""

from __future__ import annotations

import asyncio

from support import codes, contract, gql, new_id, new_researcher, profile_state, token


def community(state: dict) -> float:
    return next(c["value"] for c in state["trust"]["components"] if c["key"] == "community")


async def test_follow_and_unfollow_are_idempotent(api, settings, seeded) -> None:
    rid = await new_researcher(seeded, followers=["user:t-earlier"])
    alice = token(settings, new_id("alice"))
    for attempt in range(2):
        body = await gql(api, contract("FollowResearcher"), {"id": rid}, token=alice)
        assert body["data"]["followResearcher"]["researcher"] == {
            "id": rid, "counts": {"followers": 2}, "viewerState": {"isFollowing": True}}
        # the follow and the trust recompute in one transaction, then the payload's profile read;
        # on the account's first request, its User node is written before
        assert body["extensions"]["cypherRoundTrips"] == (4 if attempt == 0 else 3)
    for _ in range(2):
        body = await gql(api, contract("UnfollowResearcher"), {"id": rid}, token=alice)
        assert body["data"]["unfollowResearcher"]["researcher"] == {
            "id": rid, "counts": {"followers": 1}, "viewerState": {"isFollowing": False}}
    assert codes(await gql(api, contract("FollowResearcher"), {"id": "no-such"}, token=alice)) == ["NOT_FOUND"]
    assert codes(await gql(api, contract("UnfollowResearcher"), {"id": "no-such"}, token=alice)) == ["NOT_FOUND"]


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

"""The trust model: computed from graph signals, monotone, tiers and levels as docs/trust.md says."""

from __future__ import annotations

import uuid

import httpx
from support import gql

from bzgraph.db import Database

TRUST = """query($id: ID!) { researcher(id: $id) { trust { score tier verificationLevel
  components { key value points maxPoints } } } }"""

TIERS = [(0, "NEW"), (20, "EMERGING"), (40, "ESTABLISHED"), (60, "TRUSTED"), (80, "EXEMPLARY")]


def _tier(score: int) -> str:
    return [name for low, name in TIERS if score >= low][-1]


async def _trust(api: httpx.AsyncClient, db: Database, rid: str) -> dict:
    await db.write("trust/recompute", ids=[rid])
    body = await gql(api, TRUST, {"id": rid})
    trust = body["data"]["researcher"]["trust"]
    assert sum(c["points"] for c in trust["components"]) == trust["score"]
    assert trust["tier"] == _tier(trust["score"])
    return trust


async def _signals(db: Database, rid: str, **changes) -> None:
    params = {"followers": [], "institution": None, "claimant": None, "orcid": None, **changes}
    await db.write("testing/add-signals", id=rid, **params)


async def test_score_moves_with_every_signal_and_never_down(api: httpx.AsyncClient, seeded: Database) -> None:
    rid = f"t-{uuid.uuid4().hex[:8]}"
    await seeded.write("testing/researcher-with-works", id=rid, name="Signals",
                       works=[{"id": f"{rid}-w1", "title": "First", "year": 2020}])
    start = await _trust(api, seeded, rid)
    assert start["verificationLevel"] == "L0"

    await _signals(seeded, rid, followers=[f"user:{rid}-f{i}" for i in range(5)])
    followed = await _trust(api, seeded, rid)
    assert followed["score"] > start["score"]

    await seeded.write("testing/researcher-with-works", id=rid, name="Signals",
                       works=[{"id": f"{rid}-w{i}", "title": f"W{i}", "year": 2021} for i in range(2, 8)])
    published = await _trust(api, seeded, rid)
    assert published["score"] > followed["score"]

    await _signals(seeded, rid, institution=f"{rid}-inst")
    affiliated = await _trust(api, seeded, rid)
    assert affiliated["score"] > published["score"]

    await _signals(seeded, rid, claimant=f"user:{rid}-owner")
    claimed = await _trust(api, seeded, rid)
    assert claimed["verificationLevel"] == "L2" and claimed["score"] > affiliated["score"]


async def test_matching_orcid_on_an_approved_claim_is_l3(api: httpx.AsyncClient, seeded: Database) -> None:
    rid = f"t-{uuid.uuid4().hex[:8]}"
    await seeded.write("testing/researcher-with-works", id=rid, name="Orcid",
                       works=[{"id": f"{rid}-w1", "title": "First", "year": 2020}])
    await _signals(seeded, rid, orcid="0000-0002-1825-0097")
    l1 = await _trust(api, seeded, rid)
    assert l1["verificationLevel"] == "L1"
    await _signals(seeded, rid, orcid="0000-0002-1825-0097", claimant=f"user:{rid}-owner")
    l3 = await _trust(api, seeded, rid)
    assert l3["verificationLevel"] == "L3" and l3["score"] > l1["score"]


async def test_points_are_monotone_in_each_signal(api: httpx.AsyncClient, seeded: Database) -> None:
    """Followers one at a time: the community points never go down, and stay within the maximum."""
    rid = f"t-{uuid.uuid4().hex[:8]}"
    await seeded.write("testing/researcher-with-works", id=rid, name="Mono", works=[])
    last = -1
    for n in (1, 2, 5, 20, 60, 150):
        await _signals(seeded, rid, followers=[f"user:{rid}-f{i}" for i in range(n)])
        trust = await _trust(api, seeded, rid)
        community = next(c for c in trust["components"] if c["key"] == "community")
        assert community["value"] == n
        assert last <= community["points"] <= community["maxPoints"]
        last = community["points"]
    assert last > 0

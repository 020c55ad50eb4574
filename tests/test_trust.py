"""The trust model: computed from graph signals, monotone, tiers and levels as docs/trust.md says."""

from __future__ import annotations

import math
import uuid

import httpx
import pytest
from support import gql

from bzgraph.db import Database

TRUST = """query($id: ID!) { researcher(id: $id) { trust { score tier verificationLevel
  components { key label value points maxPoints } } } }"""
LABELS = {"verification": "Verification level", "publications": "Publication record",  # docs/trust.md's table
          "collaboration": "Collaboration network", "community": "Community (followers)",
          "completeness": "Profile completeness"}

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


async def test_an_openalex_id_alone_verifies_l1(api: httpx.AsyncClient, seeded: Database) -> None:
    """An OpenAlex author id is an external scholarly identifier as an ORCID iD is: L1 without works."""
    rid = f"t-{uuid.uuid4().hex[:8]}"
    await seeded.write("testing/researcher-with-works", id=rid, name="Openalex Only", works=[])
    before, trust = await _points(api, seeded, rid)
    assert trust["verificationLevel"] == "L0"
    await seeded.write("testing/set-properties", id=rid, props={"openalexId": "A5023888391"})
    after, trust = await _points(api, seeded, rid)
    assert trust["verificationLevel"] == "L1" and after == [8, *before[1:]]


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


# -- the formula as docs/trust.md writes it, computed here independently ----------------------------

def _rounded(x: float) -> int:
    return math.floor(x + 0.5)


def _expected_points(level: int, works: int, close: int, followers: int, *, affiliation: bool, orcid: bool,
                     bio: bool, topics: bool) -> list[int]:
    """Each component's points, in the order of `components`, from the table of docs/trust.md."""
    return [[0, 8, 18, 25][level],
            _rounded(25 * (1 - math.exp(-works / 20))),
            _rounded(20 * (1 - math.exp(-close / 10))),
            _rounded(15 * (1 - math.exp(-followers / 25))),
            5 * affiliation + 4 * orcid + 3 * bio + 3 * topics]


async def _points(api: httpx.AsyncClient, db: Database, rid: str) -> tuple[list[int], dict]:
    trust = await _trust(api, db, rid)
    assert [c["key"] for c in trust["components"]] == ["verification", "publications", "collaboration",
                                                        "community", "completeness"]
    assert [c["maxPoints"] for c in trust["components"]] == [25, 25, 20, 15, 15]
    assert {c["key"]: c["label"] for c in trust["components"]} == LABELS
    return [c["points"] for c in trust["components"]], trust


async def test_the_reference_researcher_scores_as_docs_trust_md_computes_it(api: httpx.AsyncClient, seeded: Database) -> None:
    """Leon Bungert's points from his signals (his counts read through the API; the profile query
    counts close collaborators on its own): L1, 9 works, 8 close collaborators, 0 followers, topics only."""
    body = await gql(api, """{ researcher(id: "bzr-leon-bungert") { affiliation { id } bio
      counts { works closeCollaborators followers topics } } }""")
    r = body["data"]["researcher"]
    counts = r["counts"]
    points, trust = await _points(api, seeded, "bzr-leon-bungert")
    assert trust["verificationLevel"] == "L1"
    assert points == _expected_points(1, counts["works"], counts["closeCollaborators"], counts["followers"],
                                      affiliation=r["affiliation"] is not None, orcid=False, bio=bool(r["bio"]),
                                      topics=counts["topics"] > 0)
    assert (trust["score"], trust["tier"]) == (31, "EMERGING")  # as docs/trust.md and the reference page's tier
    complete = [r["affiliation"] is not None, False, bool(r["bio"]), counts["topics"] > 0]
    assert [c["value"] for c in trust["components"]] == [  # the signals themselves; completeness as a fraction
        1.0, counts["works"], counts["closeCollaborators"], counts["followers"], sum(complete) / 4]


async def test_a_doi_alone_verifies_l1_and_a_blank_bio_is_no_bio(api: httpx.AsyncClient, seeded: Database) -> None:
    """L1 asks for an external scholarly identifier: a work's DOI is one (as an arXiv id or an ORCID);
    a bio of spaces is no bio for completeness."""
    rid = f"t-{uuid.uuid4().hex[:8]}"
    await seeded.write("testing/researcher-with-works", id=rid, name="Doi", works=[{"id": f"{rid}-w1", "title": "T", "year": 2020}])
    before, trust = await _points(api, seeded, rid)
    assert trust["verificationLevel"] == "L0"
    await seeded.write("testing/set-properties", id=f"{rid}-w1", props={"doi": "10.1234/only-a-doi"})
    await seeded.write("testing/set-properties", id=rid, props={"bio": "   "})
    after, trust = await _points(api, seeded, rid)
    assert trust["verificationLevel"] == "L1" and after == [8, *before[1:]]  # the bio counted nothing
    await seeded.write("testing/set-properties", id=rid, props={"bio": "Works on things."})
    bio, _ = await _points(api, seeded, rid)
    assert bio == [*after[:4], after[4] + 3]


@pytest.mark.parametrize("boundary", [20, 40, 60, 80])
async def test_each_tier_begins_at_its_bound(api: httpx.AsyncClient, seeded: Database, boundary: int) -> None:
    """A researcher whose signals (as in the table) score just below a tier's bound, then at it: the
    points are the formula's, and the tier changes exactly there. Followers move the score one point
    at most at a time, so they walk it across the bound."""
    rid = f"t-{uuid.uuid4().hex[:8]}"
    # the signals below each bound: a base score the followers' 0..15 points carry across it
    level, works, close, affiliation, orcid, bio = {
        20: (1, 0, 0, False, True, False),    # ORCID: L1 8 + 4 = 12
        40: (2, 0, 0, True, False, True),     # claimed: L2 18 + affiliation 5 + bio 3 = 26
        60: (3, 12, 0, True, True, True),     # claimed with the ORCID: L3 25 + 12 + 5 + 4 + 3 = 48
        80: (3, 60, 10, True, True, True),    # and 60 works, 10 close collaborators: 74
    }[boundary]
    await seeded.write("testing/researcher-with-works", id=rid, name="Bounds",
                       works=[{"id": f"{rid}-w{i}", "title": f"W{i}", "year": 2020} for i in range(works)])
    for k in range(close):  # each shares two works; one more co-author shares a single work (not close)
        await seeded.write("testing/researcher-with-works", id=f"{rid}-c{k}", name=f"Co {k}",
                           works=[{"id": f"{rid}-w{i}", "title": f"W{i}", "year": 2020} for i in (2 * k, 2 * k + 1)])
    if works:
        await seeded.write("testing/researcher-with-works", id=f"{rid}-once", name="Once",
                           works=[{"id": f"{rid}-w0", "title": "W0", "year": 2020}])
    if bio:
        await seeded.write("testing/set-properties", id=rid, props={"bio": "Studies bounds."})
    orcid_id = "0000-0002-1825-0097" if orcid else None
    await _signals(seeded, rid, institution=f"{rid}-inst" if affiliation else None, orcid=orcid_id,
                   claimant=f"user:{rid}-owner" if level >= 2 else None)

    def expected(followers: int) -> list[int]:
        return _expected_points(level, works, close, followers, affiliation=affiliation, orcid=orcid, bio=bio,
                                topics=False)

    below = next(f for f in range(200) if sum(expected(f)) == boundary - 1)
    at = next(f for f in range(200) if sum(expected(f)) == boundary)
    for followers, tier in ((below, _tier(boundary - 1)), (at, _tier(boundary))):
        await _signals(seeded, rid, followers=[f"user:{rid}-f{i}" for i in range(followers)])
        points, trust = await _points(api, seeded, rid)
        assert points == expected(followers), (followers, points)
        assert (trust["score"], trust["tier"], trust["verificationLevel"]) == (sum(points), tier, f"L{level}")
    assert _tier(boundary - 1) != _tier(boundary)

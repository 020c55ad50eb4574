"""The profile page: the contract's ProfilePage, TrustSnapshot and Collaborators, verbatim, over HTTP."""

from __future__ import annotations

import base64
import html
import json
import unicodedata
import uuid
from collections import Counter

import httpx
import pytest
from support import check_page, codes, contract, gql, new_id, new_researcher, paging

from bzgraph.api.works import YEAR_ORDER
from bzgraph.db import Database
from bzgraph.seed import read_seed

BUNGERT = "bzr-leon-bungert"


def _expected_bungert() -> dict:
    """What the seed file says, computed here without the product's Cypher."""
    seed = read_seed()
    works = [w for w in seed["works"] if any(a["researcher"] == BUNGERT for a in w["authors"])]
    shared = Counter(a["researcher"] for w in works for a in w["authors"] if a["researcher"] != BUNGERT)
    topics = {t["topic"] for w in works for t in w["topics"]}
    ordered = sorted(works, key=lambda w: (-(w["year"] or -1), w["title"].lower(), w["id"]))
    return {"works": ordered, "close": {r: n for r, n in shared.items() if n >= 2}, "topics": topics}


@pytest.fixture(scope="module")
async def live(live_url: str) -> httpx.AsyncClient:
    async with httpx.AsyncClient(base_url=live_url, timeout=30) as client:
        yield client


async def test_profile_page_reads_as_the_reference_page(live: httpx.AsyncClient) -> None:
    body = await gql(live, contract("ProfilePage"), {"id": BUNGERT, "worksFirst": 20})
    assert "errors" not in body, body
    r = body["data"]["researcher"]
    expected = _expected_bungert()
    assert r["name"] == "Leon Bungert"
    assert r["affiliation"] is None
    assert r["openToCollaborate"] is True and r["claimed"] is False
    assert r["counts"] == {"works": 9, "followers": 0, "topics": 9,
                           "closeCollaborators": len(expected["close"])}
    assert len(expected["close"]) == 8
    assert r["trust"]["tier"] == "EMERGING" and r["trust"]["verificationLevel"] == "L1"
    assert r["viewerState"] == {"isFollowing": False, "canClaim": False, "canInvite": False}
    nodes = [e["node"] for e in r["works"]["edges"]]
    assert [n["id"] for n in nodes] == [w["id"] for w in expected["works"]]
    for node, work in zip(nodes, expected["works"]):
        assert (node["type"], node["year"], node["venue"], node["title"]) == ("preprint", work["year"], "arXiv", work["title"])
        assert node["abstract"] == work["abstract"] == html.unescape(work["abstract"])
    assert r["works"]["totalCount"] == 9 and r["works"]["pageInfo"]["hasNextPage"] is False
    assert body["extensions"]["cypherRoundTrips"] == 1


async def test_headline_is_derived_from_the_main_topics(api: httpx.AsyncClient) -> None:
    body = await gql(api, "query($id: ID!) { researcher(id: $id) { headline topics(first: 3) { topic { name } } } }",
                     {"id": BUNGERT})
    r = body["data"]["researcher"]
    names = [t["topic"]["name"] for t in r["topics"]]
    assert r["headline"] == f"Works on {names[0]}; {names[1]}; {names[2]}"  # topic names hold commas and "and"


async def test_the_header_affiliation_is_the_one_seen_latest(api: httpx.AsyncClient, seeded: Database) -> None:
    """The header's `affiliation` is the institution of the latest year seen, whatever the first year
    of each: one seen from 2010 to 2023 is current against one seen in 2020 only."""
    rid = f"t-{uuid.uuid4().hex[:8]}"
    await seeded.write("testing/researcher-with-works", id=rid, name="Moved Twice", works=[])
    await seeded.write("testing/affiliate", id=rid, institution=f"{rid}-long", name="Long Institute", years=[2010, 2023])
    await seeded.write("testing/affiliate", id=rid, institution=f"{rid}-once", name="Another Institute", years=[2020])
    body = await gql(api, """query($id: ID!) { researcher(id: $id) { affiliation { id }
      affiliations { years institution { id } } } }""", {"id": rid})
    got = body["data"]["researcher"]
    assert got["affiliation"] == {"id": f"{rid}-long"}, got
    assert [(a["institution"]["id"], a["years"]) for a in got["affiliations"]] == [
        (f"{rid}-long", [2010, 2023]), (f"{rid}-once", [2020])]


async def test_headline_is_null_without_topics(api: httpx.AsyncClient, seeded: Database) -> None:
    rid = f"t-{uuid.uuid4().hex[:8]}"
    await seeded.write("testing/researcher-with-works", id=rid, name="No Topics",
                       works=[{"id": f"{rid}-w", "title": "Untitled", "year": 2020}])
    body = await gql(api, "query($id: ID!) { researcher(id: $id) { headline } }", {"id": rid})
    assert body["data"]["researcher"]["headline"] is None


@pytest.mark.parametrize("selection", [
    "id", "name counts { works }", "trust { score components { key points } }",
    "viewerState { canClaim } works(first: 3) { totalCount edges { node { title } } }",
    "closeCollaborators(first: 2) { sharedWorks researcher { name } } topics(first: 1) { worksCount }",
    "...F", "... on Researcher { headline affiliation { name } works { pageInfo { endCursor } } }",
])
async def test_every_subset_of_the_profile_costs_one_round_trip(api: httpx.AsyncClient, selection: str) -> None:
    query = f"query($id: ID!) {{ researcher(id: $id) {{ {selection} }} }} fragment F on Researcher {{ claimed counts {{ topics }} }}"
    if "...F" not in selection:
        query = query.split(" fragment")[0]
    body = await gql(api, query, {"id": BUNGERT})
    assert "errors" not in body, body
    assert body["extensions"]["cypherRoundTrips"] == 1


PROFILE_FIELDS = [
    "headline", "claimed", "openToCollaborate", "affiliation { id name }", "affiliations { years institution { id } }",
    "counts { works followers topics closeCollaborators }", "counts { works followers }", "counts { topics }",
    "counts { closeCollaborators }", "trust { score tier verificationLevel }",
    "viewerState { isFollowing canClaim canInvite cannotClaimReasons cannotInviteReasons }",
    "works(first: 3) { totalCount pageInfo { hasNextPage } edges { cursor node { id } } }",
    "closeCollaborators(first: 3) { sharedWorks cursor researcher { id } }",
    "topics(first: 3) { worksCount cursor topic { id } }",
]


async def test_each_profile_field_alone_reads_as_in_the_whole_page(api: httpx.AsyncClient, seeded: Database,
                                                                   settings) -> None:
    """The profile query computes only the parts a document's fields need (affiliations, collaborators,
    topics, the viewer's state): each field asked alone answers exactly what it answers beside all the
    others, in one round trip. Bungert has collaborators and topics; a fresh researcher an affiliation
    and a signed-in follower, so that each part left out wrongly would show."""
    from support import token

    rid = await new_researcher(seeded)
    await seeded.write("testing/affiliate", id=rid, institution=f"{rid}-i", name="Parts Institute", years=[2024])
    viewer = token(settings, new_id("parts"))
    assert "errors" not in await gql(api, contract("FollowResearcher"), {"id": rid}, token=viewer)
    whole = "query($id: ID!) { researcher(id: $id) { " + " ".join(PROFILE_FIELDS) + " } }"
    for researcher, tok in ((BUNGERT, None), (rid, viewer)):
        everything = await gql(api, whole, {"id": researcher}, token=tok)
        assert "errors" not in everything and everything["extensions"]["cypherRoundTrips"] == 1, everything
        page = everything["data"]["researcher"]
        for selection in PROFILE_FIELDS:
            alone = await gql(api, f"query($id: ID!) {{ researcher(id: $id) {{ {selection} }} }}", {"id": researcher},
                              token=tok)
            assert "errors" not in alone and alone["extensions"]["cypherRoundTrips"] == 1, (selection, alone)
            ((name, value),) = alone["data"]["researcher"].items()
            assert value == ({k: page[name][k] for k in value} if name == "counts" else page[name]), (researcher, selection)
    bungert = (await gql(api, whole, {"id": BUNGERT}))["data"]["researcher"]
    assert bungert["headline"] and bungert["closeCollaborators"] and bungert["topics"] and bungert["counts"]["topics"]
    fresh = (await gql(api, whole, {"id": rid}, token=viewer))["data"]["researcher"]
    assert fresh["affiliation"] == {"id": f"{rid}-i", "name": "Parts Institute"} and fresh["viewerState"]["isFollowing"]


async def test_a_trust_snapshot_computes_no_part_it_does_not_show(api: httpx.AsyncClient, monkeypatch) -> None:
    """TrustSnapshot asks for the record's trust and `claimed`: its profile query computes none of the
    parts (no co-authors, topics, affiliations or viewer state); ProfilePage needs every one of them."""
    sent: list[list[str]] = []
    read = Database.read

    async def recording(self: Database, name: str, /, **kwargs: object) -> list:
        if name == "profile/researchers":
            sent.append(kwargs["parts"])  # type: ignore[arg-type]
        return await read(self, name, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Database, "read", recording)
    assert "errors" not in await gql(api, contract("TrustSnapshot"), {"id": BUNGERT})
    assert "errors" not in await gql(api, contract("Collaborators"), {"id": BUNGERT})
    assert "errors" not in await gql(api, contract("ProfilePage"), {"id": BUNGERT})
    assert "errors" not in await gql(api, "query($id: ID!) { researcher(id: $id) { counts { works followers } } }",
                                     {"id": BUNGERT})
    assert sent == [[], ["collaborators", "topics"], ["affiliations", "collaborators", "topics", "viewer"], []]


async def test_researchers_asked_with_different_fields_share_one_query(api: httpx.AsyncClient, settings) -> None:
    """Profile loads of one request that differ only in the parts they need are one query computing all
    of those parts (fields of researchers aliased, a viewer's lists' researchers), not one query each."""
    from support import token

    document = """query($a: ID!, $b: ID!) { a: researcher(id: $a) { headline } b: researcher(id: $b) {
        counts { closeCollaborators } viewerState { canClaim } } c: researcher(id: $a) { affiliation { id } } }"""
    viewer = token(settings, new_id("two"))
    await gql(api, "{ viewer { id } }", token=viewer)  # its account is made on its first request: a query of its own
    body = await gql(api, document, {"a": BUNGERT, "b": "bzr-martin-burger"}, token=viewer)
    assert "errors" not in body and body["extensions"]["cypherRoundTrips"] == 1, body
    whole = "query($id: ID!) { researcher(id: $id) { headline counts { closeCollaborators } viewerState { canClaim } } }"
    burger = await gql(api, whole, {"id": "bzr-martin-burger"}, token=viewer)
    assert body["data"]["b"] == {k: burger["data"]["researcher"][k] for k in ("counts", "viewerState")}
    assert body["data"]["a"]["headline"] and body["data"]["c"] == {"affiliation": None}


async def test_a_profile_row_without_a_part_is_not_read_for_a_field_that_needs_it(seeded: Database) -> None:
    """A row computed without a part holds empty values there: a field needing that part loads the
    profile again (an awaitable) rather than answer from it; one needing none answers at once."""
    import inspect

    from bzgraph.api.profile import PARTS_OF_COUNT, PARTS_OF_FIELD, ProfileArgs, Researcher, profile_params

    for part in ("affiliations", "collaborators", "topics", "viewer"):
        args = ProfileArgs(parts=frozenset({"affiliations", "collaborators", "topics", "viewer"} - {part}))
        (row,) = await seeded.read("profile/researchers", **profile_params([BUNGERT], None, args))
        row["args"] = args
        researcher = Researcher.from_profile(row, context=None)  # type: ignore[arg-type]
        counts = researcher.counts()
        reads = {"headline": researcher.headline, "affiliation": researcher.affiliation,
                 "affiliations": researcher.affiliations, "counts.topics": counts.topics,  # type: ignore[union-attr]
                 "counts.closeCollaborators": counts.close_collaborators,  # type: ignore[union-attr]
                 "viewerState": researcher.viewer_state, "closeCollaborators": researcher.close_collaborators,
                 "topics": researcher.topics}
        for field, read in reads.items():
            value = read()
            needs = PARTS_OF_COUNT[field.split(".")[1]] if field.startswith("counts.") else PARTS_OF_FIELD[field]
            assert inspect.isawaitable(value) == (part in needs), (part, field)
            if inspect.isawaitable(value):
                value.close()  # type: ignore[union-attr]
        assert researcher.claimed() is False and counts.works == 9  # type: ignore[union-attr]


async def test_trust_snapshot_components_add_up(live: httpx.AsyncClient) -> None:
    body = await gql(live, contract("TrustSnapshot"), {"id": BUNGERT})
    trust = body["data"]["researcher"]["trust"]
    components = trust["components"]
    assert {c["key"] for c in components} >= {"verification", "publications", "collaboration", "community", "completeness"}
    assert sum(c["maxPoints"] for c in components) == 100
    assert sum(c["points"] for c in components) == trust["score"]
    assert all(0 <= c["points"] <= c["maxPoints"] for c in components)
    assert 20 <= trust["score"] <= 39
    assert body["extensions"]["cypherRoundTrips"] == 1


async def test_collaborators_ranked_by_shared_works(live: httpx.AsyncClient) -> None:
    body = await gql(live, contract("Collaborators"), {"id": BUNGERT, "first": 10})
    r = body["data"]["researcher"]
    expected = _expected_bungert()
    got = [(c["researcher"]["id"], c["sharedWorks"]) for c in r["closeCollaborators"]]
    assert dict(got) == expected["close"]
    assert [n for _, n in got] == sorted((n for _, n in got), reverse=True)
    assert {t["topic"]["id"] for t in r["topics"]} == expected["topics"]
    assert body["extensions"]["cypherRoundTrips"] == 1


async def test_unknown_id_gives_null_and_malformed_input_gives_bad_user_input(api: httpx.AsyncClient) -> None:
    body = await gql(api, contract("ProfilePage"), {"id": "no-such-researcher"})
    assert body["data"]["researcher"] is None and "errors" not in body
    assert codes(await gql(api, contract("ProfilePage"), {"id": ""})) == ["BAD_USER_INPUT"]
    assert codes(await gql(api, contract("ProfilePage"), {"id": "x" * 300})) == ["BAD_USER_INPUT"]
    assert codes(await gql(api, contract("ProfilePage"), {"id": BUNGERT, "worksFirst": 101})) == ["BAD_USER_INPUT"]
    assert codes(await gql(api, contract("ProfilePage"), {"id": BUNGERT, "worksFirst": -1})) == ["BAD_USER_INPUT"]
    assert codes(await gql(api, contract("ProfilePage"), {"id": None})) == ["BAD_USER_INPUT"]


async def _page_through(api: httpx.AsyncClient, rid: str, size: int, between=None) -> list[str]:
    seen, after = [], None
    for page in range(1_000):  # a cursor that fails to move on fails the test, not hangs it
        body = await gql(api, contract("ProfilePage"), {"id": rid, "worksFirst": size, "worksAfter": after})
        assert "errors" not in body, body
        works = body["data"]["researcher"]["works"]
        seen += [e["node"]["id"] for e in works["edges"]]
        if not works["pageInfo"]["hasNextPage"]:
            return seen
        after = works["pageInfo"]["endCursor"]
        assert after == works["edges"][-1]["cursor"]
        if between and page == 0:
            await between()
    raise AssertionError(f"paging did not end: {len(seen)} works seen, the last {seen[-3:]}")


async def test_a_works_page_says_where_it_sits(api: httpx.AsyncClient) -> None:
    """pageInfo as Relay has it: a next page exactly when one more work exists (9 works: first 8 has
    one, first 9 none), a previous one exactly after a cursor, the cursors of the page's ends."""
    query = """query($first: Int!, $after: String) { researcher(id: "bzr-leon-bungert") { works(first: $first, after: $after) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } } } }"""
    for first, after, more in ((8, None, True), (9, None, False), (10, None, False)):
        works = (await gql(api, query, {"first": first, "after": after}))["data"]["researcher"]["works"]
        check_page(works, after)
        assert (len(works["edges"]), works["pageInfo"]["hasNextPage"]) == (min(first, 9), more), first
    second = (await gql(api, query, {"first": 8, "after": works["edges"][0]["cursor"]}))["data"]["researcher"]["works"]
    check_page(second, works["edges"][0]["cursor"])
    assert (len(second["edges"]), second["pageInfo"]["hasNextPage"]) == (8, False)
    # two pages of different sizes in one request: each read for its own size (a page of 9 holds 5 works,
    # but says nothing of a next page after the fifth)
    both = (await gql(api, """{ researcher(id: "bzr-leon-bungert") { a: works(first: 9) { pageInfo { hasNextPage } edges { cursor } }
      b: works(first: 5) { pageInfo { hasNextPage } edges { cursor } } } }"""))["data"]["researcher"]
    assert [(len(p["edges"]), p["pageInfo"]["hasNextPage"]) for p in (both["a"], both["b"])] == [(9, False), (5, True)]
    assert both["b"]["edges"] == both["a"]["edges"][:5]


async def test_the_look_ahead_reads_fragments_and_leaves_refused_lists_to_their_fields(api: httpx.AsyncClient) -> None:
    """Lists asked for inside a named fragment are read by the profile's one query too; a list whose
    `first` is refused fails alone, with its path, and the rest of the researcher is answered."""
    body = await gql(api, """query { researcher(id: "bzr-leon-bungert") { ...P } }
      fragment P on Researcher { name works(first: 2) { totalCount } topics(first: 3) { worksCount } }""")
    assert body["data"]["researcher"]["works"] == {"totalCount": 9} and len(body["data"]["researcher"]["topics"]) == 3
    assert body["extensions"]["cypherRoundTrips"] == 1
    body = await gql(api, """{ researcher(id: "bzr-leon-bungert") { name works(first: -2) { totalCount }
      closeCollaborators(first: 1000) { cursor } } }""")  # -2: a page read one longer would be LIMIT -1
    assert body["data"]["researcher"] == {"name": "Leon Bungert", "works": None, "closeCollaborators": None}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["researcher", "works"], "BAD_USER_INPUT"), (["researcher", "closeCollaborators"], "BAD_USER_INPUT")]
    assert body["extensions"]["cypherRoundTrips"] == 1


async def test_works_pages_have_no_gaps_or_repeats(api: httpx.AsyncClient) -> None:
    expected = [w["id"] for w in _expected_bungert()["works"]]
    for size in (1, 2, 4, 9):
        assert await _page_through(api, BUNGERT, size) == expected


async def test_paging_is_stable_when_older_works_arrive(api: httpx.AsyncClient, seeded: Database) -> None:
    rid = f"t-{uuid.uuid4().hex[:8]}"
    # Same-year works with equal titles test the id tie-break.
    works = [{"id": f"{rid}-w{i}", "title": f"Work {i % 3}", "year": 2000 + i % 4} for i in range(10)]
    await seeded.write("testing/researcher-with-works", id=rid, name="Pager", works=works)
    expected = [w["id"] for w in sorted(works, key=lambda w: (-w["year"], w["title"].lower(), w["id"]))]

    async def add_older() -> None:
        await seeded.write("testing/researcher-with-works", id=rid, name="Pager",
                           works=[{"id": f"{rid}-old", "title": "Older", "year": 1990}])

    seen = await _page_through(api, rid, 3, between=add_older)
    assert seen == expected + [f"{rid}-old"]


async def test_works_of_unknown_year_come_last_also_after_years_before_the_common_era(api: httpx.AsyncClient,
                                                                                      seeded: Database) -> None:
    """The import keeps years from -9999 to 9999: a work without one sorts after all of them, and is
    not taken for year -1."""
    rid = f"t-{uuid.uuid4().hex[:8]}"
    years = {"a": -5, "b": -1, "c": None, "d": None, "e": 0, "f": -9999}
    works = [{"id": f"{rid}-{k}", "title": k.upper(), "year": year} for k, year in years.items()]
    await seeded.write("testing/researcher-with-works", id=rid, name="Ancient", works=works)
    expected = [f"{rid}-{k}" for k in ("e", "b", "a", "f", "c", "d")]
    for size in (1, 2, 6):
        assert await _page_through(api, rid, size) == expected
    # a cursor made when an unknown year sorted as -1 would page those works again: refused instead,
    # on every list in a year order (an institution's members: their latest year there)
    def cursor(scope: str, position: list) -> str:
        return "bz1:" + base64.urlsafe_b64encode(json.dumps([scope, position]).encode()).decode().rstrip("=")

    institution = f"{rid}-i"
    await seeded.write("testing/add-signals", id=rid, followers=[], institution=institution, claimant=None, orcid=None)
    lists = {"profile": ("query($id: ID!, $after: String) { researcher(id: $id) { works(first: 2, after: $after) { totalCount } } }",
                         rid, "works"),
             "topic": ("query($id: ID!, $after: String) { node(id: $id) { ... on Topic { works(first: 2, after: $after) { totalCount } } } }",
                       "bzt-gradient-flows", "topic"),
             "institution": ("query($id: ID!, $after: String) { node(id: $id) { ... on Institution { researchers(first: 2, after: $after) { totalCount } } } }",
                             institution, "researchers")}
    for name, (query, node_id, kind) in lists.items():
        position = [-1, "c", f"{rid}-c"]
        assert codes(await gql(api, query, {"id": node_id, "after": cursor(f"{kind}:{node_id}", position)})) == [
            "BAD_USER_INPUT"], name
        assert "errors" not in await gql(api, query, {"id": node_id, "after": cursor(f"{kind}:{node_id}:{YEAR_ORDER}", position)}), name


async def test_name_ties_are_ordered_ignoring_case_as_titles_are(api: httpx.AsyncClient, seeded: Database) -> None:
    """Collaborators sharing as many works, topics of as many works and affiliations last seen the
    same year tie-break on their names ignoring case, as works do on titles (they sorted by code point:
    every capital before every lower-case letter), and so do `headline` and `affiliation`. Cursors of
    the earlier order are refused."""
    p = f"t-{uuid.uuid4().hex[:8]}"
    names = ["delta", "Charlie", "bravo", "Alpha"]
    ids = [f"{p}-x{i}" for i in range(len(names))]
    work = {"title": "Shared", "abstract": None, "year": 2010, "date": None, "type": "article", "language": "en",
            "doi": None, "arxivId": None, "citedByCount": 0, "source": None,
            "topics": [{"topic": f"{p}-t{i}", "score": 0.5} for i in range(len(names))]}
    works = [{**work, "id": f"{p}-w{k}", "authors": [{"researcher": r, "position": i + 1}
                                                     for i, r in enumerate([p, *ids])]} for k in range(2)]
    await seeded.write("seed/load", sources=[], works=works,
                       topics=[{"id": f"{p}-t{i}", "name": f"{name} topic", "subfield": None, "field": None,
                                "domain": None} for i, name in enumerate(names)],
                       institutions=[{"id": f"{p}-i{i}", "name": f"{name} institute", "ror": None, "country": "DE",
                                      "type": "education"} for i, name in enumerate(names)],
                       affiliations=[{"researcher": p, "institution": f"{p}-i{i}", "years": [2020]} for i in range(len(names))],
                       researchers=[{"id": r, "name": name, "aliases": [], "orcid": None, "openToCollaborate": False,
                                     "bio": None} for r, name in [(p, "Center"), *zip(ids, names)]])
    query = """query($id: ID!) { researcher(id: $id) { headline affiliation { name } affiliations { institution { name } }
      closeCollaborators(first: 4) { researcher { name } cursor } topics(first: 4) { topic { name } } } }"""
    r = (await gql(api, query, {"id": p}))["data"]["researcher"]
    alphabetical = sorted(names, key=str.lower)  # Alpha, bravo, Charlie, delta
    assert [c["researcher"]["name"] for c in r["closeCollaborators"]] == alphabetical
    assert [t["topic"]["name"] for t in r["topics"]] == [f"{n} topic" for n in alphabetical]
    assert [a["institution"]["name"] for a in r["affiliations"]] == [f"{n} institute" for n in alphabetical]
    assert r["affiliation"] == {"name": "Alpha institute"}
    assert r["headline"].startswith("Works on Alpha topic; bravo topic"), r["headline"]
    rest = """query($id: ID!, $after: String) { researcher(id: $id) {
      closeCollaborators(first: 4, after: $after) { researcher { name } } } }"""
    after = (await gql(api, rest, {"id": p, "after": r["closeCollaborators"][1]["cursor"]}))["data"]["researcher"]
    assert [c["researcher"]["name"] for c in after["closeCollaborators"]] == alphabetical[2:]
    scope, position = json.loads(base64.urlsafe_b64decode(r["closeCollaborators"][1]["cursor"][4:] + "=="))
    earlier = "bz1:" + base64.urlsafe_b64encode(json.dumps([scope.rsplit(":", 1)[0], position]).encode()).decode().rstrip("=")
    assert codes(await gql(api, rest, {"id": p, "after": earlier})) == ["BAD_USER_INPUT"]


async def test_titles_are_ordered_ignoring_case_and_paged_past_a_missing_title(api: httpx.AsyncClient,
                                                                             seeded: Database) -> None:
    """Old records often have ALL-CAPS titles, a few start in lower case: "title ascending" files them
    where a reader looks, not after every capital. A work without a title (null) comes first in its
    year, and the cursor that stops on it pages on."""
    rid = f"t-{uuid.uuid4().hex[:8]}"
    titles = ["zeta functions", "THE END OF BASINS", "Theory of flows", "alpha decay", "BETA", "Gamma rays", None]
    works = [{"id": f"{rid}-w{i}", "title": title, "year": 2001} for i, title in enumerate(titles)]
    await seeded.write("testing/researcher-with-works", id=rid, name="Cases", works=works)
    expected = [w["id"] for w in sorted(works, key=lambda w: ((w["title"] or "").lower(), w["id"]))]
    assert [titles[int(i.rsplit("w", 1)[1])] for i in expected] == [
        None, "alpha decay", "BETA", "Gamma rays", "THE END OF BASINS", "Theory of flows", "zeta functions"]
    for size in (1, 2, 7):
        assert await _page_through(api, rid, size) == expected


async def test_titles_and_names_file_as_a_reader_looks_for_them(api: httpx.AsyncClient, seeded: Database,
                                                                 tmp_path) -> None:
    """Imported titles and names sorted by code point put every accented or quoted initial after Z
    (`Zebra, Äpfel, éclair, “Quoted” start`): they file as a reader looks for them, case, accents,
    apostrophes and the punctuation a title starts with aside, and page so."""
    import gzip
    import random

    from bzgraph.ingest.load import import_paths

    tag = str(random.randrange(10**8, 10**9))
    rid = f"A8{tag}0"
    titles = ["Zebra", "\u00c4pfel", "\u00e9clair", "\u201cQuoted\u201d start", "apple", "\u00d6l\u00e7\u00fcm", "(Bracketed) note"]
    people = {f"A8{tag}{i}": name for i, name in enumerate(["Zed", "\u00d6zil", "adam", "\u00c9mile", "O'Neil"], 1)}
    records = [{"id": f"https://openalex.org/W8{tag}{i}", "title": title, "publication_year": 2020,
                "authorships": [{"author": {"id": f"https://openalex.org/{a}", "display_name": name}}
                                for a, name in [(rid, "Centre"), *people.items()]]}
               for i, title in enumerate(titles)]
    path = tmp_path / "sorted.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in records)))
    await import_paths(seeded, [path])

    filed = ["\u00c4pfel", "apple", "(Bracketed) note", "\u00e9clair", "\u00d6l\u00e7\u00fcm", "\u201cQuoted\u201d start", "Zebra"]
    expected = [f"W8{tag}{titles.index(t)}" for t in filed]
    for size in (1, 3, 7):
        assert await _page_through(api, rid, size) == expected
    query = """query($id: ID!, $after: String) { researcher(id: $id) {
      closeCollaborators(first: 2, after: $after) { cursor researcher { name } } } }"""
    names, after = [], None
    for _ in paging():
        page = (await gql(api, query, {"id": rid, "after": after}))["data"]["researcher"]["closeCollaborators"]
        names += [c["researcher"]["name"] for c in page]
        if len(page) < 2:
            break
        after = page[-1]["cursor"]
    assert names == ["adam", "\u00c9mile", "O'Neil", "\u00d6zil", "Zed"]


async def test_very_long_titles_page_on_with_short_cursors(api: httpx.AsyncClient, seeded: Database) -> None:
    """The sort title is the first 300 characters: a 100,000-character title, or long titles that
    differ only past that point (ordered by id then), still give cursors the server takes back."""
    rid = f"t-{uuid.uuid4().hex[:8]}"
    titles = ["x" * 100_000, "研" * 5_000 + "a", "研" * 5_000 + "b", "Short"]
    works = [{"id": f"{rid}-w{i}", "title": title, "year": 2010} for i, title in enumerate(titles)]
    await seeded.write("testing/researcher-with-works", id=rid, name="Long", works=works)
    expected = [w["id"] for w in sorted(works, key=lambda w: (w["title"].lower()[:300], w["id"]))]
    for size in (1, 3):
        assert await _page_through(api, rid, size) == expected
    body = await gql(api, f'{{ researcher(id: "{rid}") {{ works(first: 1) {{ pageInfo {{ endCursor }} }} }} }}')
    assert len(body["data"]["researcher"]["works"]["pageInfo"]["endCursor"]) < 4096


async def _one_at_a_time(api: httpx.AsyncClient, rid: str, field: str, item: str) -> list[str]:
    """The ids of a researcher's ``field`` list (``closeCollaborators`` or ``topics``), paged one
    item at a time from each item's cursor; every cursor short enough to send back."""
    query = f"""query($id: ID!, $after: String) {{ researcher(id: $id) {{
        {field}(first: 1, after: $after) {{ cursor {item} {{ id }} }} }} }}"""
    seen: list[str] = []
    after = None
    for _ in paging():
        body = await gql(api, query, {"id": rid, "after": after})
        assert "errors" not in body, body
        page = body["data"]["researcher"][field]
        if not page:
            return seen
        assert len(page[0]["cursor"]) < 4096
        seen.append(page[0][item]["id"])
        after = page[0]["cursor"]


async def test_very_long_names_page_on_with_short_cursors(api: httpx.AsyncClient, seeded: Database) -> None:
    """Collaborators and topics sort by the first 300 characters of their names, as works do by
    title: their cursors stay short, and names that differ only past that point order by id."""
    rid = f"t-{uuid.uuid4().hex[:8]}"
    works = [{"id": f"{rid}-w{i}", "title": f"Shared {i}", "year": 2010} for i in range(2)]
    await seeded.write("testing/researcher-with-works", id=rid, name="Long Names", works=works)
    names = {f"{rid}-c{i}": name for i, name in enumerate(["x" * 100_000 + "b", "x" * 100_000 + "a", "研" * 5_000, "Short"])}
    for cid, name in names.items():
        await seeded.write("testing/researcher-with-works", id=cid, name=name, works=works)
    expected = sorted(names, key=lambda cid: (names[cid][:300], cid))
    assert await _one_at_a_time(api, rid, "closeCollaborators", "researcher") == expected


async def test_very_long_topic_names_page_on_with_short_cursors(api: httpx.AsyncClient, seeded: Database) -> None:
    """Topics too sort by the first 300 characters of their names (then by id), in the order their
    cursors say."""
    p = f"t-{uuid.uuid4().hex[:8]}"
    names = {f"{p}-t{i}": name for i, name in enumerate(["y" * 100_000 + "b", "y" * 100_000 + "a", "研" * 5_000, "Short"])}
    work = {"id": f"{p}-w0", "title": "Everything", "abstract": None, "year": 2010, "date": None, "type": "article",
            "language": "en", "doi": None, "arxivId": None, "citedByCount": 0, "source": None,
            "authors": [{"researcher": p, "position": 1}],
            "topics": [{"topic": tid, "score": 0.5} for tid in names]}
    await seeded.write("seed/load", sources=[], institutions=[], affiliations=[], works=[work],
                       topics=[{"id": tid, "name": name, "subfield": None, "field": None, "domain": None}
                               for tid, name in names.items()],
                       researchers=[{"id": p, "name": "Long Topics", "aliases": [], "orcid": None,
                                     "openToCollaborate": False, "bio": None}])
    expected = sorted(names, key=lambda tid: (names[tid][:300], tid))
    assert await _one_at_a_time(api, p, "topics", "topic") == expected


async def test_malformed_and_foreign_cursors_are_bad_user_input(api: httpx.AsyncClient, seeded: Database) -> None:
    for cursor in ("nonsense", "bz1:!!!", "bz1:" + "A" * 10, ""):
        body = await gql(api, contract("ProfilePage"), {"id": BUNGERT, "worksAfter": cursor})
        assert codes(body) == ["BAD_USER_INPUT"], cursor
    other = await gql(api, contract("ProfilePage"), {"id": "bzr-tim-roith", "worksFirst": 1})
    foreign = other["data"]["researcher"]["works"]["pageInfo"]["endCursor"]
    body = await gql(api, contract("ProfilePage"), {"id": BUNGERT, "worksAfter": foreign})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_a_bad_list_argument_fails_that_list_only(api: httpx.AsyncClient) -> None:
    """The look-ahead reads the lists' arguments for the one query; a bad one is still the list
    field's own error (its path), and the rest of the researcher is answered."""
    for field, path in (("works(first: 500) { totalCount }", "works"), ('works(after: "nonsense") { totalCount }', "works"),
                        ("closeCollaborators(first: 500) { sharedWorks }", "closeCollaborators"),
                        ("topics(first: -1) { worksCount }", "topics"),
                        ("...F", "works")):
        fragment = " fragment F on Researcher { works(first: 101) { totalCount } }" if field == "...F" else ""
        body = await gql(api, f'{{ researcher(id: "{BUNGERT}") {{ name counts {{ works }} {field} }} }}{fragment}')
        assert codes(body) == ["BAD_USER_INPUT"], field
        assert body["errors"][0]["path"] == ["researcher", path], field
        assert body["data"]["researcher"]["name"] == "Leon Bungert"
        assert body["data"]["researcher"]["counts"] == {"works": 9}
        assert body["data"]["researcher"][path] is None


async def test_cursors_with_wrong_values_are_bad_user_input(api: httpx.AsyncClient) -> None:
    """Cursors that decode and name the right list, but whose position is not (year, title, id)."""
    def forged(position: object) -> str:
        payload = json.dumps([f"works:{BUNGERT}:{YEAR_ORDER}", position]).encode()
        return "bz1:" + base64.urlsafe_b64encode(payload).decode().rstrip("=")

    for position in ([2**63, "a", "b"], [-(2**63) - 1, "a", "b"], [None, None, None], ["x", 1, 2],
                     [True, "A", "b"], [{"a": 1}, [1], 2], [2020.5, "a", "b"], [2020, "a"], [2020, "a", "b", "c"]):
        body = await gql(api, contract("ProfilePage"), {"id": BUNGERT, "worksAfter": forged(position)})
        assert codes(body) == ["BAD_USER_INPUT"], position
    # the same envelope with a well-typed position is a valid cursor
    body = await gql(api, contract("ProfilePage"), {"id": BUNGERT, "worksAfter": forged([2024, "", ""])})
    assert "errors" not in body and body["data"]["researcher"]["works"]["edges"]
    # and with anything outside base64url added to it (padding, spaces, other characters), it is not
    for junk in ("=", " ", "!", "+", "/", ".", "\n"):
        for cursor in (forged([2024, "", ""]) + junk, "bz1:" + junk + forged([2024, "", ""])[4:]):
            body = await gql(api, contract("ProfilePage"), {"id": BUNGERT, "worksAfter": cursor})
            assert codes(body) == ["BAD_USER_INPUT"], cursor


async def test_the_look_ahead_leaves_out_fields_that_skip_and_include_remove(api: httpx.AsyncClient) -> None:
    query = """query($id: ID!, $show: Boolean!) { researcher(id: $id) { id
        works(first: 500) @skip(if: true) { totalCount }
        ... @include(if: $show) { topics(first: 1000) { worksCount } }
        shown: works(first: 2) @include(if: $show) { edges { node { id } } } } }"""
    body = await gql(api, query, {"id": BUNGERT, "show": False})
    assert body["data"]["researcher"] == {"id": BUNGERT} and "errors" not in body
    body = await gql(api, query, {"id": BUNGERT, "show": True})
    assert codes(body) == ["BAD_USER_INPUT"]  # the included topics(first: 1000) is checked
    body = await gql(api, query.replace("first: 1000", "first: 1"), {"id": BUNGERT, "show": True})
    assert len(body["data"]["researcher"]["shown"]["edges"]) == 2 and len(body["data"]["researcher"]["topics"]) == 1


async def test_node_returns_any_kind_by_id(api: httpx.AsyncClient) -> None:
    seed = read_seed()
    work, topic = seed["works"][0], seed["topics"][0]
    query = """query($id: ID!) { node(id: $id) { __typename id
        ... on Work { title venue source { id name type } authors { position researcher { name } } }
        ... on Topic { name } ... on Researcher { name counts { works } } } }"""
    body = await gql(api, query, {"id": work["id"]})
    node = body["data"]["node"]
    assert node["__typename"] == "Work" and node["title"] == work["title"] and node["venue"] == "arXiv"
    assert node["source"] == {"id": work["source"], "name": "arXiv", "type": "repository"}
    assert [a["position"] for a in node["authors"]] == [a["position"] for a in work["authors"]]
    assert (await gql(api, query, {"id": topic["id"]}))["data"]["node"] == {
        "__typename": "Topic", "id": topic["id"], "name": topic["name"]}
    researcher = (await gql(api, query, {"id": BUNGERT}))["data"]["node"]
    assert researcher["counts"]["works"] == 9
    assert (await gql(api, query, {"id": "nothing-here"}))["data"]["node"] is None


async def test_nodes_answer_each_id_in_order_in_one_query(api: httpx.AsyncClient) -> None:
    """`nodes(ids:)` gives what `node(id:)` gives for each id, in the order asked (a repeat, an
    unknown id as null, an OpenAlex-style id in another case), read in one query together with the
    request's `node` fields; more than 100 ids, or one that is no id, fails that field alone."""
    seed = read_seed()
    ids = [seed["topics"][0]["id"], BUNGERT, "nothing-here", seed["works"][0]["id"], BUNGERT]
    fields = "__typename id ... on Work { title } ... on Topic { name } ... on Researcher { name counts { works } }"
    single = "query($id: ID!) { node(id: $id) { " + fields + " } }"
    want = [(await gql(api, single, {"id": i}))["data"]["node"] for i in ids]
    assert want[2] is None and want[1] == want[4] and want[1]["counts"]["works"] == 9
    query = "query($ids: [ID!]!, $id: ID!) { nodes(ids: $ids) { " + fields + " } one: node(id: $id) { id } }"
    body = await gql(api, query, {"ids": ids, "id": seed["works"][1]["id"]})
    assert "errors" not in body, body
    assert body["data"]["nodes"] == want
    assert body["data"]["one"] == {"id": seed["works"][1]["id"]}
    assert body["extensions"]["cypherRoundTrips"] == 2  # the nodes with the node, then Bungert's counts
    body = await gql(api, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": []})
    assert body["data"]["nodes"] == [] and body["extensions"]["cypherRoundTrips"] == 0
    many = "query($ids: [ID!]!) { nodes(ids: $ids) { id } graphCounts { name } }"
    assert (await gql(api, many, {"ids": [BUNGERT] * 100}))["data"]["nodes"] == [{"id": BUNGERT}] * 100
    for refused in ([BUNGERT] * 101, [BUNGERT, "   "]):
        body = await gql(api, many, {"ids": refused})
        assert codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["path"] == ["nodes"], body
        assert body["data"]["nodes"] is None and body["data"]["graphCounts"]
    assert body["errors"][0]["message"] == "`ids[1]` is not a valid id"  # which one
    literal = "{ nodes(ids: [" + ", ".join(['"x"'] * 101) + "]) { id } }"  # refused for its size, not its cost
    assert codes(await gql(api, literal)) == ["BAD_USER_INPUT"]
    # ids are read as node(id:) reads them: white space around them aside
    padded = await gql(api, "query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }", {"id": f" {BUNGERT} "})
    assert padded["data"] == {"node": {"id": BUNGERT}, "nodes": [{"id": BUNGERT}]}
    assert codes(await gql(api, '{ node(id: "   ") { id } }')) == ["BAD_USER_INPUT"]


async def test_nodes_cost_as_many_as_their_ids(api: httpx.AsyncClient) -> None:
    """A literal list of ids costs its length; a variable, the most ids allowed: 100 researchers'
    100 collaborators each is past the limit, two of them are not."""
    inner = "... on Researcher { closeCollaborators(first: 100) { researcher { name } } }"
    two = await gql(api, f'{{ nodes(ids: ["{BUNGERT}", "nothing-here"]) {{ {inner} }} }}')
    assert "errors" not in two, two
    for query, variables in ((f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ {inner} }} }}", {"ids": [BUNGERT]}),
                             ("{ nodes(ids: [" + ", ".join(f'"n{i}"' for i in range(100)) + f"]) {{ {inner} }} }}", None)):
        body = await gql(api, query, variables)
        assert codes(body) == ["QUERY_TOO_COMPLEX"], body


async def test_coauthors_are_everyone_sharing_a_work_the_close_collaborators_first(api: httpx.AsyncClient,
                                                                                      seeded: Database) -> None:
    """`coauthors` lists every researcher sharing a work (counted from the seed's author lists), the
    most shared first; those sharing two or more are `closeCollaborators`, in the same order; page by
    page it gives the same list, each once."""
    shared: Counter[str] = Counter()
    for work in read_seed()["works"]:
        authors = {a["researcher"] for a in work["authors"]}
        if BUNGERT in authors:
            shared.update(authors - {BUNGERT})
    query = """query($id: ID!, $first: Int, $after: String) { researcher(id: $id) {
        closeCollaborators(first: 100) { sharedWorks researcher { id } }
        coauthors(first: $first, after: $after) { totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor sharedWorks node { id } } } } }"""
    body = await gql(api, query, {"id": BUNGERT, "first": 100})
    assert "errors" not in body and body["extensions"]["cypherRoundTrips"] == 2, body
    profile = body["data"]["researcher"]
    listed = [(e["node"]["id"], e["sharedWorks"]) for e in profile["coauthors"]["edges"]]
    assert sorted(listed) == sorted(shared.items()) and profile["coauthors"]["totalCount"] == len(shared) == 20
    assert [n for _, n in listed] == sorted((n for _, n in listed), reverse=True)
    names = {r["id"]: r["name"] for r in read_seed()["researchers"]}

    def filed(name: str) -> str:  # as the seed's names sort (accents aside)
        return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()

    assert listed == sorted(listed, key=lambda item: (-item[1], filed(names[item[0]])))  # ties by name
    close = [(c["researcher"]["id"], c["sharedWorks"]) for c in profile["closeCollaborators"]]
    assert len(close) == 8 and listed[:len(close)] == close and listed[len(close)][1] == 1
    seen, after = [], None
    for _ in paging():
        page = (await gql(api, query, {"id": BUNGERT, "first": 3, "after": after}))["data"]["researcher"]["coauthors"]
        check_page(page, after)
        seen += [(e["node"]["id"], e["sharedWorks"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == listed
    alone = await new_researcher(seeded)  # one work of their own
    body = await gql(api, query, {"id": alone, "first": 5})
    assert body["data"]["researcher"]["coauthors"] == {"totalCount": 0, "edges": [], "pageInfo": {
        "hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}}


async def test_coauthors_sharing_as_many_works_are_ordered_by_name_not_id_and_page_each_once(
        api: httpx.AsyncClient, seeded: Database) -> None:
    """Co-authors sharing as many works are ordered by name (case aside), the same name by id, in
    `coauthors` and `closeCollaborators` alike; ids that sort against the names (`…-z` for Abel) show it
    is the name. Paged one, two or four at a time, across the ties, each comes once."""
    p = new_id("ties")
    centre = f"{p}-centre"
    works = {n: {"id": f"{p}-w{n}", "title": f"Tie {n}", "year": 2020} for n in (1, 2, 3)}
    await seeded.write("testing/researcher-with-works", id=centre, name="Centre", works=list(works.values()))
    people = {"z": ("Abel Ames", [1, 2]), "y": ("Mia Moss", [1, 2]), "x": ("mia moss", [1, 2]),
              "a": ("Zora Zeller", [1, 2]), "c": ("Ann Arbor", [3]), "b": ("Yves Young", [3])}
    for suffix, (name, shared) in people.items():
        await seeded.write("testing/researcher-with-works", id=f"{p}-{suffix}", name=name,
                           works=[works[n] for n in shared])
    want = [(f"{p}-{s}", n) for s, n in (("z", 2), ("x", 2), ("y", 2), ("a", 2), ("c", 1), ("b", 1))]
    query = """query($id: ID!, $first: Int, $after: String) { researcher(id: $id) {
        coauthors(first: $first, after: $after) { totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor sharedWorks node { id } } } } }"""
    close = """query($id: ID!, $first: Int, $after: String) { researcher(id: $id) {
        closeCollaborators(first: $first, after: $after) { cursor sharedWorks researcher { id } } } }"""
    for size in (1, 2, 4):
        seen, after = [], None
        for _ in paging():
            body = await gql(api, query, {"id": centre, "first": size, "after": after})
            assert "errors" not in body, body
            page = body["data"]["researcher"]["coauthors"]
            assert page["totalCount"] == len(want)
            check_page(page, after)
            seen += [(e["node"]["id"], e["sharedWorks"]) for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == want, size
        seen, after = [], None
        for _ in paging():
            body = await gql(api, close, {"id": centre, "first": size, "after": after})
            assert "errors" not in body, body
            listed = body["data"]["researcher"]["closeCollaborators"]
            seen += [(c["researcher"]["id"], c["sharedWorks"]) for c in listed]
            if len(listed) < size:
                break
            after = listed[-1]["cursor"]
        assert seen == want[:4], size


async def test_work_authors_are_batched(api: httpx.AsyncClient) -> None:
    query = """query($id: ID!) { researcher(id: $id) { works(first: 9) { edges { node {
        authors { researcher { name } } topics { topic { name } } } } } } }"""
    body = await gql(api, query, {"id": BUNGERT})
    assert "errors" not in body
    # the profile, then one batch of authors and one of topics — not one query per work
    assert body["extensions"]["cypherRoundTrips"] == 3


async def test_a_refused_authors_list_nulls_that_list_alone(api: httpx.AsyncClient) -> None:
    """A work's `authors` read apart from its page: a refused `first` there nulls each work's list
    alone, with an error at its path; the page, the works' other fields and search's hits stay."""
    query = """query($id: ID!, $first: Int!) { researcher(id: $id) { name works(first: 3) { totalCount
        edges { node { title authors(first: $first) { position } authorCount topics { score } } } } } }"""
    good = await gql(api, query, {"id": BUNGERT, "first": 5})
    assert "errors" not in good and all(e["node"]["authors"] for e in good["data"]["researcher"]["works"]["edges"])
    body = await gql(api, query, {"id": BUNGERT, "first": 1001})
    assert codes(body) == ["BAD_USER_INPUT"] * 3
    assert sorted(tuple(e["path"]) for e in body["errors"]) == [
        ("researcher", "works", "edges", i, "node", "authors") for i in range(3)]
    works = body["data"]["researcher"]["works"]
    assert works["totalCount"] == 9
    assert [{**e["node"], "authors": None} for e in good["data"]["researcher"]["works"]["edges"]] == [
        e["node"] for e in works["edges"]]
    search = """{ search(query: "Bregman", kinds: [WORK]) { totalCount hits { node { ... on Work {
        title authors(first: -1) { position } } } } } }"""
    body = await gql(api, search)
    hits = body["data"]["search"]["hits"]
    assert hits and codes(body) == ["BAD_USER_INPUT"] * len(hits)
    assert all(h["node"]["title"] and h["node"]["authors"] is None for h in hits)
PROFILE_TRUST = """query($id: ID!) { researcher(id: $id) { id openToCollaborate trust { score tier verificationLevel
  components { key points } } } }"""


async def test_a_researchers_stored_fields_come_with_the_list_that_reached_them(api: httpx.AsyncClient,
                                                                             seeded: Database) -> None:
    """`openToCollaborate` and the trust snapshot's score, tier and level under a list (authors,
    collaborators, `node`, search) are read with the list, as `name` and `orcid` are: they loaded every
    listed researcher's whole profile, counts and lists included (29 times the time of `name` under a
    hub's works). The components come with them: loaded apart, a write between the two reads gave a
    score its components did not add up to."""
    lists = {
        "closeCollaborators": ("query($id: ID!) { researcher(id: $id) { closeCollaborators(first: 20) { researcher { "
                               "id openToCollaborate trust { score tier verificationLevel } } } } }", 1),
        "authors": ("query($id: ID!) { researcher(id: $id) { works(first: 9) { edges { node { authors { researcher { "
                    "id openToCollaborate trust { score tier verificationLevel } } } } } } } }", 2),
        "node": ("query($id: ID!) { node(id: $id) { ... on Researcher { id openToCollaborate trust { score tier "
                 "verificationLevel } } } }", 1),
        "search": ('query { search(query: "Coomes", kinds: [RESEARCHER]) { hits { node { ... on Researcher { id '
                   'openToCollaborate trust { score tier verificationLevel } } } } } }', 1),
        "components": ("query($id: ID!) { researcher(id: $id) { closeCollaborators(first: 20) { researcher { "
                       "id openToCollaborate trust { score tier verificationLevel components { key points } } } } } }", 1),
    }

    def researchers_in(data: object) -> list[dict]:
        if isinstance(data, dict):
            return ([data] if "openToCollaborate" in data else []) + [r for v in data.values() for r in researchers_in(v)]
        return [r for v in data for r in researchers_in(v)] if isinstance(data, list) else []

    profiles: dict[str, dict] = {}
    for name, (query, trips) in lists.items():
        body = await gql(api, query, {"id": BUNGERT if name != "node" else "bzr-david-a-coomes"})
        assert "errors" not in body and body["extensions"]["cypherRoundTrips"] == trips, (name, body)
        found = researchers_in(body["data"])
        assert found, name
        for researcher in found:  # as the researcher's own profile reads it, whichever way it was reached
            if researcher["id"] not in profiles:
                profiles[researcher["id"]] = (await gql(api, PROFILE_TRUST, {"id": researcher["id"]}))["data"]["researcher"]
            want = profiles[researcher["id"]]
            if "components" not in researcher["trust"]:
                want = {**want, "trust": {k: v for k, v in want["trust"].items() if k != "components"}}
            assert researcher == want, (name, researcher, want)


async def test_affiliation_is_the_latest_institution_and_a_node(api: httpx.AsyncClient, seeded: Database) -> None:
    rid = f"t-{uuid.uuid4().hex[:8]}"
    await seeded.write("testing/researcher-with-works", id=rid, name="Affiliated", works=[])
    body = await gql(api, contract("ProfilePage"), {"id": rid})
    assert body["data"]["researcher"]["affiliation"] is None
    await seeded.write("testing/add-signals", id=rid, followers=[], institution=f"{rid}-inst",
                       claimant=None, orcid=None)
    body = await gql(api, contract("ProfilePage"), {"id": rid})
    assert body["data"]["researcher"]["affiliation"] == {
        "id": f"{rid}-inst", "name": f"Test Institute {rid}-inst", "country": None}
    node = await gql(api, "query($id: ID!) { node(id: $id) { __typename ... on Institution { name } } }",
                     {"id": f"{rid}-inst"})
    assert node["data"]["node"] == {"__typename": "Institution", "name": f"Test Institute {rid}-inst"}


async def test_a_researcher_reads_the_same_on_every_path(api: httpx.AsyncClient) -> None:
    """A close collaborator is the same object as `node(id:)` gives (normalised client caches key
    on the id): its aliases, ORCID and bio too, not only what the collaborator list projects."""
    fields = "id name aliases orcid bio"
    body = await gql(api, f"""{{ researcher(id: "bzr-leon-bungert") {{
        closeCollaborators(first: 100) {{ researcher {{ {fields} }} }} }} }}""")
    listed = [c["researcher"] for c in body["data"]["researcher"]["closeCollaborators"]]
    assert any(r["aliases"] for r in listed), "the seed's collaborators have aliases: the check needs one"
    aliases = " ".join(f'n{i}: node(id: "{r["id"]}") {{ ... on Researcher {{ {fields} }} }}' for i, r in enumerate(listed))
    nodes = (await gql(api, f"{{ {aliases} }}"))["data"]
    assert listed == [nodes[f"n{i}"] for i in range(len(listed))]


@pytest.mark.parametrize("field,count,weight", [("closeCollaborators", "closeCollaborators", "sharedWorks"),
                                                ("topics", "topics", "worksCount")])
async def test_close_collaborators_and_topics_page_to_their_count(api: httpx.AsyncClient, field: str, count: str,
                                                                   weight: str) -> None:
    """Every close collaborator and topic the counts announce can be listed, a page after another's
    last cursor, in the list's order (most shared works first, then name), each once, however many."""
    item = "researcher { id }" if field == "closeCollaborators" else "topic { id }"
    query = f"""query($id: ID!, $first: Int!, $after: String) {{ researcher(id: $id) {{
        counts {{ {count} }} {field}(first: $first, after: $after) {{ {weight} cursor {item} }} }} }}"""
    whole = (await gql(api, query, {"id": BUNGERT, "first": 100}))["data"]["researcher"]
    assert whole["counts"][count] == len(whole[field]) >= 3
    paged: list[dict] = []
    for _ in paging():
        body = await gql(api, query, {"id": BUNGERT, "first": 2, "after": paged[-1]["cursor"] if paged else None})
        assert "errors" not in body, body
        page = body["data"]["researcher"][field]
        if not page:
            break
        paged += page
    assert paged == whole[field]
    # a cursor of another researcher's list, or of another list, is refused with the list's own error
    works_cursor = (await gql(api, '{ researcher(id: "bzr-leon-bungert") { works(first: 1) { edges { cursor } } } }'))[
        "data"]["researcher"]["works"]["edges"][0]["cursor"]
    for cursor in (works_cursor, "bz1:nonsense"):
        refused = await gql(api, query, {"id": BUNGERT, "first": 2, "after": cursor})
        assert codes(refused) == ["BAD_USER_INPUT"] and refused["data"]["researcher"][field] is None
        assert refused["data"]["researcher"]["counts"][count] == whole["counts"][count]  # the rest is answered


async def test_a_refused_cursor_in_a_batch_fails_its_own_field_only(api: httpx.AsyncClient) -> None:
    """Researchers reached through node(id:) load together, batched: one's refused cursor fails that
    one list, and neither the other researchers in the batch nor its own other fields."""
    other = "bzr-martin-burger"
    query = """query($a: ID!, $b: ID!, $after: String) {
        a: node(id: $a) { ... on Researcher { counts { works } closeCollaborators(first: 1) { cursor } } }
        b: node(id: $b) { ... on Researcher { counts { works } closeCollaborators(first: 1, after: $after) { cursor } } } }"""
    first = await gql(api, query, {"a": BUNGERT, "b": other})
    assert "errors" not in first, first
    bungert_cursor = first["data"]["a"]["closeCollaborators"][0]["cursor"]
    for after in ("bz1:nonsense", bungert_cursor):  # malformed; Bungert's list, not Burger's
        body = await gql(api, query, {"a": BUNGERT, "b": other, "after": after})
        assert codes(body) == ["BAD_USER_INPUT"], after
        assert body["errors"][0]["path"] == ["b", "closeCollaborators"]
        assert body["data"]["a"] == first["data"]["a"]
        assert body["data"]["b"]["counts"] == first["data"]["b"]["counts"]
        assert body["data"]["b"]["closeCollaborators"] is None
    # each researcher's page after its own cursor, both in one request
    both = """query($a: ID!, $b: ID!, $ca: String, $cb: String) {
        a: node(id: $a) { ... on Researcher { closeCollaborators(first: 1, after: $ca) { cursor } } }
        b: node(id: $b) { ... on Researcher { closeCollaborators(first: 1, after: $cb) { cursor } } } }"""
    other_cursor = first["data"]["b"]["closeCollaborators"][0]["cursor"]
    body = await gql(api, both, {"a": BUNGERT, "b": other, "ca": bungert_cursor, "cb": other_cursor})
    assert "errors" not in body, body
    for alias, cursor in (("a", bungert_cursor), ("b", other_cursor)):
        assert body["data"][alias]["closeCollaborators"][0]["cursor"] != cursor
    # the same cursor for both: the researcher whose list it is pages on, the other is refused
    body = await gql(api, both, {"a": BUNGERT, "b": other, "ca": bungert_cursor, "cb": bungert_cursor})
    assert codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["path"] == ["b", "closeCollaborators"]
    assert body["data"]["a"]["closeCollaborators"][0]["cursor"] != bungert_cursor


async def test_an_openalex_id_may_come_as_its_openalex_address(api: httpx.AsyncClient, seeded) -> None:
    """OpenAlex's records and pages give ids as addresses (`https://openalex.org/A…`): pasted so,
    in lower case or with white space around, they found nothing, silently, where search found them."""
    rid = "A0099990000001"
    await seeded.write("testing/researcher-with-works", id=rid, name="Pasted Address", works=[])
    for given in (rid, f"https://openalex.org/{rid}", f"openalex.org/{rid}", f"HTTPS://OPENALEX.ORG/{rid}",
                  f"https://openalex.org/authors/{rid}", f"https://api.openalex.org/authors/{rid}",
                  rid.lower(), f" {rid}\n"):  # pasted: in lower case, with white space around it
        body = await gql(api, contract("ProfilePage"), {"id": given})
        assert body["data"]["researcher"]["id"] == rid and body["data"]["researcher"]["name"] == "Pasted Address", given
        explored = await gql(api, 'query($id: ID!) { explore(id: $id) { center { id } } }', {"id": given})
        assert explored["data"]["explore"]["center"]["id"] == rid
    body = await gql(api, contract("ProfilePage"), {"id": "https://openalex.org/not-an-id"})
    assert body["data"]["researcher"] is None and "errors" not in body
    from bzgraph.api.inputs import check_id

    assert check_id("c2778407487") == check_id("https://openalex.org/concepts/C2778407487") == "C2778407487"  # a 2022 topic
    blank = await gql(api, contract("ProfilePage"), {"id": "   "})
    assert blank["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # as the empty id is, not "not found"


async def test_node_and_nodes_find_an_imported_work_by_its_openalex_address(api: httpx.AsyncClient, seeded: Database,
                                                                             tmp_path) -> None:
    """A work imported from OpenAlex is found by `node` and `nodes` from its id in every form OpenAlex
    gives it: bare, as the record's address, the API's, in lower case, with white space around."""
    from bzgraph.ingest.load import import_paths

    wid = "W0085000000001"
    path = tmp_path / "work.jsonl"
    path.write_text(json.dumps({"id": f"https://openalex.org/{wid}", "title": "Found by address", "publication_year": 2022,
                                "authorships": []}) + "\n")
    await import_paths(seeded, [path])
    given = [wid, f"https://openalex.org/{wid}", f"https://api.openalex.org/works/{wid}", wid.lower(),
             f"https://openalex.org/{wid.lower()}", f"http://openalex.org/works/{wid}", f" https://openalex.org/{wid}\n"]
    query = """query($id: ID!, $ids: [ID!]!) { node(id: $id) { __typename id ... on Work { title } }
        nodes(ids: $ids) { id } }"""
    for one in given:
        body = await gql(api, query, {"id": one, "ids": given})
        assert "errors" not in body, body
        assert body["data"]["node"] == {"__typename": "Work", "id": wid, "title": "Found by address"}, one
        assert body["data"]["nodes"] == [{"id": wid}] * len(given)


async def test_a_page_of_works_costs_little_query_memory_whatever_the_other_lists(seeded: Database) -> None:
    """The works page's ORDER BY … LIMIT keeps its rows; placed after the collaborators' and topics'
    subqueries, each kept row carried their lists: 29 MB of query memory for a page of 100 of a
    150-work researcher with 300 co-authors (88 MB on the OpenAlex sample's hub), so a database with a
    transaction memory cap (Aura's) refused the contract's ProfilePage. Measured with PROFILE."""
    import random

    import neo4j

    from bzgraph import queries
    from bzgraph.api.profile import ProfileArgs, profile_params

    tag = uuid.uuid4().hex[:8]
    rid, pool = f"t-{tag}-hub", [f"t-{tag}-c{i}" for i in range(300)]
    works = [{"id": f"t-{tag}-w{i}", "title": f"Work {i}", "abstract": "word " * 200, "year": 2000 + i % 20, "date": None,
              "type": "article", "language": "en", "doi": None, "arxivId": None, "citedByCount": i, "source": None,
              "authors": [{"researcher": x, "position": n} for n, x in enumerate([rid, *random.Random(i).sample(pool, 3)], 1)],
              "topics": []} for i in range(150)]
    await seeded.write("seed/load", sources=[], topics=[], institutions=[], works=works, affiliations=[], researchers=[
        {"id": x, "name": f"Name {x}", "aliases": [], "orcid": None, "openToCollaborate": False, "bio": None}
        for x in [rid, *pool]])
    params = profile_params([rid], None, ProfileArgs(works_first=100, collaborators_first=10, topics_first=20))
    result = await seeded.driver.execute_query("PROFILE " + queries.get("profile/researchers").text, params,
                                               routing_=neo4j.RoutingControl.READ)
    assert len(result.records[0]["works"]) == 100
    assert result.summary.profile["args"]["GlobalMemory"] < 5_000_000, result.summary.profile["args"]["GlobalMemory"]

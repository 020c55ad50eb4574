"""The analyst query library: every query of cypher/analytics/ on the seed graph and on a small
generated graph, against answers computed in Python (tests/analyst_expected.py); and Query.cypher."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import uuid

import analyst_expected as expected
import pytest
from support import codes, gql

from bzgraph import analytics, queries
from bzgraph.db import Database
from bzgraph.errors import BadUserInput, Forbidden
from bzgraph.seed import read_seed

SEED = read_seed()
LEON = "bzr-leon-bungert"
SEED_TOPICS = [t["id"] for t in SEED["topics"]]
ANALYST_QUERIES = {"top-collaborators", "topic-trends", "institution-network", "citation-neighbourhood",
                   "topic-bridges", "most-cited-works", "coauthor-communities"}


def small_graph(seed: int) -> dict:
    """Researchers at institutions, works on topics, citations; ids unique to this run."""
    rng = random.Random(seed)
    p = f"an{uuid.uuid4().hex[:6]}"
    researchers = [{"id": f"{p}-r{i:02}", "name": f"Analyst {i:02}", "aliases": [], "orcid": None,
                    "openToCollaborate": False, "bio": None} for i in range(14)]
    topics = [{"id": f"{p}-t{i}", "name": f"Theme {p} {i}", "subfield": None, "field": None, "domain": None}
              for i in range(4)]
    institutions = [{"id": f"{p}-i{i}", "name": f"Institute {i}", "ror": None, "country": "DE", "type": None}
                    for i in range(4)]
    works = [{"id": f"{p}-w{i:02}", "title": f"Paper {i:02}", "abstract": None, "year": 2015 + i % 6, "date": None,
              "type": "article", "language": "en", "doi": None, "arxivId": None,
              "citedByCount": rng.choice([0, 3, 3, 10, 40]), "source": None,
              "authors": [{"researcher": r["id"], "position": k + 1}
                          for k, r in enumerate(rng.sample(researchers[:10] if i % 4 else researchers[8:],
                                                           rng.randint(1, 3)))],
              "topics": [{"topic": t["id"], "score": round(rng.uniform(0.1, 1), 2)}
                         for t in rng.sample(topics, rng.randint(1, 2))]} for i in range(24)]
    affiliations = [{"researcher": r["id"], "institution": i["id"], "years": [2020]}
                    for r in researchers for i in rng.sample(institutions, rng.randint(0, 2))]
    for work in works:  # on each work, an author lists some of their institutions (as OpenAlex does)
        for author in work["authors"]:
            theirs = sorted(af["institution"] for af in affiliations if af["researcher"] == author["researcher"])
            author["institutions"] = rng.sample(theirs, rng.randint(0, len(theirs)))
    cites = [{"source": a["id"], "target": b["id"]} for a, b in (rng.sample(works, 2) for _ in range(30))]
    return {"researchers": researchers, "topics": topics, "institutions": institutions, "works": works,
            "affiliations": affiliations, "cites": cites}


@pytest.fixture(scope="module")
async def generated(seeded: Database) -> dict:
    g = small_graph(seed=11)
    await seeded.write("seed/load", sources=[], **{k: g[k] for k in
                                                   ("topics", "institutions", "researchers", "works", "affiliations")})
    await seeded.write("testing/cites", cites=g["cites"])
    return g


async def run(db: Database, name: str, **params: object) -> list[dict]:
    return await db.read(f"analytics/{name}", **analytics.prepare(f"analytics/{name}", params))


def test_the_library_has_the_seven_queries_with_headers() -> None:
    names = {name.removeprefix("analytics/") for name in analytics.catalogue()}
    assert ANALYST_QUERIES <= names
    for name, query in analytics.catalogue().items():
        header = [line for line in query.text.splitlines() if line.startswith("//")]
        assert query.purpose and any("Example: bzgraph cypher " + name in line for line in header), name
        assert analytics.parameters(query), f"{name} declares no parameters"


def test_cli_fills_optional_parameters_and_refuses_missing_ones(seeded: Database) -> None:
    def cli(*params: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bzgraph.cli", "cypher", "analytics/top-collaborators",
                               "--json", *params], capture_output=True, text=True, env=os.environ.copy(),
                              timeout=120)

    done = cli(f"--param=id={LEON}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected.top_collaborators(SEED, LEON)
    missing = cli("--param=limit=3")
    assert missing.returncode == 1 and "BAD_USER_INPUT" in missing.stderr and "id" in missing.stderr
    twice = cli(f"--param=id={LEON}", "--param=limit=3", "--param=limit=5")  # which one was meant?
    assert twice.returncode == 1 and "BAD_USER_INPUT" in twice.stderr and "--param limit is given more than once" \
        in twice.stderr, twice.stderr


# -- the seed graph ---------------------------------------------------------------------------


async def test_top_collaborators_on_the_seed(seeded: Database) -> None:
    rows = await run(seeded, "top-collaborators", id=LEON, limit=50)
    assert rows == expected.top_collaborators(SEED, LEON, 50)
    assert len(rows) == 20 and rows[0]["sharedWorks"] == 3
    assert await run(seeded, "top-collaborators", id=LEON) == expected.top_collaborators(SEED, LEON)[:10]


async def test_topic_trends_on_the_seed(seeded: Database) -> None:
    rows = await run(seeded, "topic-trends", topics=SEED_TOPICS)
    assert rows == expected.topic_trends(SEED, SEED_TOPICS)
    assert sum(r["works"] for r in rows) == sum(len(w["topics"]) for w in SEED["works"])
    bounded = await run(seeded, "topic-trends", topics=SEED_TOPICS, fromYear=2021, toYear=2021)
    assert bounded == [r for r in rows if r["year"] == 2021] and bounded
    assert await run(seeded, "topic-trends", topics=[*SEED_TOPICS, None]) == rows  # a null in the list matches none


async def test_topic_bridges_on_the_seed(seeded: Database) -> None:
    a, b = "bzt-nonlinear-eigenvalue-problems", "bzt-gradient-flows"
    rows = await run(seeded, "topic-bridges", a=a, b=b)
    assert rows == expected.topic_bridges(SEED, a, b)
    assert rows[0]["id"] == LEON and {r["id"] for r in rows} >= {"bzr-martin-burger"}


async def test_most_cited_works_on_the_seed(seeded: Database) -> None:
    for topic in SEED_TOPICS:
        assert await run(seeded, "most-cited-works", topic=topic) == expected.most_cited_works(SEED, topic)
    assert len(await run(seeded, "most-cited-works", topic="bzt-adversarial-robustness")) == 2


async def test_coauthor_communities_on_the_seed(seeded: Database) -> None:
    rows = await run(seeded, "coauthor-communities", id=LEON)
    assert rows == expected.coauthor_communities(SEED, LEON)
    assert sum(r["size"] for r in rows) == 20


async def test_citation_and_institution_queries_on_the_seed_find_nothing(seeded: Database) -> None:
    """The seed has no citations and no institutions: both queries answer with no rows."""
    assert not SEED["institutions"] and not SEED.get("cites")
    for work in SEED["works"]:
        assert await run(seeded, "citation-neighbourhood", id=work["id"], hops=2) == []
    assert await run(seeded, "institution-network", id="bzi-none") == []


# -- a generated graph with institutions and citations ---------------------------------------


async def test_every_query_on_a_generated_graph(seeded: Database, generated: dict) -> None:
    g = generated
    topics = [t["id"] for t in g["topics"]]
    for r in g["researchers"]:
        assert await run(seeded, "top-collaborators", id=r["id"], limit=100) == \
            expected.top_collaborators(g, r["id"], 100)
        assert await run(seeded, "coauthor-communities", id=r["id"]) == expected.coauthor_communities(g, r["id"])
    assert await run(seeded, "topic-trends", topics=topics) == expected.topic_trends(g, topics)
    for a in topics:
        assert await run(seeded, "most-cited-works", topic=a, limit=100) == expected.most_cited_works(g, a, 100)
        for b in topics:
            if a != b:
                assert await run(seeded, "topic-bridges", a=a, b=b, limit=100) == \
                    expected.topic_bridges(g, a, b, 100)
    networks = 0
    for i in g["institutions"]:
        rows = await run(seeded, "institution-network", id=i["id"], limit=100)
        assert rows == expected.institution_network(g, i["id"], 100)
        networks += len(rows)
    assert networks, "the generated graph should have collaborating institutions"
    neighbours = 0
    for w in g["works"]:
        for hops in (1, 2):
            rows = await run(seeded, "citation-neighbourhood", id=w["id"], hops=hops)
            assert rows == expected.citation_neighbourhood(g, w["id"], hops), (w["id"], hops)
            neighbours += len(rows)
        assert await run(seeded, "citation-neighbourhood", id=w["id"]) == \
            expected.citation_neighbourhood(g, w["id"], 1), w["id"]  # one step unless asked
    assert neighbours


async def test_communities_match_a_union_find_on_sparse_and_chained_graphs(seeded: Database) -> None:
    """Communities are found by smallest-number propagation; check it on graphs with many small
    groups and with long chains of co-authorship (the slowest case for propagation), against a
    union-find over the same works; and with communities of one size, which come by the works they
    share with the researcher (the one with the smaller member id shares fewer)."""
    rng = random.Random(7)
    for shape in ("sparse", "chain", "ties"):
        g = small_graph(seed=rng.randint(0, 10**6))
        center, others = g["researchers"][0]["id"], [r["id"] for r in g["researchers"][1:]]
        extra: list[list[str]] = []
        if shape == "chain":  # r1-r2, r2-r3, ... each pair on one work, every one with the center on another
            pairs = list(zip(others, others[1:]))
        elif shape == "ties":  # two pairs; the second shares one work more with the center
            pairs, extra = [(others[0], others[1]), (others[2], others[3])], [[center, others[3]]]
        else:
            pairs = [tuple(rng.sample(others, 2)) for _ in range(4)]
        template = g["works"][0]
        g["works"] = [{**template, "id": f"{center}-x{k}", "authors": [{"researcher": a, "position": j + 1}
                                                                          for j, a in enumerate(authors)]}
                      for k, authors in enumerate([*(list(p) for p in pairs), *([center, o] for o in others), *extra])]
        g["affiliations"] = []
        await seeded.write("seed/load", sources=[], **{k: g[k] for k in
                                                       ("topics", "institutions", "researchers", "works", "affiliations")})
        found = await run(seeded, "coauthor-communities", id=center, limit=100)
        assert found == expected.coauthor_communities(g, center), shape
        if shape == "ties":
            assert [(c["size"], c["worksWithCenter"], c["members"][0]["id"]) for c in found[:2]] == [
                (2, 3, others[2]), (2, 2, others[0])]


async def test_a_work_in_a_citation_cycle_is_not_its_own_neighbour(seeded: Database) -> None:
    """Two works citing each other: two steps out along CITES come back to the start, which is no
    neighbour of itself, in either direction."""
    g = small_graph(seed=5)
    a, b, c = (w["id"] for w in g["works"][:3])
    g["cites"] = [{"source": a, "target": b}, {"source": b, "target": a}, {"source": b, "target": c}]
    await seeded.write("seed/load", sources=[], **{k: g[k] for k in
                                                   ("topics", "institutions", "researchers", "works", "affiliations")})
    await seeded.write("testing/cites", cites=g["cites"])
    rows = await run(seeded, "citation-neighbourhood", id=a, hops=2)
    assert rows == expected.citation_neighbourhood(g, a, 2)
    assert [(r["id"], r["direction"]) for r in rows] == [(b, "REFERENCE"), (c, "REFERENCE"), (b, "CITING")]


async def test_topic_trends_leave_out_works_without_a_year(seeded: Database) -> None:
    g = small_graph(seed=6)
    for work in g["works"][::3]:
        work["year"] = None
    await seeded.write("seed/load", sources=[], **{k: g[k] for k in
                                                   ("topics", "institutions", "researchers", "works", "affiliations")})
    topics = [t["id"] for t in g["topics"]]
    rows = await run(seeded, "topic-trends", topics=topics)
    assert rows == expected.topic_trends(g, topics) and all(r["year"] is not None for r in rows)
    assert sum(r["works"] for r in rows) == sum(len(w["topics"]) for w in g["works"] if w["year"] is not None)


async def test_communities_twenty_unless_asked_and_members_by_name(seeded: Database) -> None:
    """Without a limit, the twenty largest communities come (here all twelve: eleven co-authors
    alone and one pair); a community's members come by name, whatever the order of their ids."""
    g = small_graph(seed=8)
    for i, researcher in enumerate(g["researchers"]):
        researcher["name"] = f"Analyst {99 - i:02}"  # names in the order opposite to the ids
    center, others = g["researchers"][0]["id"], [r["id"] for r in g["researchers"][1:]]
    groups = [*([center, o] for o in others[:11]), [center, others[11], others[12]]]
    template = g["works"][0]
    g["works"] = [{**template, "id": f"{center}-y{k}", "authors": [{"researcher": a, "position": j + 1}
                                                                    for j, a in enumerate(authors)]}
                  for k, authors in enumerate(groups)]
    g["affiliations"] = []
    await seeded.write("seed/load", sources=[], **{k: g[k] for k in
                                                   ("topics", "institutions", "researchers", "works", "affiliations")})
    found = await run(seeded, "coauthor-communities", id=center)
    assert found == expected.coauthor_communities(g, center) and len(found) == 12
    assert [m["id"] for m in found[0]["members"]] == [others[12], others[11]]


# -- through the API --------------------------------------------------------------------------


CYPHER = """query($name: String!, $params: JSON) {
  cypher(name: $name, params: $params) { name columns rows truncated }
}"""


async def test_cypher_field_runs_an_analyst_query_in_one_round_trip(api) -> None:
    body = await gql(api, CYPHER, {"name": "analytics/top-collaborators", "params": {"id": LEON, "limit": 5}})
    assert "errors" not in body, body
    result = body["data"]["cypher"]
    assert result["columns"] == ["id", "name", "sharedWorks", "firstYear", "lastYear"]
    assert result["rows"] == expected.top_collaborators(SEED, LEON, 5) and not result["truncated"]
    assert body["extensions"]["cypherRoundTrips"] == 1


async def test_cypher_field_reads_at_most_one_row_past_its_cap(api, seeded: Database, monkeypatch) -> None:
    from bzgraph.api import analytics as api_analytics

    everything = await seeded.read("analytics/topic-trends", fromYear=None, toYear=None, topics=None)
    assert len(everything) > 3
    assert len(await seeded.read("analytics/topic-trends", max_rows=2, fromYear=None, toYear=None,
                                 topics=None)) == 2
    monkeypatch.setattr(api_analytics, "MAX_ROWS", 3)
    body = await gql(api, CYPHER, {"name": "analytics/topic-trends", "params": {}})
    result = body["data"]["cypher"]
    assert result["rows"] == [analytics.jsonable(r) for r in everything[:3]] and result["truncated"] is True


async def test_cypher_field_lists_the_library(api) -> None:
    body = await gql(api, "{ analystQueries { name purpose parameters } }")
    listed = {q["name"]: q for q in body["data"]["analystQueries"]}
    assert set(listed) == set(analytics.catalogue())
    assert listed["analytics/topic-bridges"]["parameters"] == ["a", "b", "limit?"]


@pytest.mark.parametrize("name, params, code", [
    ("testing/wipe", None, "FORBIDDEN"),
    ("seed/load", {}, "FORBIDDEN"),
    ("analytics/../testing/wipe", None, "NOT_FOUND"),
    ("analytics/no-such-query", None, "NOT_FOUND"),
    ("analytics/top-collaborators", None, "BAD_USER_INPUT"),
    ("analytics/top-collaborators", {"id": LEON, "depth": 3}, "BAD_USER_INPUT"),
    ("analytics/top-collaborators", {"id": LEON, "limit": "many"}, "BAD_USER_INPUT"),
    ("analytics/top-collaborators", [LEON], "BAD_USER_INPUT"),
    ("analytics/top-collaborators", {"id": 5}, "BAD_USER_INPUT"),  # types as the header declares them
    ("analytics/top-collaborators", {"id": [LEON]}, "BAD_USER_INPUT"),
    ("analytics/top-collaborators", {"id": None}, "BAD_USER_INPUT"),  # a needed parameter given as null
    ("analytics/top-collaborators", {"id": LEON, "limit": True}, "BAD_USER_INPUT"),
    ("analytics/topic-trends", {"fromYear": "2022"}, "BAD_USER_INPUT"),
    ("analytics/topic-trends", {"topics": [1, 2]}, "BAD_USER_INPUT"),
    ("analytics/top-collaborators", {"id": LEON, "limit": 2**63}, "BAD_USER_INPUT"),  # beyond Cypher's INTEGER
    ("analytics/top-collaborators", {"id": LEON, "limit": -(2**63) - 1}, "BAD_USER_INPUT"),
    ("analytics/citation-neighbourhood", {"id": "W1", "hops": 3}, "BAD_USER_INPUT"),  # outside 1..2
    ("analytics/citation-neighbourhood", {"id": "W1", "hops": 0}, "BAD_USER_INPUT"),
    ("analytics/top-collaborators", {"id": LEON, "limit": -1}, "BAD_USER_INPUT"),
])
async def test_cypher_field_refuses(api, seeded: Database, name: str, params: object, code: str) -> None:
    body = await gql(api, CYPHER, {"name": name, "params": params})
    assert codes(body) == [code], body
    assert body["extensions"]["cypherRoundTrips"] == 0, body  # refused by its name and header, before it runs
    assert "MATCH" not in json.dumps(body)
    assert (await seeded.read("testing/works-with-venue")), "nothing was wiped"


@pytest.mark.parametrize("clause", ["CREATE (:Marker:Entity {id: $id})",
                                    "TERMINATE TRANSACTIONS 'neo4j-transaction-0' YIELD message"])
async def test_a_writing_query_in_the_library_is_refused_before_it_runs(
        api, seeded: Database, tmp_path, monkeypatch, clause: str) -> None:
    """Defence in depth: a query placed under analytics/ that writes, or ends others' transactions
    (which a read transaction would run), is refused by name, FORBIDDEN, and nothing runs. The
    library is a temporary copy, so an interrupted run leaves nothing in the project's."""
    library = tmp_path / "cypher"
    shutil.copytree(queries.CYPHER_DIR, library)
    (library / "analytics" / "zz-test-write.cypher").write_text(
        "// A test-only query that writes.\n// Parameters: $id STRING\n"
        f"// Example: bzgraph cypher analytics/zz-test-write --param id=x\n{clause}\nRETURN 1 AS one\n")
    marker = f"marker-{uuid.uuid4().hex[:6]}"

    async def entities() -> int:
        return next(r["count"] for r in await seeded.read("graph-counts") if r["name"] == "Entity")

    before = await entities()
    with monkeypatch.context() as patch:
        patch.setattr(queries, "CYPHER_DIR", library)
        queries.all_queries.cache_clear()
        try:
            assert "analytics/zz-test-write" in analytics.catalogue()
            body = await gql(api, CYPHER, {"name": "analytics/zz-test-write", "params": {"id": marker}})
            with pytest.raises(Forbidden, match="analyst queries run read-only"):
                analytics.prepare("analytics/zz-test-write", {"id": marker})  # the client's direct runs' check too
        finally:
            queries.all_queries.cache_clear()  # the library is the project's again once the patch ends
    queries.all_queries.cache_clear()
    assert "analytics/zz-test-write" not in analytics.catalogue()
    assert codes(body) == ["FORBIDDEN"], body
    assert body["errors"][0]["extensions"].get("argument") == "name"
    assert await entities() == before, "the write went through"


def test_a_header_declares_the_range_of_an_integer_parameter() -> None:
    declared = {p.name: p for p in analytics.parameters(queries.get("analytics/citation-neighbourhood"))}
    assert (declared["hops"].low, declared["hops"].high, declared["hops"].optional) == (1, 2, True)
    assert (declared["limit"].low, declared["limit"].high) == (0, None)
    assert (declared["id"].low, declared["id"].high) == (None, None)
    with pytest.raises(BadUserInput, match="the parameter hops must be from 1 to 2"):
        analytics.prepare("analytics/citation-neighbourhood", {"id": "W1", "hops": 3})
    with pytest.raises(BadUserInput, match="the parameter limit must be at least 0"):
        analytics.prepare("analytics/top-collaborators", {"id": LEON, "limit": -1})
    assert analytics.prepare("analytics/citation-neighbourhood", {"id": "W1", "hops": 2})["hops"] == 2


async def test_dates_are_sent_as_dates_and_unknown_types_refused(api, seeded: Database, tmp_path, monkeypatch) -> None:
    """JSON has no dates: a DATE or DATETIME parameter comes as ISO text and is sent as Neo4j's
    temporal value (as text it compared with no stored date, and the query answered nothing, silently);
    a header's type the check does not know is refused rather than passed on unchecked; a header
    sentence may end its last parameter with a period."""
    import datetime as dt

    library = tmp_path / "cypher"
    shutil.copytree(queries.CYPHER_DIR, library)
    (library / "analytics" / "zz-since.cypher").write_text(
        "// A test-only query: works dated on or after a day.\n// Parameters: $since DATE, $at DATETIME?.\n"
        "// Example: bzgraph cypher analytics/zz-since --param since=2020-01-01\n"
        "MATCH (w:Work) WHERE w.date >= $since RETURN count(w) AS works, toString($at) AS at\n")
    (library / "analytics" / "zz-map.cypher").write_text(
        "// A test-only query with a type the check does not know.\n// Parameters: $m MAP\n"
        "// Example: bzgraph cypher analytics/zz-map\nRETURN $m AS m\n")
    with monkeypatch.context() as patch:
        patch.setattr(queries, "CYPHER_DIR", library)
        queries.all_queries.cache_clear()
        try:
            declared = {p.name: p.type for p in analytics.parameters(queries.get("analytics/zz-since"))}
            assert declared == {"since": "DATE", "at": "DATETIME"}
            expected = (await seeded.read("analytics/zz-since", since=dt.date(2021, 1, 1), at=None))[0]["works"]
            assert expected > 0
            body = await gql(api, CYPHER, {"name": "analytics/zz-since",
                                           "params": {"since": "2021-01-01", "at": "2024-01-31T09:30:00Z"}})
            assert body["data"]["cypher"]["rows"] == [{"works": expected, "at": "2024-01-31T09:30:00Z"}]
            for params in ({"since": "01/01/2021"}, {"since": "2021-01-01", "at": "2024-01-31T09:30:00"},
                           {"since": 20210101}):
                body = await gql(api, CYPHER, {"name": "analytics/zz-since", "params": params})
                assert codes(body) == ["BAD_USER_INPUT"], (params, body)
            assert "ISO date" in (await gql(api, CYPHER, {"name": "analytics/zz-since", "params": {"since": "x"}})
                                  )["errors"][0]["message"]
            body = await gql(api, CYPHER, {"name": "analytics/zz-map", "params": {"m": {"a": 1}}})
            assert codes(body) == ["BAD_USER_INPUT"] and "a type the library does not check" in body["errors"][0]["message"]
        finally:
            queries.all_queries.cache_clear()
    queries.all_queries.cache_clear()


def test_every_header_of_the_library_declares_known_types() -> None:
    for name, query in analytics.catalogue().items():
        for parameter in analytics.parameters(query):
            inner = parameter.type.removeprefix("LIST<").removesuffix(">")
            assert inner in analytics.TYPES, (name, parameter)

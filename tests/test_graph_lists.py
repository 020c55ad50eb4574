"""The lists that lead on from a work, a topic and an institution: a work's references and the works
citing it, a topic's works and an institution's researchers, imported from OpenAlex records made for
these tests and read over GraphQL."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest

from bzgraph.db import Database
from bzgraph.ingest.load import import_paths
from tests.support import check_page, codes, gql, paging

OA = "https://openalex.org/"
TOPIC, OTHER_TOPIC = "T0087000000001", "T0087000000002"
INSTITUTE = "I0087000000001"
MISSING = "W0087000000099"  # cited, never imported


def wid(n: int) -> str:
    return f"W00870000000{n:02d}"


def aid(n: int) -> str:
    return f"A00870000000{n:02d}"


# (title, year, cited works, topics, authors as (author number, name, institutions))
WORKS: dict[int, tuple[str | None, int | None, list[str], list[str], list[tuple[int, str, list[str]]]]] = {
    1: ("Lists of works", 2023, [wid(n) for n in range(2, 9)] + [MISSING], [TOPIC], [(1, "Zed Zimmer", [INSTITUTE])]),
    2: ("alpha", 2021, [], [TOPIC], [(2, "Amy Adams", [INSTITUTE])]),
    3: ("Alpha", 2021, [wid(2)], [TOPIC, OTHER_TOPIC], [(4, "Amy Adams", [INSTITUTE])]),
    4: ("beta", 2021, [], [TOPIC], [(1, "Zed Zimmer", [INSTITUTE]), (2, "Amy Adams", []), (3, "bob Brown", [INSTITUTE])]),
    5: (None, 2019, [], [TOPIC], [(3, "bob Brown", [INSTITUTE])]),
    6: ("Undated", None, [], [TOPIC], []),
    7: ("gamma", 2020, [], [TOPIC], [(1, "Zed Zimmer", [INSTITUTE])]),
    8: ("delta", 2022, [], [TOPIC], [(2, "Amy Adams", ["I0087000000002"])]),
    9: ("Citing two", 2024, [wid(2), wid(5)], [OTHER_TOPIC], []),
    10: ("Late but old", 1990, [wid(2)], [TOPIC], []),  # imported between two pages of a test
}
IMPORTED = set(range(1, 10))  # the works in the graph (work 10 joins during the paging test)


def record(n: int) -> dict[str, Any]:
    title, year, cites, topics, authors = WORKS[n]
    return {
        "id": OA + wid(n), "title": title, "publication_year": year,
        "referenced_works": [OA + c for c in cites],
        "topics": [{"id": OA + t, "display_name": f"Topic {t}", "score": 0.9} for t in topics],
        "authorships": [{"author": {"id": OA + aid(a), "display_name": name},
                         "institutions": [{"id": OA + i, "display_name": f"Institute {i}"} for i in institutions]}
                        for a, name, institutions in authors],
    }


def newest_first(ids: list[str]) -> list[str]:
    """The works order, computed from the records: year (unknown last), title ignoring case, id."""
    def key(work_id: str) -> tuple:
        title, year, *_ = WORKS[int(work_id[-2:])]
        return (-(year if year is not None else -1), (title or "").lower(), work_id)
    return sorted(ids, key=key)


def expected_lists() -> dict[str, dict[str, list[str]]]:
    """Per work and topic, computed from the imported records: references, citedBy, works."""
    present = {wid(n) for n in IMPORTED}
    lists: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for n in sorted(IMPORTED):
        _, _, cites, topics, _ = WORKS[n]
        for cited in cites:
            if cited in present:
                lists[wid(n)]["references"].append(cited)
                lists[cited]["citedBy"].append(wid(n))
        for topic in topics:
            lists[topic]["works"].append(wid(n))
    return {node: {name: newest_first(ids) for name, ids in named.items()} for node, named in lists.items()}


@pytest.fixture(scope="module")
async def graph(seeded: Database, settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lists") / "works.jsonl"
    path.write_text("".join(json.dumps(record(n)) + "\n" for n in sorted(IMPORTED)))
    await _import(path)
    return path


async def _import(path: Path) -> None:
    from bzgraph.settings import get_settings

    db = Database(get_settings().model_copy(update={"neo4j_timeout": 120.0}))
    try:
        await import_paths(db, [path])
    finally:
        await db.close()


WORK_LISTS = """query($id: ID!, $first: Int!) { node(id: $id) { ... on Work {
  references(first: $first) { totalCount edges { node { id } } }
  citedBy(first: $first) { totalCount edges { node { id } } } } } }"""

TOPIC_WORKS = """query($id: ID!, $first: Int!, $after: String) { node(id: $id) { ... on Topic {
  works(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title year } } } } } }"""


async def test_references_and_citing_works_match_the_records_newest_first(graph: Path, api: httpx.AsyncClient) -> None:
    expected = expected_lists()
    for n in sorted(IMPORTED):
        body = await gql(api, WORK_LISTS, {"id": wid(n), "first": 100})
        assert "errors" not in body, body
        work = body["data"]["node"]
        for name in ("references", "citedBy"):
            want = expected.get(wid(n), {}).get(name, [])
            assert [e["node"]["id"] for e in work[name]["edges"]] == want, (wid(n), name)
            assert work[name]["totalCount"] == len(want)
    # the work cited but never imported is not a work of the graph: it is not listed
    assert expected[wid(1)]["references"] == [wid(n) for n in (8, 2, 3, 4, 7, 5, 6)]


async def test_topic_works_page_without_gaps_or_repeats_even_when_older_works_arrive(
        graph: Path, api: httpx.AsyncClient) -> None:
    expected = expected_lists()[TOPIC]["works"]
    seen, after, pages = [], None, []
    for _ in paging():
        body = await gql(api, TOPIC_WORKS, {"id": TOPIC, "first": 3, "after": after})
        assert "errors" not in body, body
        works = body["data"]["node"]["works"]
        pages.append(works["pageInfo"])
        seen += [e["node"]["id"] for e in works["edges"]]
        assert works["totalCount"] == len(expected) + (1 if len(pages) > 1 else 0)
        if not works["pageInfo"]["hasNextPage"]:
            break
        after = works["pageInfo"]["endCursor"]
        assert after == works["edges"][-1]["cursor"]
        if len(pages) == 1:  # an older work about the topic arrives between the first and second page
            late = graph.with_name("late.jsonl")
            late.write_text(json.dumps(record(10)) + "\n")
            await _import(late)
            IMPORTED.add(10)
    # every work once, in order, the late one in its place (before the undated work)
    assert seen == expected_lists()[TOPIC]["works"] == newest_first(expected + [wid(10)])
    assert seen.index(wid(10)) == len(seen) - 2
    assert [p["hasPreviousPage"] for p in pages] == [False] + [True] * (len(pages) - 1)


async def _every_edge(api: httpx.AsyncClient, query: str, node_id: str, total: int) -> list[dict]:
    """The edges of a node's `researchers` list, page by page (each page checked as Relay has it)."""
    seen: list[dict] = []
    after = None
    for _ in paging():
        body = await gql(api, query, {"id": node_id, "after": after})
        assert "errors" not in body, body
        page = body["data"]["node"]["researchers"]
        assert page["totalCount"] == total
        check_page(page, after)
        seen += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("unreachable: paging() fails first")


async def test_institution_researchers_most_recently_seen_first_then_by_name(graph: Path, api: httpx.AsyncClient) -> None:
    # Computed from the records: per author, the years of their works that list the institute.
    years: dict[str, set[int]] = defaultdict(set)
    names: dict[str, str] = {}
    for n in sorted(IMPORTED):
        _, year, _, _, authors = WORKS[n]
        for a, name, institutions in authors:
            if INSTITUTE in institutions:
                years[aid(a)].add(year)
                names[aid(a)] = name
    want = sorted(years, key=lambda a: (-max(years[a]), names[a].lower(), a))
    assert want == [aid(1), aid(2), aid(4), aid(3)]  # 2023; then in 2021: Amy, Amy (by id), bob
    query = """query($id: ID!, $after: String) { node(id: $id) { ... on Institution {
      researchers(first: 1, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor years node { id name counts { works } } } } } } }"""
    edges = await _every_edge(api, query, INSTITUTE, len(want))
    assert [(e["node"]["id"], e["years"]) for e in edges] == [(a, sorted(years[a])) for a in want]


@pytest.mark.parametrize("topic", [TOPIC, OTHER_TOPIC])
async def test_topic_researchers_most_works_on_it_first_then_by_name(graph: Path, api: httpx.AsyncClient,
                                                                      topic: str) -> None:
    # Computed from the records: per author, their works with the topic.
    works: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for n in sorted(IMPORTED):
        _, _, _, topics, authors = WORKS[n]
        for a, name, _ in authors:
            if topic in topics:
                works[aid(a)] += 1
                names[aid(a)] = name
    want = sorted(works, key=lambda a: (-works[a], names[a].lower(), a))
    assert want == ([aid(2), aid(1), aid(3), aid(4)] if topic == TOPIC else [aid(4)])
    query = """query($id: ID!, $after: String) { node(id: $id) { ... on Topic {
      researchers(first: 1, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor worksCount node { id name } } } } } }"""
    edges = await _every_edge(api, query, topic, len(want))
    assert [(e["node"]["id"], e["worksCount"]) for e in edges] == [(a, works[a]) for a in want]
    # a cursor of the other topic's list, or of an institution's, belongs to another list
    other = OTHER_TOPIC if topic == TOPIC else TOPIC
    cursor = (await gql(api, query, {"id": other, "after": None}))["data"]["node"]["researchers"]["edges"][0]["cursor"]
    body = await gql(api, query, {"id": topic, "after": cursor})
    assert codes(body) == ["BAD_USER_INPUT"] and body["data"]["node"]["researchers"] is None


async def test_topic_researchers_of_works_naming_authors_only_by_raw_names_are_none(
        seeded: Database, api: httpx.AsyncClient, tmp_path: Path) -> None:
    """A topic whose works list their authors only as raw names (no OpenAlex author, so no researcher),
    or list none: its researchers are an empty list, totalCount 0, without an error."""
    topic = "T0087000000003"
    records = [{"id": OA + wid(41), "title": "Raw names only", "publication_year": 2020,
                "topics": [{"id": OA + topic, "display_name": "Raw topic", "score": 0.8}],
                "authorships": [{"author": {"display_name": "No Id"}, "raw_author_name": "N. Id"},
                                {"author": {}, "raw_author_name": "R. Aw"}]},
               {"id": OA + wid(42), "title": "No authors", "publication_year": 2021,
                "topics": [{"id": OA + topic, "display_name": "Raw topic", "score": 0.8}], "authorships": []}]
    path = tmp_path / "raw-names.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    await _import(path)
    query = """query($id: ID!) { node(id: $id) { ... on Topic { works(first: 5) { totalCount edges { node {
      rawAuthorNames authors { researcher { id } } } } }
      researchers(first: 5) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { node { id } } } } } }"""
    body = await gql(api, query, {"id": topic})
    assert "errors" not in body, body
    found = body["data"]["node"]
    assert found["works"]["totalCount"] == 2
    assert sorted(e["node"]["rawAuthorNames"] for e in found["works"]["edges"]) == [[], ["N. Id", "R. Aw"]]
    assert all(e["node"]["authors"] == [] for e in found["works"]["edges"])
    assert found["researchers"] == {"totalCount": 0, "edges": [], "pageInfo": {
        "hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}}


async def test_a_cursor_of_another_list_or_a_bad_first_fails_that_list_alone(graph: Path, api: httpx.AsyncClient) -> None:
    body = await gql(api, TOPIC_WORKS, {"id": TOPIC, "first": 1})
    topic_cursor = body["data"]["node"]["works"]["pageInfo"]["endCursor"]
    query = """query($id: ID!, $after: String, $first: Int!) { node(id: $id) { id ... on Work {
      citedBy(after: $after) { totalCount } references(first: $first) { totalCount } title } } }"""
    body = await gql(api, query, {"id": wid(2), "after": topic_cursor, "first": 2})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["node", "citedBy"]
    assert "another list" in body["errors"][0]["message"]
    assert body["data"]["node"] == {"id": wid(2), "citedBy": None, "references": {"totalCount": 0}, "title": "alpha"}
    # a cursor of the same list, but of another work, is refused too
    body = await gql(api, """query($id: ID!) { node(id: $id) { ... on Work { references(first: 1) {
      pageInfo { endCursor } } } } }""", {"id": wid(1)})
    cursor = body["data"]["node"]["references"]["pageInfo"]["endCursor"]
    body = await gql(api, """query($id: ID!, $after: String) { node(id: $id) { ... on Work {
      references(after: $after) { totalCount } } } }""", {"id": wid(3), "after": cursor})
    assert codes(body) == ["BAD_USER_INPUT"] and body["data"]["node"]["references"] is None
    for first in (-1, 101):
        body = await gql(api, query, {"id": wid(2), "after": None, "first": first})
        assert codes(body) == ["BAD_USER_INPUT"]
        assert body["data"]["node"]["references"] is None and body["data"]["node"]["title"] == "alpha"
    body = await gql(api, query, {"id": wid(2), "after": "bz1:not-a-cursor", "first": 1})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_the_lists_of_many_nodes_cost_one_round_trip_each(graph: Path, api: httpx.AsyncClient) -> None:
    query = """query($id: ID!) { node(id: $id) { ... on Topic { works(first: 100) { edges { node { id
      citedBy(first: 5) { totalCount edges { node { id } } }
      references(first: 5) { totalCount }
      topics { topic { id works(first: 2) { totalCount } } } } } } } } }"""
    body = await gql(api, query, {"id": TOPIC})
    assert "errors" not in body, body
    expected = expected_lists()
    nodes = [e["node"] for e in body["data"]["node"]["works"]["edges"]]
    assert [n["id"] for n in nodes] == expected[TOPIC]["works"] and len(nodes) >= 8
    for node in nodes:
        assert node["citedBy"]["totalCount"] == len(expected.get(node["id"], {}).get("citedBy", []))
        assert [e["node"]["id"] for e in node["citedBy"]["edges"]] == expected.get(node["id"], {}).get("citedBy", [])[:5]
        assert node["references"]["totalCount"] == len(expected.get(node["id"], {}).get("references", []))
        for t in node["topics"]:
            assert t["topic"]["works"]["totalCount"] == len(expected[t["topic"]["id"]]["works"])
    # node, the topic's works, every work's citedBy, references and topics, every topic's works
    assert body["extensions"]["cypherRoundTrips"] == 6


async def test_a_researchers_affiliations_come_with_the_profile_most_recent_first(graph: Path, api: httpx.AsyncClient) -> None:
    """Researcher.affiliations: every institution the researcher's works list for them, with the
    years, the latest first; the first is the header's `affiliation`; read in the profile's one query."""
    seen: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for n in sorted(IMPORTED):
        _, year, _, _, authors = WORKS[n]
        for a, _, institutions in authors:
            for institution in institutions:
                seen[aid(a)][institution].add(year)
    query = """query($id: ID!) { researcher(id: $id) { affiliation { id }
      affiliations { years institution { id name } } } }"""
    for researcher, places in seen.items():
        body = await gql(api, query, {"id": researcher})
        assert body["extensions"]["cypherRoundTrips"] == 1
        got = body["data"]["researcher"]
        want = sorted(places, key=lambda i: (-max(places[i]), f"Institute {i}", i))
        assert [(a["institution"]["id"], a["years"]) for a in got["affiliations"]] == [(i, sorted(places[i])) for i in want]
        assert got["affiliation"] == {"id": want[0]}
    assert [a for a, places in seen.items() if len(places) > 1] == [aid(2)]  # Amy: 2022 elsewhere, 2021 here

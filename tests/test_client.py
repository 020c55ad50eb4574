"""The notebook client against a real `bzgraph serve` on the seed graph (and straight on Neo4j)."""

from __future__ import annotations

import analyst_expected as expected
import pytest
from support import CONTRACT_DIR, contract

from bzgraph.client import APIError, AsyncClient, Client, Neighbourhood, Profile, operation
from bzgraph.seed import read_seed
from bzgraph.settings import Settings

SEED = read_seed()
LEON = "bzr-leon-bungert"


@pytest.fixture(scope="module")
def client(live_url: str):
    with Client(live_url) as bz:
        yield bz


@pytest.mark.parametrize("name", ["ProfilePage", "ResearchGraph", "Search"])
def test_bundled_operations_are_the_contract_verbatim(name: str) -> None:
    assert (CONTRACT_DIR / f"{name}.graphql").exists()
    assert operation(name) == contract(name)


def test_profile_is_typed_and_matches_the_seed(client: Client) -> None:
    profile = client.profile(LEON, works_first=4)
    assert isinstance(profile, Profile)
    assert profile.name == "Leon Bungert" and profile.open_to_collaborate and profile.affiliation is None
    assert profile.counts.works == 9 and profile.counts.topics == 9
    assert 0 <= profile.trust.score <= 100
    works = sorted(SEED["works"], key=lambda w: (-w["year"], w["title"]))
    assert [w.id for w in profile.works.items] == [w["id"] for w in works[:4]]
    assert profile.works.total_count == 9 and profile.works.has_next_page
    rest = client.profile(LEON, works_first=10, works_after=profile.works.end_cursor)
    assert [w.id for w in rest.works.items] == [w["id"] for w in works[4:]]
    frame = profile.works.to_pandas()
    assert list(frame.columns) == ["id", "type", "year", "venue", "title", "abstract"]
    assert frame["year"].tolist() == [w["year"] for w in works[:4]]
    assert client.profile("bzr-nobody") is None


def test_explore_to_networkx_keeps_node_and_edge_attributes(client: Client) -> None:
    raw = client.execute(operation("ResearchGraph"), {"id": LEON, "depth": 2, "limit": 30})["explore"]
    hood = client.explore(LEON, depth=2, limit=30)
    assert isinstance(hood, Neighbourhood) and hood == Neighbourhood.from_data(raw)
    graph = hood.to_networkx()
    assert graph.number_of_nodes() == len(raw["nodes"]) + 1 <= 31
    assert graph.nodes[LEON]["center"] and graph.nodes[LEON]["kind"] == "RESEARCHER"
    for node in raw["nodes"]:
        assert graph.nodes[node["id"]] == {"kind": node["kind"], "label": node["label"], "weight": node["weight"],
                                           "center": False}
    assert graph.number_of_edges() == len(raw["edges"])
    for edge in raw["edges"]:
        assert graph.edges[edge["source"], edge["target"]] == {"kind": edge["kind"], "weight": edge["weight"]}
    frame = hood.to_pandas()
    assert frame["id"].tolist()[0] == LEON and len(frame) == graph.number_of_nodes()
    only_topics = client.explore(LEON, kinds=["topic"])
    assert {n.kind for n in only_topics.nodes} == {"TOPIC"}
    assert len(only_topics.nodes) == 9 and not only_topics.truncated


def test_search_to_pandas(client: Client) -> None:
    results = client.search("nonlinear power")
    assert results.total_count >= 1 and len(results) == len(results.hits)
    frame = results.to_pandas()
    assert list(frame.columns) == ["score", "id", "kind", "label", "year"]
    assert any("Nonlinear Power" in label for label in frame["label"])
    people = client.search("Bungert", kinds="researcher")
    assert [(h.id, h.kind, h.label) for h in people] == [(LEON, "RESEARCHER", "Leon Bungert")]


def test_cypher_through_the_api_and_directly(client: Client, live_url: str, settings: Settings) -> None:
    rows = client.cypher("analytics/top-collaborators", id=LEON, limit=5)
    assert rows.columns == ["id", "name", "sharedWorks", "firstYear", "lastYear"]
    assert list(rows) == expected.top_collaborators(SEED, LEON, 5)
    frame = rows.to_pandas()
    assert frame["name"].tolist() == [r["name"] for r in expected.top_collaborators(SEED, LEON, 5)]
    with Client(live_url, neo4j_uri=settings.neo4j_uri,
                neo4j_auth=(settings.neo4j_user, settings.neo4j_password_value())) as direct:
        same = direct.cypher("analytics/top-collaborators", id=LEON, limit=5)
        assert same.columns == rows.columns and list(same) == list(rows)
        # Any named query runs directly, but always in a read transaction.
        assert [r["title"] for r in direct.cypher("testing/works-with-venue")][0] == \
            sorted(SEED["works"], key=lambda w: (-w["year"], w["title"]))[0]["title"]


def test_errors_carry_the_code(client: Client) -> None:
    with pytest.raises(APIError) as refused:
        client.cypher("testing/wipe")
    assert refused.value.code == "FORBIDDEN"
    with pytest.raises(APIError) as missing:
        client.cypher("analytics/top-collaborators")
    assert missing.value.code == "BAD_USER_INPUT"


async def test_async_client(live_url: str, settings: Settings) -> None:
    async with AsyncClient(live_url + "/graphql") as bz:
        profile = await bz.profile(LEON, works_first=1)
        assert profile.counts.works == 9 and len(profile.works.items) == 1
        hood = await bz.explore(LEON, limit=5)
        assert len(hood.nodes) == 5 and hood.truncated
        assert (await bz.search("Bungert")).hits[0].id == LEON
        rows = await bz.cypher("analytics/coauthor-communities", id=LEON)
        assert list(rows) == expected.coauthor_communities(SEED, LEON)
    async with AsyncClient(live_url, neo4j_uri=settings.neo4j_uri,
                           neo4j_auth=(settings.neo4j_user, settings.neo4j_password_value())) as direct:
        assert list(await direct.cypher("analytics/coauthor-communities", id=LEON)) == list(rows)

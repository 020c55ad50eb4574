"""The notebook client against a real `bzgraph serve` on the seed graph (and straight on Neo4j)."""

from __future__ import annotations

import uuid
import warnings

import analyst_expected as expected
import pytest
from support import CONTRACT_DIR, contract, paging

from bzgraph.client import APIError, AsyncClient, Client, Neighbourhood, Profile, SearchResults, TruncatedWarning, operation
from bzgraph.seed import read_seed
from bzgraph.settings import Settings

SEED = read_seed()
LEON = "bzr-leon-bungert"


@pytest.fixture(scope="module")
def client(live_url: str):
    with Client(live_url) as bz:
        yield bz


@pytest.mark.parametrize("name", ["ProfilePage", "ResearchGraph"])
def test_bundled_operations_are_the_contract_verbatim(name: str) -> None:
    assert (CONTRACT_DIR / f"{name}.graphql").exists()
    assert operation(name) == contract(name)


def test_the_bundled_search_is_the_contracts_with_paging() -> None:
    hits = contract("Search")[contract("Search").index("    totalCount"):].rsplit("  }\n}", 1)[0]
    assert hits in operation("SearchPage") and "pageInfo" in operation("SearchPage")


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


def test_the_bundled_explore_graph_is_the_contracts_research_graph_with_cross_edges() -> None:
    cross = "    crossEdges {\n      source\n      target\n      kind\n      weight\n    }\n    crossEdgesTotal\n"
    explore_graph = operation("ExploreGraph")
    assert cross in explore_graph
    research_graph = contract("ResearchGraph")
    expected = research_graph[research_graph.index("query ResearchGraph("):].replace("ResearchGraph(", "ExploreGraph(", 1)
    assert explore_graph[explore_graph.index("query ExploreGraph("):].replace(cross, "", 1) == expected


def test_explore_with_cross_edges_draws_them_too(client: Client) -> None:
    raw = client.execute(operation("ExploreGraph"), {"id": LEON, "depth": 1, "limit": 30})["explore"]
    hood = client.explore(LEON, limit=30, cross_edges=True)
    assert hood == Neighbourhood.from_data(raw) and hood.cross_edges and hood.edges == client.explore(LEON, limit=30).edges
    graph = hood.to_networkx()
    assert graph.number_of_edges() == len(raw["edges"]) + len(raw["crossEdges"])
    for edge in raw["crossEdges"]:
        assert graph.edges[edge["source"], edge["target"]] == {"kind": edge["kind"], "weight": edge["weight"]}
    assert client.explore(LEON, limit=30).cross_edges == []
    assert hood.cross_edges_total == len(hood.cross_edges)


def test_cross_edges_cut_at_the_api_limit_warn(client: Client) -> None:
    """The API lists the first 1,000 cross edges: the client says so when there are more (shaped from
    a real answer whose total is raised, since the seed graph has few)."""
    from bzgraph.client.calls import explore as _explore

    call = _explore(LEON, 1, None, 30, True)
    answer = client.execute(call.document, call.variables)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert call.shape(answer).cross_edges_total == len(answer["explore"]["crossEdges"])  # no warning
    answer["explore"]["crossEdgesTotal"] = len(answer["explore"]["crossEdges"]) + 1
    with pytest.warns(TruncatedWarning, match="cross edges"):
        hood = call.shape(answer)
    assert hood.cross_edges_total == len(hood.cross_edges) + 1
    with Client(client.url) as bz:  # through the method: the warning points at the caller's line
        bz.execute = lambda document, variables=None: answer  # type: ignore[method-assign]
        with pytest.warns(TruncatedWarning, match="cross edges") as caught:
            bz.explore(LEON, limit=30, cross_edges=True)
    assert caught[0].filename == __file__


def test_a_proxys_error_page_is_an_api_error() -> None:
    """Behind a proxy, a server that is down answers the proxy's HTML page (502), not GraphQL: the
    client raises APIError, SERVICE_UNAVAILABLE for the statuses that mean no server answered."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Proxy(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            status = 502 if self.path.startswith("/down") else 404
            body = b"<html><body>Bad Gateway</body></html>"
            self.send_response(status)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}"
        for path, code in (("/down", "SERVICE_UNAVAILABLE"), ("/elsewhere", "INTERNAL")):
            with Client(root + path) as bz, pytest.raises(APIError) as failed:
                bz.search("x")
            assert failed.value.code == code and "not a GraphQL answer" in str(failed.value)
    finally:
        server.shutdown()


def test_setup_mistakes_are_bad_user_input_and_never_repeat_credentials(client: Client) -> None:
    """A retry cannot mend an address without a scheme or a token a header cannot carry: BAD_USER_INPUT,
    not SERVICE_UNAVAILABLE (which means "retry later"); a message never repeats a token or password."""
    from support import free_port

    for address in ("127.0.0.1:8000", "localhost", "ftp://127.0.0.1/", ""):
        with pytest.raises(APIError) as refused:
            Client(address)
        assert refused.value.code == "BAD_USER_INPUT"
    for bad in ("secret-token\x01", b"secret-token", "secret token"):
        with pytest.raises(APIError) as refused:
            Client(client.url, token=bad)
        assert refused.value.code == "BAD_USER_INPUT" and "secret-token" not in str(refused.value)
    with Client(f"http://someone:s3cret@127.0.0.1:{free_port()}") as bz, pytest.raises(APIError) as away:
        bz.search("x")
    assert away.value.code == "SERVICE_UNAVAILABLE" and "s3cret" not in str(away.value)


def test_a_token_read_from_a_file_with_its_line_break_signs_in(client: Client, settings) -> None:
    from support import token

    with Client(client.url, token=token(settings, f"file-{uuid.uuid4().hex[:8]}") + "\n") as bz:
        assert bz.execute("{ viewer { id } }")["viewer"]["id"].startswith("user:")


def test_search_to_pandas(client: Client) -> None:
    results = client.search("nonlinear power")
    assert results.total_count >= 1 and len(results) == len(results.hits)
    frame = results.to_pandas()
    assert list(frame.columns) == ["score", "id", "kind", "label", "year"]
    assert any("Nonlinear Power" in label for label in frame["label"])
    people = client.search("Bungert", kinds="researcher")
    assert [(h.id, h.kind, h.label) for h in people] == [(LEON, "RESEARCHER", "Leon Bungert")]
    assert not people.has_next_page and people.truncated is False  # the bundled operation asks for it
    capped = {"totalCount": 1000, "hits": [], "pageInfo": {"hasNextPage": False, "endCursor": None}, "truncated": True}
    assert SearchResults.from_data(capped).truncated


def test_all_hits_warn_once_that_the_ranking_stopped_and_errors_take_the_first_code() -> None:
    """Reading every page of a capped search warns once, at its last page (not at each page); an
    APIError's code is its first error's, as GraphQL lists the first one met first."""
    from bzgraph.client.calls import Pages

    def page(more: bool) -> SearchResults:
        return SearchResults.from_data({"totalCount": 1000, "hits": [], "truncated": True,
                                        "pageInfo": {"hasNextPage": more, "endCursor": "c" if more else None}})

    pages = Pages()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for more in (True, True, False):
            pages.add_hits(page(more), "learning")
    assert [w.category for w in caught] == [TruncatedWarning]
    error = APIError([{"message": "a", "extensions": {"code": "BAD_USER_INPUT"}},
                      {"message": "b", "extensions": {"code": "NOT_FOUND"}}])
    assert (error.code, str(error)) == ("BAD_USER_INPUT", "BAD_USER_INPUT: a")


def test_search_pages_on_with_after(client: Client) -> None:
    whole = client.search("learning", first=100)
    assert 2 < whole.total_count <= 100 and not whole.has_next_page
    seen, after = [], None
    for _ in paging():
        page = client.search("learning", first=2, after=after)
        seen += [h.id for h in page]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == [h.id for h in whole]


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


def test_empty_results_keep_their_columns_and_years_stay_whole_numbers(client: Client, settings: Settings) -> None:
    """A notebook selects columns by name: an empty answer has them too; a year missing on one row
    does not turn every year into a float."""
    rows = client.cypher("analytics/citation-neighbourhood", id="bzw-none")  # the seed has no citations
    assert len(rows) == 0
    assert rows.columns == ["id", "title", "year", "direction", "distance", "citedByCount"]
    assert list(rows.to_pandas().columns) == rows.columns
    assert list(rows.rows.to_pandas().columns) == rows.columns  # the list of rows itself, as docs/analysts.md says
    with Client(client.url, neo4j_uri=settings.neo4j_uri,
                neo4j_auth=(settings.neo4j_user, settings.neo4j_password_value())) as direct:
        direct_rows = direct.cypher("analytics/citation-neighbourhood", id="bzw-none")
        assert list(direct_rows.rows.to_pandas().columns) == rows.columns
    assert list(client.search("zzzzqqq").to_pandas().columns) == ["score", "id", "kind", "label", "year"]
    no_works = client.profile(LEON, works_first=0).works.to_pandas()
    assert list(no_works.columns) == ["id", "type", "year", "venue", "title", "abstract"]
    import asyncio

    rid = f"t-{uuid.uuid4().hex[:8]}"
    asyncio.run(_write_researcher(settings, rid, [{"id": f"{rid}-a", "title": "A", "year": 2020},
                                                         {"id": f"{rid}-b", "title": "B", "year": None}]))
    years = client.profile(rid).works.to_pandas()["year"]
    assert str(years.dtype) == "Int64" and years.tolist()[0] == 2020 and years.isna().tolist() == [False, True]
    trends = client.cypher("analytics/topic-trends").to_pandas()
    assert str(trends["year"].dtype) == "int64"


async def _write_researcher(settings: Settings, rid: str, works: list[dict]) -> None:
    from bzgraph.db import Database

    db = Database(settings)
    try:
        await db.write("testing/researcher-with-works", id=rid, name="Years", works=works)
    finally:
        await db.close()


def test_http_errors_with_a_graphql_body_and_a_trailing_slash(client: Client, live_url: str) -> None:
    with pytest.raises(APIError) as too_big:
        client.search("x" * 2_000_000)  # refused before GraphQL: 413 with the contract's body
    assert too_big.value.code == "BAD_USER_INPUT"
    with Client(live_url + "/nowhere/graphql") as lost, pytest.raises(APIError) as unknown:
        lost.search("bungert")
    assert unknown.value.code == "NOT_FOUND"
    with Client(live_url + "/graphql/") as slash:
        assert slash.search("Bungert").hits[0].id == LEON


def test_text_that_is_not_unicode_is_an_api_error_and_numpy_numbers_are_sent(
        client: Client, live_url: str, settings: Settings) -> None:
    import numpy as np

    for call in (lambda: client.search("\ud800"), lambda: client.profile("\ud800"),
                 lambda: client.cypher("analytics/top-collaborators", id="\ud800")):
        with pytest.raises(APIError) as refused:
            call()
        assert refused.value.code == "BAD_USER_INPUT"
    assert client.profile(LEON, works_first=np.int64(2)).counts.works == 9  # a number from a data frame
    for missing in (float("nan"), np.float64("inf"), np.float32("nan"), np.array([1.0, np.nan]), [{"x": float("-inf")}]):
        with pytest.raises(APIError) as refused:  # orjson would send null, which can mean "clear it"
            client.execute("query($v: JSON) { __typename }", {"v": missing})
        assert refused.value.code == "BAD_USER_INPUT" and "NaN or infinite" in str(refused.value)
    with Client(live_url, neo4j_uri=settings.neo4j_uri,
                neo4j_auth=(settings.neo4j_user, settings.neo4j_password_value())) as direct:
        for params in ({"id": "\ud800"}, {"ids": {"k\ud800": 1}}):
            with pytest.raises(APIError) as refused:
                direct.cypher("analytics/top-collaborators" if "id" in params else "node", **params)
            assert refused.value.code == "BAD_USER_INPUT" and "not valid Unicode" in str(refused.value)
        assert direct.cypher("analytics/top-collaborators", id=LEON, limit=1).columns  # serves on


def test_direct_runs_name_the_analysts_own_mistakes(live_url: str, settings: Settings) -> None:
    """Neo4j Browser's http address is no Bolt address (the driver raised a ModuleNotFoundError for
    aiohttp); credentials Neo4j refuses are the analyst's own, UNAUTHENTICATED (the message spoke of
    "this service's"). An unknown user, so that the `neo4j` user's failed logins do not add up."""
    for uri in ("http://127.0.0.1:7474", "127.0.0.1:7687", "bolt://"):
        with pytest.raises(APIError) as refused:
            Client(live_url, neo4j_uri=uri)
        assert refused.value.code == "BAD_USER_INPUT" and "bolt://HOST:7687" in str(refused.value)
    with Client(live_url, neo4j_uri=settings.neo4j_uri, neo4j_auth=("nobody-here", "wrong")) as direct, \
            pytest.raises(APIError) as refused:
        direct.cypher("analytics/top-collaborators", id=LEON)
    assert refused.value.code == "UNAUTHENTICATED" and "neo4j_auth" in str(refused.value)


def test_direct_runs_raise_the_codes_the_api_gives(live_url: str, settings: Settings) -> None:
    with Client(live_url, neo4j_uri=settings.neo4j_uri,
                neo4j_auth=(settings.neo4j_user, settings.neo4j_password_value())) as direct:
        for call, code in ((lambda: direct.cypher("analytics/top-collaborators"), "BAD_USER_INPUT"),
                           (lambda: direct.cypher("analytics/top-collaborators", id=LEON, limit=-1), "BAD_USER_INPUT"),
                           (lambda: direct.cypher("analytics/no-such-query"), "NOT_FOUND"),
                           (lambda: direct.cypher("no/such/query"), "NOT_FOUND"),
                           (lambda: direct.cypher("node"), "BAD_USER_INPUT"),  # $ids missing: Neo4j refuses
                           (lambda: direct.cypher("testing/marker-set", value="x"), "FORBIDDEN"),
                           # a read transaction would run this one: refused before it is sent
                           (lambda: direct.cypher("testing/terminate-blocked"), "FORBIDDEN")):
            with pytest.raises(APIError) as refused:
                call()
            assert refused.value.code == code



def test_a_direct_run_takes_and_refuses_what_the_api_does(client: Client, live_url: str, settings: Settings) -> None:
    """numpy numbers (what a data frame gives) run directly as through the API; an integer beyond
    64 bits or NaN is BAD_USER_INPUT, not the driver's OverflowError."""
    import numpy as np

    with Client(live_url, neo4j_uri=settings.neo4j_uri,
                neo4j_auth=(settings.neo4j_user, settings.neo4j_password_value())) as direct:
        for run in (client, direct):
            rows = run.cypher("analytics/top-collaborators", id=LEON, limit=np.int64(2))
            assert len(rows.rows) == 2, run
        assert direct.cypher("node", ids=np.array([LEON])).rows[0]["id"] == LEON
        for name, params in (("node", {"ids": [2**70]}), ("analytics/top-collaborators", {"id": LEON, "limit": 2**64}),
                             ("analytics/top-collaborators", {"id": LEON, "limit": float("nan")})):
            with pytest.raises(APIError) as refused:
                direct.cypher(name, **params)
            assert refused.value.code == "BAD_USER_INPUT", params


async def test_a_server_out_of_reach_is_service_unavailable(settings: Settings) -> None:
    from support import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with Client(url, timeout=2) as bz, pytest.raises(APIError) as down:
        bz.profile(LEON)
    assert down.value.code == "SERVICE_UNAVAILABLE"
    async with AsyncClient(url, timeout=2) as abz:
        with pytest.raises(APIError) as down:
            await abz.search("x")
    assert down.value.code == "SERVICE_UNAVAILABLE"

def test_a_direct_run_against_no_database_ends_within_the_timeout(live_url: str, settings: Settings, caplog) -> None:
    """Within the client's timeout, quietly: the driver's retries overran it (3.1 s for 2 s) and
    printed a warning for each retry into the notebook."""
    import logging
    import time

    from support import free_port

    with Client(live_url, timeout=2, neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
                neo4j_auth=(settings.neo4j_user, "x")) as direct, caplog.at_level(logging.WARNING, logger="neo4j"):
        started = time.monotonic()
        with pytest.raises(APIError) as down:
            direct.cypher("graph-counts")
        assert down.value.code == "SERVICE_UNAVAILABLE"
        assert time.monotonic() - started < 2
    assert not [r for r in caplog.records if "retried" in r.getMessage()]


def test_text_arrays_from_a_data_frame_are_sent_as_lists(client: Client, live_url: str, settings: Settings) -> None:
    """A column of ids handed on as it comes (numpy or pandas arrays of text, a Series) is a list,
    through the API and directly alike; numpy's text arrays were refused by the JSON encoder."""
    import numpy as np
    import pandas as pd

    topics = [t["id"] for t in SEED["topics"][:2]]
    expected = client.cypher("analytics/topic-trends", topics=topics).rows
    assert expected
    with Client(live_url, neo4j_uri=settings.neo4j_uri,
                neo4j_auth=(settings.neo4j_user, settings.neo4j_password_value())) as direct:
        for run in (client, direct):
            for given in (np.array(topics), pd.Series(topics), pd.Series(topics, dtype="string").array,
                          pd.DataFrame({"t": topics})["t"].unique()):
                assert run.cypher("analytics/topic-trends", topics=given).rows == expected, (run, type(given))
        with pytest.raises(APIError) as refused:
            client.cypher("analytics/topic-trends", topics=np.array([1.0, np.nan]))
        assert refused.value.code == "BAD_USER_INPUT"


async def test_rows_cut_at_the_apis_limit_come_with_a_warning(api, seeded, monkeypatch) -> None:
    """The API answers at most MAX_ROWS rows of an analyst query (`truncated`); the client says so
    instead of handing on a partial data frame silently."""
    from bzgraph.api import analytics as api_analytics

    monkeypatch.setattr(api_analytics, "MAX_ROWS", 3)
    abz = AsyncClient("http://bzgraph.test")
    own, abz._http = abz._http, api  # the app in-process, on the test database (and not closed here)
    try:
        with pytest.warns(TruncatedWarning, match="at most 3 rows") as caught:
            rows = await abz.cypher("analytics/topic-trends")
        assert rows.truncated and len(rows) == 3 and caught[0].filename == __file__
        monkeypatch.setattr(api_analytics, "MAX_ROWS", 5000)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert not (await abz.cypher("analytics/topic-trends")).truncated
    finally:
        await own.aclose()


def test_all_works_and_all_hits_read_every_page(client: Client) -> None:
    """A notebook wants the whole list, not a loop over cursors: every page, in order, no gaps or
    repeats (pages of 2 against one page of 100)."""
    whole = client.profile(LEON, works_first=100).works.items
    paged = client.all_works(LEON, page_size=2)
    assert [w.id for w in paged] == [w.id for w in whole] and len(paged) == 9
    assert list(paged.to_pandas().columns) == ["id", "type", "year", "venue", "title", "abstract"]
    assert client.all_works("bzr-no-such-researcher") is None
    hits = client.all_hits("gradient", page_size=3)
    assert [h.id for h in hits] == [h.id for h in client.search("gradient", first=100).hits] and len(hits) > 3


async def test_the_async_client_reads_every_page_too(live_url: str) -> None:
    async with AsyncClient(live_url) as bz:
        assert len(await bz.all_works(LEON, page_size=4)) == 9
        assert [h.id for h in await bz.all_hits("gradient", page_size=3)] == \
            [h.id for h in (await bz.search("gradient", first=100)).hits]


def test_all_hits_warns_when_a_kind_had_more_than_the_api_ranks() -> None:
    from bzgraph.client.calls import Pages
    from bzgraph.client.results import Records, SearchHit, SearchResults

    pages = Pages()
    with pytest.warns(TruncatedWarning, match="more hits than the API ranks"):
        pages.add_hits(SearchResults(total_count=1000, hits=Records(of=SearchHit), truncated=True), "a")
    assert not pages.more


def test_an_async_client_serves_a_script_that_runs_several_event_loops(live_url: str, settings: Settings) -> None:
    """A script may call asyncio.run more than once with one AsyncClient: its connections belonged
    to the first loop, closed by then ("Event loop is closed"). Each loop gets its own."""
    import asyncio

    bz = AsyncClient(live_url, neo4j_uri=settings.neo4j_uri,
                     neo4j_auth=(settings.neo4j_user, settings.neo4j_password_value()))

    async def read() -> tuple[str, int]:
        profile = await bz.profile(LEON, works_first=1)
        rows = await bz.cypher("analytics/top-collaborators", id=LEON, limit=1)
        return profile.name, len(rows)

    assert asyncio.run(read()) == ("Leon Bungert", 1)
    assert asyncio.run(read()) == ("Leon Bungert", 1)

    async def close() -> None:
        await bz.close()

    asyncio.run(close())

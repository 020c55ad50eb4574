"""Prometheus metrics at GET /metrics (bzgraph/metrics.py): what an operator's dashboards and alerts
read. Each test reads the metrics before and after what it does and compares: the counters are the
process's, shared by every app the suite builds."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from prometheus_client.parser import text_string_to_metric_families
from support import contract, follow_and_hang_up, free_port, gql

from bzgraph import metrics
from bzgraph.app import create_app
from bzgraph.settings import Settings

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient, accept: str | None = None) -> Samples:
    response = await client.get("/metrics", headers={"accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@contextlib.asynccontextmanager
async def serving(settings: Settings, apply_migrations: bool = False) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, apply_migrations=apply_migrations)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bzgraph.test") as client:
            yield client


async def test_operations_and_their_queries_are_counted_and_timed(api, seeded) -> None:
    before = await scrape(api)
    for _ in range(2):
        body = await gql(api, contract("ProfilePage"), {"id": "bzr-leon-bungert", "worksFirst": 3})
        assert "errors" not in body
    after = await scrape(api)
    operation = {"operation": "ProfilePage", "type": "query"}
    assert value(after, "bzgraph_operations_total", outcome="ok", **operation) \
        - value(before, "bzgraph_operations_total", outcome="ok", **operation) == 2
    assert value(after, "bzgraph_operation_duration_seconds_count", **operation) \
        - value(before, "bzgraph_operation_duration_seconds_count", **operation) == 2
    assert value(after, "bzgraph_operation_duration_seconds_sum", **operation) \
        > value(before, "bzgraph_operation_duration_seconds_sum", **operation)
    query = {"query": "profile/researchers"}
    assert value(after, "bzgraph_cypher_queries_total", outcome="ok", **query) \
        - value(before, "bzgraph_cypher_queries_total", outcome="ok", **query) == 2
    assert value(after, "bzgraph_cypher_query_duration_seconds_count", **query) \
        - value(before, "bzgraph_cypher_query_duration_seconds_count", **query) == 2


async def test_an_operation_with_errors_counts_each_code(api, seeded) -> None:
    before = await scrape(api)
    body = await gql(api, 'query TrustSnapshot { researcher(id: "") { id } first: node(id: "") { id } }')
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
    after = await scrape(api)
    operation = {"operation": "TrustSnapshot", "type": "query"}
    assert value(after, "bzgraph_operations_total", outcome="error", **operation) \
        - value(before, "bzgraph_operations_total", outcome="error", **operation) == 1
    assert value(after, "bzgraph_operation_errors_total", code="BAD_USER_INPUT", operation="TrustSnapshot") \
        - value(before, "bzgraph_operation_errors_total", code="BAD_USER_INPUT", operation="TrustSnapshot") == 1


async def test_a_document_that_does_not_parse_is_an_operation_of_no_type(api, seeded) -> None:
    before = await scrape(api)
    response = await api.post("/graphql", json={"query": "{ researcher("})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    after = await scrape(api)
    assert value(after, "bzgraph_operations_total", operation="-", type="-", outcome="error") \
        - value(before, "bzgraph_operations_total", operation="-", type="-", outcome="error") == 1


async def test_requests_refused_before_graphql_are_counted_by_status_and_code(api, seeded) -> None:
    before = await scrape(api)
    assert (await api.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})).status_code == 400
    assert (await api.get("/no-such-path")).status_code == 404
    after = await scrape(api)
    for status, code in (("400", "BAD_USER_INPUT"), ("404", "NOT_FOUND")):
        assert value(after, "bzgraph_http_refusals_total", status=status, code=code) \
            - value(before, "bzgraph_http_refusals_total", status=status, code=code) == 1


async def test_only_known_and_configured_operation_names_are_labels(seeded, settings) -> None:
    """Clients choose operation names, and every label value is kept for the process's life: names
    first come, first labelled let anyone use up the labels with junk (a review sent 100 names an
    operation did not even have, and ProfilePage counted as `other` until a restart). The contract's
    and the client's operations are labelled, and those BZGRAPH_METRICS_OPERATIONS adds."""
    from support import CONTRACT_DIR

    contract_names = {path.stem for path in CONTRACT_DIR.glob("*.graphql")}
    bundled = {path.stem for path in (Path(metrics.__file__).parent / "operations").glob("*.graphql")}
    assert contract_names | bundled <= metrics.KNOWN_OPERATIONS
    async with serving(settings.model_copy(update={"metrics_operations": "MyUiPage, Other2"})) as client:
        before = await scrape(client)
        for name in ("MyUiPage", "JunkName1", "JunkName2", "ProfilePage"):
            body = await gql(client, f'query {name} {{ researcher(id: "bzr-leon-bungert") {{ id }} }}')
            assert "errors" not in body
        after = await scrape(client)

    def delta(operation: str) -> float:
        labels = {"operation": operation, "type": "query", "outcome": "ok"}
        return value(after, "bzgraph_operations_total", **labels) - value(before, "bzgraph_operations_total", **labels)

    assert (delta("MyUiPage"), delta("ProfilePage"), delta("other")) == (1, 1, 2)
    assert delta("JunkName1") == 0 and not any("JunkName" in str(key) for key in after)


async def test_the_state_of_the_service_is_read_when_scraped(seeded, settings) -> None:
    async with serving(settings.model_copy(update={"heavy_queries": 3})) as client:
        samples = await scrape(client)
        assert value(samples, "bzgraph_database_available") == 1
        assert value(samples, "bzgraph_slots_limit", kind="heavy") == 3
        assert value(samples, "bzgraph_slots_held", kind="heavy") == 0
        assert value(samples, "bzgraph_ready") == 1  # nothing to prepare: created without migrations
        assert value(samples, "process_resident_memory_bytes") > 0


async def test_a_database_out_of_reach_shows_in_the_metrics(settings) -> None:
    down = settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}", "neo4j_timeout": 2.0})
    async with serving(down, apply_migrations=True) as client:
        before = await scrape(client)
        assert value(before, "bzgraph_ready") == 0  # the migrations wait for the database
        body = await asyncio.wait_for(gql(client, 'query Down { researcher(id: "x") { id } }'), timeout=60)
        assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        # The request ran out of time while the driver retried; the ping it started finds nobody listening.
        for _ in range(100):
            after = await scrape(client)
            if value(after, "bzgraph_database_available") == 0:
                break
            await asyncio.sleep(0.1)
        assert value(after, "bzgraph_database_available") == 0
        assert value(after, "bzgraph_database_outages_total") >= 1
        query = {"query": "profile/researchers", "outcome": "SERVICE_UNAVAILABLE"}
        assert value(after, "bzgraph_cypher_queries_total", **query) \
            - value(before, "bzgraph_cypher_queries_total", **query) == 1


async def test_openmetrics_when_the_scraper_asks_for_it(api, seeded) -> None:
    response = await api.get("/metrics", headers={"accept": "application/openmetrics-text; version=1.0.0"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n") and response.text.count("# EOF") == 1
    assert "bzgraph_database_available" in response.text


@pytest.mark.parametrize(("env", "setting", "served"), [
    ("development", None, True), ("production", None, False), ("production", True, True), ("development", False, False),
])
async def test_metrics_are_served_in_development_and_where_turned_on(settings, env, setting, served) -> None:
    chosen = settings.model_copy(update={"env": env, "metrics": setting, "jwt_secret": SecretStr("s" * 40)})
    async with serving(chosen) as client:
        response = await client.get("/metrics")
        assert response.status_code == (200 if served else 404)


async def test_a_request_stopped_because_its_client_hung_up_is_cancelled_not_an_error(live_url: str, seeded,
                                                                                       settings) -> None:
    """A client that hangs up is no failure of the service: its operation counts as `cancelled`,
    with no error code (it counted as SERVICE_UNAVAILABLE, which dashboards read as the database's)."""
    import uuid


    async with httpx.AsyncClient(base_url=live_url) as client:
        before = await scrape(client)
        rid = f"gone-{uuid.uuid4().hex[:8]}"
        await seeded.write("testing/researcher-with-works", id=rid, name="Left Behind", works=[])
        await follow_and_hang_up(live_url, seeded, settings, rid)
        after = await scrape(client)
    labels = {"operation": "FollowResearcher", "type": "mutation"}
    assert value(after, "bzgraph_operations_total", outcome="cancelled", **labels) \
        - value(before, "bzgraph_operations_total", outcome="cancelled", **labels) == 1
    for code in ("SERVICE_UNAVAILABLE", "INTERNAL"):
        assert value(after, "bzgraph_operation_errors_total", operation="FollowResearcher", code=code) \
            == value(before, "bzgraph_operation_errors_total", operation="FollowResearcher", code=code)

"""Heavy queries (explore past limit 100 at depth 2 or with cross edges, collaboration paths, analyst queries) take
turns: one process runs at most ``BZGRAPH_HEAVY_QUERIES`` of them at once, half of them for one
request, so that many of them together cannot take all of Neo4j's memory for transactions and fail
all at once; the rest of the API does not wait."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from bzgraph.api.explore import HEAVY_LIMIT
from bzgraph.app import create_app
from bzgraph.db import HEAVY_MIN_SECONDS, Database, count_round_trips, deadline, request_share
from bzgraph.errors import ServiceUnavailable
from bzgraph.settings import Settings
from support import codes, gql

REFERENCE = "bzr-leon-bungert"
EXPLORE = 'a{i}: explore(id: "%s", depth: %d, limit: %d) { nodes { id } }'


def _aliases(depth: int, count: int, limit: int = HEAVY_LIMIT + 1) -> str:
    return "{ " + " ".join(EXPLORE.replace("{i}", str(i)) % (REFERENCE, depth, limit) for i in range(count)) + " }"


@contextlib.asynccontextmanager
async def app_with_slots(settings: Settings, slots: int, timeout: float) -> AsyncIterator[tuple[httpx.AsyncClient, Database]]:
    """The app in-process with ``slots`` heavy slots and requests of ``timeout`` seconds."""
    app = create_app(settings.model_copy(update={"heavy_queries": slots, "neo4j_timeout": timeout}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bzgraph.test") as client:
            yield client, app.state.db


@pytest.fixture
async def two_slots(seeded: Database, settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Database]]:
    async with app_with_slots(settings, slots=2, timeout=30.0) as app:
        yield app


async def test_heavy_queries_take_turns_and_all_are_answered(two_slots) -> None:
    client, db = two_slots
    bodies = await asyncio.gather(*(gql(client, _aliases(depth=2, count=6)) for _ in range(3)))
    for body in bodies:
        assert "errors" not in body, body
        assert len({str(v["nodes"]) for v in body["data"].values()}) == 1  # the same answer six times
        assert body["extensions"]["cypherRoundTrips"] == 6
    assert db.heavy_slots.peak == 2 and db.heavy_slots.held == 0


async def test_one_request_holds_a_share_of_the_slots_at_once(seeded, settings) -> None:
    """Half of the slots per request: one request of many heavy aliases does not queue them all
    ahead of the requests after it."""
    async with app_with_slots(settings, slots=4, timeout=30.0) as (client, db):
        assert db.heavy_share == 2
        body = await gql(client, _aliases(depth=2, count=6))
        assert "errors" not in body, body
        assert db.heavy_slots.peak == 2
        bodies = await asyncio.gather(*(gql(client, _aliases(depth=2, count=6)) for _ in range(2)))
        assert all("errors" not in body for body in bodies), bodies
        assert db.heavy_slots.peak == 4


async def test_light_queries_take_no_slot(two_slots) -> None:
    client, db = two_slots
    for depth, limit in ((1, 500), (2, HEAVY_LIMIT)):
        body = await gql(client, _aliases(depth=depth, count=6, limit=limit))
        assert "errors" not in body, body
    body = await gql(client, '{ explore(id: "%s", limit: %d) { crossEdges { kind } } }' % (REFERENCE, HEAVY_LIMIT))
    assert "errors" not in body, body
    assert db.heavy_slots.peak == 0


@pytest.mark.parametrize("query", [
    '{ collaborationPath(from: "%s", to: "%s") { hops } }' % (REFERENCE, REFERENCE),
    # cross edges past limit 100 at depth 1: thousands of readings around a hub for the loop to shape
    '{ explore(id: "%s", depth: 1, limit: %d) { crossEdgesTotal } }' % (REFERENCE, HEAVY_LIMIT + 1),
    '{ cypher(name: "analytics/top-collaborators", params: {id: "%s"}) { columns } }' % REFERENCE,
    # a pass over a topic's authorships, whatever the page
    '{ node(id: "bzt-gradient-flows") { ... on Topic { researchers(first: 1) { totalCount } } } }',
])
async def test_paths_and_analyst_queries_are_heavy(two_slots, query: str) -> None:
    client, db = two_slots
    bodies = await asyncio.gather(*(gql(client, query) for _ in range(4)))
    assert all("errors" not in body for body in bodies), bodies
    assert db.heavy_slots.peak == 2


async def test_a_heavy_query_left_waiting_past_its_time_is_busy_and_sends_nothing(two_slots, settings) -> None:
    both = ('{ explore(id: "%s", depth: 2, limit: %d) { nodes { id } } researcher(id: "%s") { name } }'
            % (REFERENCE, HEAVY_LIMIT + 1, REFERENCE))
    warm = await gql(two_slots[0], both)  # planned by Neo4j, in a request of 30 s
    assert "errors" not in warm, warm
    async with app_with_slots(settings, slots=2, timeout=1.0) as (client, db):
        async with db.heavy_slots, db.heavy_slots:  # both slots held, as by two long queries
            body = await gql(client, both)
        assert db.heavy_slots.held == 0 and db.heavy_slots.peak == 2  # the waiting query took none
    assert codes(body) == ["SERVICE_UNAVAILABLE"] and body["errors"][0]["path"] == ["explore"], body
    assert "busy with other large queries" in body["errors"][0]["message"]
    assert body["data"] == {"explore": None, "researcher": warm["data"]["researcher"]}  # the rest was answered
    assert body["extensions"]["cypherRoundTrips"] == 1  # the researcher's; the explore sent nothing


async def test_a_turn_that_comes_too_late_to_run_in_is_given_back(seeded: Database) -> None:
    """Less than ``HEAVY_MIN_SECONDS`` of the request's time left when the turn comes: nothing is
    sent, and the answer says why: the time (a free slot), or the other large queries (a wait)."""
    params = {"id": REFERENCE, "depth": 2, "limit": 20, "firstLevel": 10, "kinds": None, "crossEdges": False}
    with deadline(HEAVY_MIN_SECONDS / 2), count_round_trips() as trips:
        with pytest.raises(ServiceUnavailable, match="time ran out before its large query could start"):
            await seeded.read("explore/neighbourhood", heavy=True, **params)
        assert trips.count == 0 and seeded.heavy_slots.held == 0
    slots = seeded.heavy_slots
    held = [slots] * slots.size
    async with contextlib.AsyncExitStack() as stack:
        for slot in held:
            await stack.enter_async_context(slot)
        asyncio.get_running_loop().call_later(HEAVY_MIN_SECONDS / 4, lambda: asyncio.ensure_future(stack.aclose()))
        with deadline(HEAVY_MIN_SECONDS), count_round_trips() as trips:
            with pytest.raises(ServiceUnavailable, match="busy with other large queries"):
                await seeded.read("explore/neighbourhood", heavy=True, **params)
        assert trips.count == 0
    # the request's own share of the slots taken by its other large queries: busy too, not out of time
    from bzgraph.db.request import current_share

    with request_share(1):
        share = current_share()
        assert share is not None
        async with share:
            with deadline(HEAVY_MIN_SECONDS), count_round_trips() as trips:
                with pytest.raises(ServiceUnavailable, match="busy with other large queries"):
                    await seeded.read("explore/neighbourhood", heavy=True, **params)
            assert trips.count == 0

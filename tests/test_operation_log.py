"""One log line per GraphQL operation (bzgraph/extensions.py, OperationLog): what operators read
instead of an access log, where every request is `POST /graphql`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from support import codes, contract, gql

from bzgraph.app import create_app
from bzgraph.db import Database
from bzgraph.settings import Settings

LINE = re.compile(r"operation=(?P<name>\S+)(?: document=(?P<digest>[0-9a-f]{12}))? type=(?P<type>\S+) "
                  r"ms=(?P<ms>\d+\.\d) cypher=(?P<cypher>\d+) codes=(?P<codes>\S+)(?P<slow> slow=true queries=(?P<queries>\S+))?")


def _lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, dict[str, str | None]]]:
    found = []
    for record in caplog.records:
        if record.name == "bzgraph.operations":
            match = LINE.fullmatch(record.getMessage())
            assert match, record.getMessage()
            found.append((record.levelno, match.groupdict()))
    return found


@contextlib.asynccontextmanager
async def _app(settings: Settings, slow_seconds: float) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"slow_operation_seconds": slow_seconds}))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bzgraph.test") as client:
            yield client


@pytest.fixture
async def api(seeded: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with no operation counted slow (a cold plan cache or a busy machine may take a second)."""
    async with _app(settings, 3600) as client:
        yield client


@pytest.fixture
async def slow_api(seeded: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with every operation counted slow."""
    async with _app(settings, 1e-9) as client:
        yield client


async def test_each_operation_is_one_line_with_its_name_time_round_trips_and_codes(api, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="bzgraph.operations"):
        body = await gql(api, contract("ProfilePage"), {"id": "bzr-leon-bungert", "worksFirst": 3})
        assert "errors" not in body
        await gql(api, '{ researcher(id: "") { id } }')  # unnamed, and refused
        await gql(api, "{ researcher(id: ")  # does not parse
        response = await api.post("/graphql", json={"query": "query A { __typename }", "operationName": "B"})
        assert codes(response.json()) == ["BAD_USER_INPUT"]  # no operation of that name: the client's mistake
    logged = _lines(caplog)
    assert [(level, line["name"], line["type"], line["cypher"], line["codes"]) for level, line in logged] == [
        (logging.INFO, "ProfilePage", "query", str(body["extensions"]["cypherRoundTrips"]), "-"),
        (logging.INFO, "-", "query", "0", "BAD_USER_INPUT"),
        (logging.INFO, "-", "-", "0", "BAD_USER_INPUT"),
        (logging.INFO, "B", "-", "0", "BAD_USER_INPUT")]
    assert logged[0][1]["digest"] is None and logged[1][1]["digest"] and logged[1][1]["digest"] != logged[2][1]["digest"]
    assert float(logged[0][1]["ms"]) > 0, logged  # refusals may take less than the 0.1 ms written
    assert all(float(line["ms"]) >= 0 and not line["slow"] for _, line in logged), logged


async def test_variables_and_names_that_are_no_graphql_names_stay_out_of_the_log(api, caplog) -> None:
    secret = f"secret-{uuid.uuid4().hex}"
    with caplog.at_level(logging.INFO, logger="bzgraph.operations"):
        await gql(api, "query Find($q: String!) { search(query: $q) { totalCount } }", {"q": secret})
        response = await api.post("/graphql", json={"query": "query A { __typename } query B { __typename }",
                                                    "operationName": "B\nforged=line"})
        assert response.status_code == 200
    logged = _lines(caplog)
    assert [line["name"] for _, line in logged] == ["Find", "?"]
    assert not any(secret in r.getMessage() or "forged" in r.getMessage() for r in caplog.records)


async def test_a_slow_operation_is_a_warning_that_names_its_queries(slow_api, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="bzgraph.operations"):
        await gql(slow_api, 'query Slow { researcher(id: "bzr-leon-bungert") { id } }')
        await gql(slow_api, 'query Nothing { __typename }')
    assert [(level, line["name"], line["cypher"], line["queries"]) for level, line in _lines(caplog)] == [
        (logging.WARNING, "Slow", "1", "profile/researchers"), (logging.WARNING, "Nothing", "0", "-")]


async def test_an_operation_cancelled_is_logged_as_the_shutdown_answers_it(api, caplog, monkeypatch) -> None:
    """At shutdown a request still running is cancelled and answered SERVICE_UNAVAILABLE: its line
    says so, not a success."""
    from bzgraph.db import Database

    reading = asyncio.Event()

    async def stalled(*args, **kwargs):
        reading.set()
        await asyncio.sleep(60)

    monkeypatch.setattr(Database, "read", stalled)
    with caplog.at_level(logging.INFO, logger="bzgraph.operations"):
        request = asyncio.create_task(gql(api, 'query Stalled { researcher(id: "bzr-leon-bungert") { id } }'))
        await asyncio.wait_for(reading.wait(), 30)  # the operation is running: cancelled inside it
        request.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await request
    assert [(line["name"], line["codes"]) for _, line in _lines(caplog)] == [("Stalled", "SERVICE_UNAVAILABLE")]


@pytest.mark.parametrize(("setting", "slow_seconds", "logged"), [
    ("all", "3600", True), ("slow", "3600", False), ("slow", "0.000001", True), ("none", "0.000001", False)])
def test_the_operations_logged_are_a_setting(seeded: Database, setting: str, slow_seconds: str, logged: bool) -> None:
    """A line per operation is about 3 GB a day at 300 requests a second: BZGRAPH_LOG_OPERATIONS=slow
    keeps only the slow ones' lines, none keeps no line (the metrics count every operation)."""
    import os
    import subprocess
    import sys
    import tempfile

    from support import free_port, wait_until_up

    port = free_port()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, "-m", "bzgraph.cli", "serve", "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=log,
                                env={**os.environ, "BZGRAPH_LOG_OPERATIONS": setting,
                                     "BZGRAPH_SLOW_OPERATION_SECONDS": slow_seconds})
        try:
            assert wait_until_up(f"http://127.0.0.1:{port}", process=proc)
            body = httpx.post(f"http://127.0.0.1:{port}/graphql", timeout=60,
                              json={"query": 'query Logged { researcher(id: "bzr-leon-bungert") { name } }'}).json()
            assert "errors" not in body
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        log.seek(0)
        text = log.read().decode()
    assert ("operation=Logged type=query" in text) == logged, text[-2000:]

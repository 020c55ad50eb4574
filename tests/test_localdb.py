"""`bzgraph db` against a real Neo4j: restart keeps data, a second start is harmless,
/readyz follows the database without restarting the app. Uses its own instance and port."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from bzgraph import localdb
from bzgraph.app import create_app
from bzgraph.db import Database
from bzgraph.errors import QueryTooComplex
from bzgraph.settings import Settings
from support import free_port, ready_within

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lifecycle_settings(settings: Settings) -> Iterator[Settings]:
    # free ports, not fixed ones: two runs of the suite on one machine (CI jobs side by side) do not meet
    lifecycle = settings.model_copy(update={
        "neo4j_uri": f"bolt://127.0.0.1:{free_port()}", "db_instance": "lifecycle",
        "db_heap": "512m", "db_pagecache": "128m", "db_transaction_memory": "16m", "neo4j_timeout": 2.0,
    })
    yield lifecycle
    # Stopped also after a test that failed while it ran: left running, it holds the port for the next run.
    localdb.stop(localdb.instance_for(lifecycle))


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BZGRAPH_NEO4J_URI": settings.neo4j_uri,
           "BZGRAPH_DB_INSTANCE": settings.db_instance, "BZGRAPH_DB_HEAP": settings.db_heap,
           "BZGRAPH_DB_PAGECACHE": settings.db_pagecache, "BZGRAPH_DB_TRANSACTION_MEMORY": settings.db_transaction_memory or ""}
    return subprocess.run([sys.executable, "-m", "bzgraph.cli", *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_start_stop_start_keeps_data_and_second_start_is_harmless(lifecycle_settings: Settings) -> None:
    first = _cli(lifecycle_settings, "db", "start")
    assert first.returncode == 0, first.stderr
    assert lifecycle_settings.neo4j_uri in first.stdout
    again = _cli(lifecycle_settings, "db", "start")
    assert again.returncode == 0 and "already running" in again.stdout
    write = _cli(lifecycle_settings, "cypher", "testing/marker-set", "--write", "--param", "value=kept")
    assert write.returncode == 0, write.stderr
    assert _cli(lifecycle_settings, "db", "stop").stdout.strip() == "stopped"
    assert _cli(lifecycle_settings, "db", "status").returncode == 3
    assert _cli(lifecycle_settings, "db", "start").returncode == 0
    read = _cli(lifecycle_settings, "cypher", "testing/marker-get", "--json")
    assert '"kept"' in read.stdout


async def test_a_transaction_past_its_memory_limit_asks_for_less(lifecycle_settings: Settings,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    """``BZGRAPH_DB_TRANSACTION_MEMORY`` caps each transaction (as Aura does); one past it is
    ``QUERY_TOO_COMPLEX``, not retried, and the connection serves on. (The cap is written when the
    instance starts: an instance left running with other settings keeps them.)"""
    assert _cli(lifecycle_settings, "db", "start").returncode == 0
    db = Database(lifecycle_settings)
    try:
        assert await db.read("testing/memory-hog", n=1000) == [{"size": 1000}]
        with caplog.at_level(logging.INFO, logger="neo4j"), pytest.raises(QueryTooComplex, match="smaller limit"):
            await db.read("testing/memory-hog", n=2_000_000)
        assert not [r for r in caplog.records if "retried" in r.getMessage()]  # the driver tried once
        assert await db.read("testing/memory-hog", n=1000) == [{"size": 1000}]
    finally:
        await db.close()


def test_a_running_instance_is_reported_where_it_listens(lifecycle_settings: Settings) -> None:
    """Started on one port, asked about with another in BZGRAPH_NEO4J_URI: status tells where it
    really runs, and start refuses with what to do instead of waiting on the wrong port."""
    assert _cli(lifecycle_settings, "db", "start").returncode == 0
    real, other = lifecycle_settings.neo4j_uri, f"bolt://127.0.0.1:{free_port()}"
    moved = lifecycle_settings.model_copy(update={"neo4j_uri": other})
    status = _cli(moved, "db", "status")
    assert status.returncode == 0
    assert status.stdout.startswith("running (pid ") and f"{real}," in status.stdout
    assert f"BZGRAPH_NEO4J_URI={real}" in status.stdout
    start = _cli(moved, "db", "start")
    assert start.returncode == 2
    assert f"runs on {real}, not on {other}" in start.stderr
    assert real in _cli(lifecycle_settings, "db", "status").stdout
    assert _cli(moved, "db", "stop").stdout.strip() == "stopped"  # by its pid, wherever it listens


def test_port_taken_by_another_program_is_a_clear_error(lifecycle_settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        taken = lifecycle_settings.model_copy(update={
            "neo4j_uri": f"bolt://127.0.0.1:{port}", "db_instance": "taken"})
        result = _cli(taken, "db", "start")
    assert result.returncode == 2
    assert "already taken" in result.stderr


async def test_readyz_follows_the_database(lifecycle_settings: Settings) -> None:
    """As `bzgraph serve` runs it (migrations and warm-up): after the database was lost and comes
    back (a restart leaves its plans cold, or it may come back empty), /readyz says 503 until the
    app has migrated and warmed up again, then 200."""
    instance = localdb.instance_for(lifecycle_settings)
    localdb.start(lifecycle_settings, instance)
    app = create_app(lifecycle_settings, apply_migrations=True)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            assert await ready_within(client, 120)
            localdb.stop(instance)
            down = await client.get("/readyz")
            assert down.status_code == 503
            alive = await client.get("/healthz")  # the process is up, whatever the database's state
            assert (alive.status_code, alive.json()) == (200, {"status": "ok"})
            # A query during the outage answers SERVICE_UNAVAILABLE (bounded: no hang).
            response = await asyncio.wait_for(
                client.post("/graphql", json={"query": "{ graphCounts { name count } }"}), 60)
            body = response.json()
            assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
            assert "neo4j" not in body["errors"][0]["message"].lower()
            localdb.start(lifecycle_settings, instance)
            assert (await client.get("/readyz")).status_code == 503  # back, but not prepared again yet
            assert await ready_within(client, 120)
            body = (await client.post("/graphql", json={"query": "{ graphCounts { name count } }"})).json()
            assert "errors" not in body
            # Restarted between two probes, with no call in between to see it away: still cold. A probe
            # or two tell (the first question to a server just started may take longer than a probe).
            localdb.stop(instance)
            localdb.start(lifecycle_settings, instance)
            for _ in range(60):
                if (await client.get("/readyz")).status_code == 503:
                    break
                await asyncio.sleep(0.5)
            else:
                raise AssertionError("/readyz never said the restarted server was not prepared")
            assert await ready_within(client, 120)
    localdb.stop(instance)


async def test_a_paused_server_is_found_out_of_reach(lifecycle_settings: Settings) -> None:
    """A server that holds its connections without answering (paused, hung) is out of reach, not
    busy: the driver checks an idle connection before lending it, and that check runs out the pool's
    wait as a full pool would. /readyz said ready for as long as idle connections were left (a minute
    with 40 of them); it says 503 now, and ready again once the server answers."""
    import signal

    instance = localdb.instance_for(lifecycle_settings)
    localdb.start(lifecycle_settings, instance)
    app = create_app(lifecycle_settings.model_copy(update={"neo4j_timeout": 2.0}), apply_migrations=True)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            assert await ready_within(client, 120)
            query = {"query": '{ researcher(id: "nobody") { id } }'}
            await asyncio.gather(*(client.post("/graphql", json=query) for _ in range(20)))  # idle connections left
            pid = int(instance.pid_file.read_text().strip())
            os.kill(pid, signal.SIGSTOP)
            try:
                loop = asyncio.get_running_loop()
                ends = loop.time() + 30
                while (await client.get("/readyz")).status_code == 200:
                    assert loop.time() < ends, "/readyz kept saying ready on a paused server"
                    await asyncio.sleep(0.5)
                assert app.state.db.state().available is False
            finally:
                os.kill(pid, signal.SIGCONT)
            assert await ready_within(client, 120)
    localdb.stop(instance)


def test_missing_java_is_a_one_line_error(lifecycle_settings: Settings, tmp_path) -> None:
    env = {**os.environ, "PATH": str(tmp_path), "BZGRAPH_NEO4J_URI": f"bolt://127.0.0.1:{free_port()}",
           "BZGRAPH_DB_INSTANCE": "nojava"}
    result = subprocess.run([sys.executable, "-m", "bzgraph.cli", "db", "start"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "java" in result.stderr and "install" in result.stderr

"""Fixtures: a real Neo4j (the local test instance), the seed graph, and the app over HTTP.

`./dev test` starts the test instance (BZGRAPH_DB_INSTANCE=test on port 7688) before pytest;
the ``settings`` fixture starts it too when pytest is run by hand. The tests read the shared folder
beside the checkout (``../shared``: the contract, the reference page, the OpenAlex sample).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import sys
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

os.environ.setdefault("BZGRAPH_NEO4J_URI", "bolt://127.0.0.1:7688")
os.environ.setdefault("BZGRAPH_DB_INSTANCE", "test")
os.environ.setdefault("BZGRAPH_DB_HEAP", "1g")
os.environ.setdefault("BZGRAPH_DB_PAGECACHE", "512m")
os.environ.setdefault("BZGRAPH_NEO4J_TIMEOUT", "30")  # as `./dev test` sets it: a shared machine's slow moment is no failure

from bzgraph import localdb  # noqa: E402
from bzgraph.app import create_app  # noqa: E402
from bzgraph.db import Database, migrate  # noqa: E402
from bzgraph.seed import load_seed  # noqa: E402
from bzgraph.settings import Settings, get_settings  # noqa: E402
from support import free_port, wait_until_up  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """The tests read the contract, the reference page and the sample data from the shared folder
    beside the checkout (``../shared``); without it, say so once instead of failing test by test."""
    from support import SHARED_DIR

    if not (SHARED_DIR / "contract").is_dir():
        pytest.exit(f"the tests need {SHARED_DIR} (the contract, the reference page and the OpenAlex sample) "
                    "beside this checkout: it is not there", returncode=4)


@pytest.fixture(scope="session")
def settings() -> Settings:
    settings = get_settings()
    localdb.start(settings, localdb.instance_for(settings))
    return settings


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[Database]:
    # Seeding and generated test graphs are bulk writes: allow them more than a request's timeout.
    database = Database(settings.model_copy(update={"neo4j_timeout": 120.0}))
    yield database
    await database.close()


@pytest.fixture(scope="session")
async def seeded(db: Database) -> Database:
    """The seed graph on an empty database (wiped once per session)."""
    await migrate(db)
    await db.write("testing/wipe")
    await load_seed(db)
    return db


@pytest.fixture(scope="session")
async def api(seeded: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process (its lifespan runs), over httpx's ASGI transport."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bzgraph.test") as client:
            yield client


@pytest.fixture(scope="session")
def live_url(seeded: Database) -> Iterator[str]:
    """A real `bzgraph serve` (uvicorn) process on a free loopback port."""
    port = free_port()
    # Its log (a line per operation) goes to a file: a pipe nobody reads would fill and stop the server.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bzgraph.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=log, env=os.environ.copy(),
    )
    url = f"http://127.0.0.1:{port}"
    if not wait_until_up(url, process=proc):
        proc.kill()
        log.seek(0)
        raise RuntimeError(f"bzgraph serve did not start: {log.read().decode()[-2000:]}")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()

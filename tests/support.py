"""Helpers the tests share: the contract's operations and a GraphQL POST."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from bzgraph.settings import PROJECT_ROOT

SHARED_DIR = PROJECT_ROOT.parent / "shared"  # the contract, the reference page and the data, beside the checkout
CONTRACT_DIR = SHARED_DIR / "contract"


def contract(name: str) -> str:
    """The text of a contract operation, verbatim."""
    return (CONTRACT_DIR / f"{name}.graphql").read_text()


async def gql(client: httpx.AsyncClient, query: str, variables: dict | None = None,
              token: str | None = None, url: str = "/graphql") -> dict:
    """POST a GraphQL document; return the JSON body (asserting HTTP 200)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(url, json={"query": query, "variables": variables or {}},
                                 headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# Issue 5 asks the invitation limit for an error code of its own: the one code beyond the contract's.
ISSUE_CODES = frozenset({"RATE_LIMITED"})


@cache
def contract_codes() -> frozenset[str]:
    """The error codes a client may see: the contract README's "Errors" section, read as written,
    and ISSUE_CODES."""
    readme = (CONTRACT_DIR / "README.md").read_text()
    section = readme.split("## Errors", 1)[1].split("\n## ", 1)[0]
    found = frozenset(re.findall(r"`([A-Z_]+)`", section))
    assert "INTERNAL" in found and len(found) >= 8, section
    return found | ISSUE_CODES


def codes(body: dict) -> list[str]:
    """The ``extensions.code`` of every error in a GraphQL response, each checked to be one a client
    may see (:func:`contract_codes`)."""
    found = [error["extensions"]["code"] for error in body.get("errors", [])]
    assert set(found) <= contract_codes(), f"codes outside the contract: {set(found) - contract_codes()}"
    return found


async def until_blocked(db: Any, what: str, transactions: int = 1) -> None:
    """Wait (up to 20 s) until ``transactions`` transactions wait for a lock another holds: a test
    that holds a lock knows the action it races has reached it (no sleep to guess how long that takes)."""
    for _ in range(400):
        if (await db.read("testing/blocked-transactions"))[0]["blocked"] >= transactions:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} never waited for the lock")


def check_page(connection: dict, after: str | None) -> None:
    """A connection's page as Relay describes it: not empty unless it is a first page (a page after
    one that said it had a next page is never empty), its cursors at its ends, a page before it
    exactly when it was asked for after a cursor. ``connection`` selects ``pageInfo { hasNextPage
    hasPreviousPage startCursor endCursor }`` and ``edges { cursor }``."""
    edges, info = connection["edges"], connection["pageInfo"]
    assert edges or after is None, "a page after a cursor that said more would come is empty"
    assert (info["startCursor"], info["endCursor"]) == ((edges[0]["cursor"], edges[-1]["cursor"]) if edges else (None, None))
    assert info["hasPreviousPage"] is (after is not None)


def paging(most: int = 200) -> Iterator[int]:
    """The page numbers of a test walking a list page by page: past ``most`` pages the test fails,
    rather than loop for ever on a cursor that hands out the same page again."""
    yield from range(most)
    raise AssertionError(f"the list did not end within {most} pages: does a cursor repeat a page?")


def wait_until_up(url: str, seconds: float = 60, process: subprocess.Popen | None = None) -> bool:
    """Poll ``url``/healthz until the server answers; False when it did not within ``seconds``, or
    when its ``process`` ended (it could not bind its port, say: not another's server answering)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False




# -- accounts: tokens, throwaway researchers, claims ----------------------------------------------

PROFILE_STATE = """query($id: ID!) { researcher(id: $id) { claimed counts { followers }
  viewerState { isFollowing canClaim canInvite cannotClaimReasons cannotInviteReasons } trust { score verificationLevel
  components { key value } } } }"""


def token(settings, sub: str, *roles: str, ttl: int = 600) -> str:
    """A valid HS256 token for ``sub`` with ``roles``."""
    from bzgraph.auth import issue_token

    return issue_token(sub, list(roles), ttl, settings)


def new_id(prefix: str = "t") -> str:
    """A unique id, so tests sharing the session's database never collide."""
    import uuid

    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def new_researcher(db, orcid: str | None = None, followers: list[str] | None = None) -> str:
    """A fresh researcher with one work (and optional ORCID and followers), trust computed."""
    rid = new_id()
    await db.write("testing/researcher-with-works", id=rid, name=f"Researcher {rid}",
                   works=[{"id": f"{rid}-w1", "title": "A work", "year": 2021}])
    if orcid or followers:
        await db.write("testing/add-signals", id=rid, followers=followers or [], institution=None,
                       claimant=None, orcid=orcid)
    await db.write("trust/recompute", ids=[rid])
    return rid


async def profile_state(client: httpx.AsyncClient, rid: str, tok: str | None = None) -> dict:
    """The researcher's claimed flag, follower count, viewer state and trust."""
    body = await gql(client, PROFILE_STATE, {"id": rid}, token=tok)
    assert "errors" not in body, body
    state = body["data"]["researcher"]["viewerState"]  # a button is offered exactly when nothing stands in its way
    assert state["canClaim"] == (state["cannotClaimReasons"] == []), state
    assert state["canInvite"] == (state["cannotInviteReasons"] == []), state
    return body["data"]["researcher"]


async def claim_and_approve(client: httpx.AsyncClient, settings, rid: str, sub: str,
                            orcid: str | None = None) -> str:
    """``sub`` claims ``rid`` and a moderator approves it; the claim's id."""
    body = await gql(client, contract("ClaimResearcher"),
                     {"id": rid, "evidence": {"orcid": orcid, "email": f"{sub}@example.org"}},
                     token=token(settings, sub))
    assert "errors" not in body, body
    cid = body["data"]["claimResearcher"]["claim"]["id"]
    body = await gql(client, contract("ReviewClaim"), {"claimId": cid, "approve": True},
                     token=token(settings, "mod", "moderator"))
    assert "errors" not in body, body
    return cid


async def claim_and_open(client: httpx.AsyncClient, settings, rid: str, sub: str) -> str:
    """``sub`` claims ``rid``, a moderator approves it, and ``sub`` marks it open to collaboration:
    a record others can invite. The claim's id."""
    cid = await claim_and_approve(client, settings, rid, sub)
    body = await gql(client, """mutation($id: ID!) { updateProfile(id: $id, openToCollaborate: true) {
        researcher { openToCollaborate } } }""", {"id": rid}, token=token(settings, sub))
    assert body.get("data", {}).get("updateProfile") == {"researcher": {"openToCollaborate": True}}, body
    return cid


@contextlib.asynccontextmanager
async def commits_answered_late(settings: Any, timeout: float = 1.0) -> AsyncIterator[httpx.AsyncClient]:
    """The app over httpx, its requests given ``timeout`` seconds (BZGRAPH_NEO4J_TIMEOUT), whose every
    change is answered only once its request's time has run out, as after a lock waited for or on a
    busy database: saved, with none of the request's own time left to read back what the mutation
    answers with. (An account's creation on its first request is answered at once: no change it asked for.)"""
    from bzgraph.app import create_app
    from bzgraph.db import request as db_request

    app = create_app(settings.model_copy(update={"neo4j_timeout": timeout}))
    async with app.router.lifespan_context(app):
        db = app.state.db
        execute, query = db.execute, db.query

        delayed: list[str] = []

        async def past_its_time() -> None:
            delayed.append("write")
            ends = db_request.request_deadline()
            assert ends is not None, "a change written outside a request"
            await asyncio.sleep(max(0.0, ends - asyncio.get_running_loop().time()) + 0.05)

        async def late_execute(work: Any, *, write: bool) -> Any:
            result = await execute(work, write=write)
            if write:
                await past_its_time()
            return result

        async def late_query(name: str, params: dict[str, Any], *, write: bool, **options: Any) -> Any:
            result = await query(name, params, write=write, **options)
            if write and name != "accounts/ensure-user":
                await past_its_time()
            return result

        db.execute, db.query = late_execute, late_query
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bzgraph.test") as client:
            yield client
        assert delayed, "no change was answered late: the writes go another way now, and the test tests nothing"


def free_port() -> int:
    """A loopback port that was free a moment ago: nothing answers there until someone binds it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(log: Path, **env: str) -> Iterator[int]:
    """`bzgraph serve` on a free loopback port, with ``env`` added to the environment and its output
    in ``log``; the port once it answers. Stopped (SIGTERM) on leaving."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "bzgraph.cli", "serve", "--port", str(port)],
                                  stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env})
    try:
        assert wait_until_up(f"http://127.0.0.1:{port}", process=server), log.read_text()[-3000:]
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


async def ready_within(client: httpx.AsyncClient, seconds: float) -> bool:
    """Whether ``/readyz`` says ready within ``seconds`` (asked every 0.2 s)."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + seconds
    while loop.time() < ends:
        if (await client.get("/readyz")).status_code == 200:
            return True
        await asyncio.sleep(0.2)
    return False


async def follow_and_hang_up(live_url: str, db: Any, settings: Any, researcher_id: str) -> None:
    """Send a follow of ``researcher_id`` to a real server while its lock is held, hang up a second
    into its wait, then release the lock: a follow still running would then take it and be written."""
    from urllib.parse import urlparse

    from bzgraph import queries
    from bzgraph.auth import issue_token

    token = issue_token(f"g{uuid.uuid4().hex[:6]}", [], 60, settings)
    body = json.dumps({"query": contract("FollowResearcher"), "variables": {"id": researcher_id}}).encode()
    url = urlparse(live_url)
    async with db.driver.session(database=db.settings.neo4j_database) as session:
        holder = await session.begin_transaction()
        try:
            await (await holder.run(queries.get("testing/lock-researcher").text, id=researcher_id)).consume()
            _, writer = await asyncio.open_connection(url.hostname, url.port)
            writer.write(b"POST /graphql HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\n"
                         b"authorization: Bearer " + token.encode() + b"\r\n"
                         b"content-length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
            await asyncio.sleep(1.0)  # the follow waits for the lock
            writer.close()  # the client hangs up
            await asyncio.sleep(1.0)
        finally:
            await holder.rollback()
    await asyncio.sleep(1.5)


class Relay:
    """A TCP relay to the test database that can be taken down and brought back, as a database
    restart (or a network failure) looks to the service: connections refused, then accepted."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.close()

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            self.links |= {writer, upstream_writer}
            await asyncio.gather(relay(reader, upstream_writer), relay(upstream_reader, writer))

        self.server = await asyncio.start_server(accept, "127.0.0.1", self.port)

    async def down(self) -> None:
        assert self.server is not None
        self.server.close()
        for link in self.links:
            link.close()
        self.links.clear()
        await self.server.wait_closed()

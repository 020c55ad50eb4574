"""The cost of exact follower counts: a burst of concurrent follows on ONE researcher (serialized by
the researcher's lock) against the same burst spread over DIFFERENT researchers, in one run.

Runs the app in-process against the configured database (seed it first: `bzgraph seed`); each round
follows and then unfollows, so the graph ends as it started. Prints the medians of the bursts'
wall times and their ratio, and checks the follower counts after every burst.

    python bench/follow_bench.py [--rounds 15] [--burst 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from pathlib import Path

import httpx

from bzgraph.app import create_app
from bzgraph.auth import issue_token
from bzgraph.seed import read_seed
from bzgraph.settings import get_settings

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract"
COUNT = 'query($id: ID!) { researcher(id: $id) { counts { followers } } }'


async def post(client: httpx.AsyncClient, document: str, variables: dict, tok: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {tok}"} if tok else {}
    body = (await client.post("/graphql", json={"query": document, "variables": variables}, headers=headers)).json()
    if "errors" in body:
        raise RuntimeError(body["errors"])
    return body["data"]


async def burst(client: httpx.AsyncClient, operation: str, pairs: list[tuple[str, str]]) -> float:
    """Send ``operation`` for every (researcher, token) pair at once; the wall time in ms."""
    start = time.perf_counter()
    await asyncio.gather(*(post(client, operation, {"id": rid}, tok) for rid, tok in pairs))
    return (time.perf_counter() - start) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--burst", type=int, default=20)
    args = parser.parse_args()
    settings = get_settings()
    researchers = [r["id"] for r in read_seed()["researchers"]][: args.burst]
    size = len(researchers)
    tokens = [issue_token(f"bench-{uuid.uuid4().hex[:8]}", [], 3600, settings) for _ in range(size)]
    follow, unfollow = ((CONTRACT / f"{name}.graphql").read_text() for name in ("FollowResearcher", "UnfollowResearcher"))
    one = researchers[0]
    app = create_app(settings)
    same, spread = [], []
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=60) as client:
            base = {rid: (await post(client, COUNT, {"id": rid}))["researcher"]["counts"]["followers"] for rid in researchers}
            for tok in tokens:  # accounts exist before timing starts
                await post(client, "{ viewer { id } }", {}, tok)
            for _ in range(args.rounds):
                same.append(await burst(client, follow, [(one, t) for t in tokens]))
                count = (await post(client, COUNT, {"id": one}))["researcher"]["counts"]["followers"]
                assert count == base[one] + size, (count, base[one], size)
                await burst(client, unfollow, [(one, t) for t in tokens])
                spread.append(await burst(client, follow, list(zip(researchers, tokens))))
                await burst(client, unfollow, list(zip(researchers, tokens)))
            after = {rid: (await post(client, COUNT, {"id": rid}))["researcher"]["counts"]["followers"] for rid in researchers}
            assert after == base, "the graph did not end as it started"
    m_same, m_spread = statistics.median(same), statistics.median(spread)
    print(f"burst of {size} concurrent follows, {args.rounds} rounds (wall time of the whole burst)")
    print(f"  spread over {size} researchers (baseline): median {m_spread:8.1f} ms  ({m_spread / size:.1f} ms/follow)")
    print(f"  all on one researcher (locked)  : median {m_same:8.1f} ms  ({m_same / size:.1f} ms/follow)")
    print(f"  ratio one/spread: {m_same / m_spread:.2f}")


if __name__ == "__main__":
    asyncio.run(main())

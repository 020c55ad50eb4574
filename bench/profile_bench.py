"""ProfilePage over HTTP against the same Cypher through the raw driver, in one run.

Starts `bzgraph serve` on a free loopback port against the configured database (seed it first:
`bzgraph seed`), then alternates the measurements so that machine noise hits all alike.
Prints the medians and the ratio HTTP / raw (goal: ≤ 1.25). The HTTP request is timed twice: with
httpx (what a Python client pays) and with a minimal keep-alive HTTP/1.1 client on asyncio streams,
which leaves out most of the client's own cost and so shows what the server adds. The same lean
client also times `bench/http_floor.py`: the same query behind a bare Starlette endpoint on the same
uvicorn, answering its rows as JSON. That is the floor any HTTP API on this stack pays; the ratio
ProfilePage / floor is what GraphQL adds.

    python bench/profile_bench.py [--rounds 300] [--id bzr-leon-bungert]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import httpx
import neo4j
from neo4j import AsyncGraphDatabase

from bzgraph import queries
from bzgraph.api.profile import ProfileArgs, profile_params
from bzgraph.settings import get_settings
from serving import LeanClient, fetch_rows, free_port, spawn, start_bzgraph, stop  # noqa: I001  (run from bench/ or with bench/ on the path)

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "ProfilePage.graphql"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--id", default="bzr-leon-bungert")
    args = parser.parse_args()
    settings = get_settings()
    port = free_port()
    server = start_bzgraph(port)
    floor_port = free_port()
    floor = spawn([sys.executable, str(Path(__file__).with_name("http_floor.py")), "--port", str(floor_port)])
    document = CONTRACT.read_text()
    variables = {"id": args.id, "worksFirst": 10}
    # Exactly what the resolver sends for this document: the same named query, the same parameters.
    params = profile_params([args.id], None, ProfileArgs(works_first=10, collaborators_first=0, topics_first=0))
    text = queries.get("profile/researchers").text
    driver = AsyncGraphDatabase.driver(settings.neo4j_uri,
                                       auth=(settings.neo4j_user, settings.neo4j_password_value()),
                                       notifications_min_severity="OFF")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(100):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)

            async def api() -> None:
                body = (await client.post("/graphql", json={"query": document, "variables": variables})).json()
                assert body["data"]["researcher"]["id"] == args.id, body

            lean = await LeanClient.connect(port)
            payload = json.dumps({"query": document, "variables": variables}).encode()
            floor_client = await LeanClient.connect_when_up(floor_port, "bench/http_floor.py", seconds=20)
            floor_payload = json.dumps(params).encode()

            async def http_floor() -> None:
                rows = await floor_client.post_json("/rows", floor_payload)
                assert rows and rows[0]["researcher"]["id"] == args.id

            async def api_lean() -> None:
                body = await lean.post_json("/graphql", payload)
                assert body["data"]["researcher"]["id"] == args.id, body

            async def raw() -> None:
                # The raw driver's quickest managed read, as bzgraph's own: execute_query (its BEGIN
                # goes with the query), the records as they arrive, without any conversion.
                rows = await driver.execute_query(text, params, database_=settings.neo4j_database,
                                                  routing_=neo4j.RoutingControl.READ, result_transformer_=fetch_rows)
                assert rows and rows[0]["researcher"]["id"] == args.id

            for _ in range(30):  # warm every path (plan cache, connection pools)
                await api()
                await api_lean()
                await http_floor()
                await raw()
            api_times, lean_times, floor_times, raw_times = [], [], [], []
            for _ in range(args.rounds):
                for fn, times in ((api, api_times), (api_lean, lean_times), (http_floor, floor_times),
                                  (raw, raw_times)):
                    start = time.perf_counter()
                    await fn()
                    times.append(time.perf_counter() - start)
            lean.close()
            floor_client.close()
    finally:
        await driver.close()
        stop(server, floor)
    api_ms, raw_ms = statistics.median(api_times) * 1e3, statistics.median(raw_times) * 1e3
    lean_ms, floor_ms = statistics.median(lean_times) * 1e3, statistics.median(floor_times) * 1e3
    print(f"ProfilePage over HTTP (httpx)        median {api_ms:7.2f} ms  ({args.rounds} rounds)")
    print(f"ProfilePage over HTTP (lean client)  median {lean_ms:7.2f} ms")
    print(f"same Cypher, bare HTTP endpoint      median {floor_ms:7.2f} ms  (lean client, no GraphQL)")
    print(f"same Cypher, raw driver              median {raw_ms:7.2f} ms")
    print(f"ratio HTTP / raw                     {api_ms / raw_ms:7.2f}  (goal ≤ 1.25)")
    print(f"ratio HTTP / raw, lean client        {lean_ms / raw_ms:7.2f}")
    print(f"ratio bare HTTP endpoint / raw       {floor_ms / raw_ms:7.2f}  (the floor of any HTTP API here)")
    print(f"ratio HTTP lean / bare endpoint      {lean_ms / floor_ms:7.2f}  (what GraphQL adds)")


if __name__ == "__main__":
    asyncio.run(main())

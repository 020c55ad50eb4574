"""Heavy queries taking turns (BZGRAPH_HEAVY_QUERIES) against running them all at once, in one run.

Starts `bzgraph serve` twice on free loopback ports against the configured database (import the
OpenAlex sample first: `bzgraph import openalex ../shared/data/openalex-idb/*.jsonl.gz`): one with
the turns as configured, one with them off (BZGRAPH_HEAVY_QUERIES=1000). Each round sends the same
burst to each, alternately: --requests requests at once, each of --aliases explores at depth 2 and
limit 500 around the graph's hubs, while a profile read goes every 0.3 s and, from 0.5 s on, one
small explore at a time (depth 2, limit 50: a UI user's). Prints how many explores were answered
(the others: SERVICE_UNAVAILABLE when the request's time ran out), the burst's time, the profile
reads' median and worst and how many lone explores got through, per setting and as ratios.

    BZGRAPH_NEO4J_URI=bolt://127.0.0.1:7694 BZGRAPH_DB_INSTANCE=fuzz python bench/heavy_bench.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter

import httpx

from bzgraph.db import Database
from bzgraph.settings import get_settings

OFF = 1000  # slots enough for every explore of a burst: no turns


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(slots: int | None) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = os.environ.copy() if slots is None else {**os.environ, "BZGRAPH_HEAVY_QUERIES": str(slots)}
    server = subprocess.Popen([sys.executable, "-m", "bzgraph.cli", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("bzgraph serve did not get ready")


async def burst(url: str, hubs: list[str], requests: int, light_id: str) -> dict[str, float]:
    document = "{" + " ".join(f'a{i}: explore(id: "{hub}", depth: 2, limit: 500) {{ truncated nodes {{ id }} }}'
                              for i, hub in enumerate(hubs)) + "}"
    light = {"query": '{ researcher(id: "%s") { name counts { works } works(first: 5) { totalCount } } }' % light_id}
    lone_document = '{ explore(id: "%s", depth: 2, limit: 50) { nodes { id } } }' % light_id
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=httpx.Limits(max_connections=requests + 2)) as client:
        done = asyncio.Event()

        async def heavy() -> Counter[str]:
            body = (await client.post("/graphql", json={"query": document})).json()
            answered = sum(value is not None for value in (body.get("data") or {}).values())
            return Counter({"answered": answered, **Counter(e["extensions"]["code"] for e in body.get("errors", []))})

        async def prober() -> tuple[list[float], int]:
            times, failed = [], 0
            while not done.is_set():
                started = time.perf_counter()
                body = (await client.post("/graphql", json=light)).json()
                times.append(time.perf_counter() - started)
                failed += "errors" in body
                await asyncio.sleep(0.3)
            return times, failed

        async def lone() -> tuple[int, int]:
            """One explore at a time, as a UI user's, sent after the burst began."""
            answered = sent = 0
            await asyncio.sleep(0.5)
            while not done.is_set():
                sent += 1
                body = (await client.post("/graphql", json={"query": lone_document})).json()
                answered += (body.get("data") or {}).get("explore") is not None
            return answered, sent

        probing = asyncio.create_task(prober())
        lonely = asyncio.create_task(lone())
        started = time.perf_counter()
        results = await asyncio.gather(*(heavy() for _ in range(requests)))
        took = time.perf_counter() - started
        done.set()
        light_times, light_failed = await probing
        lone_answered, lone_sent = await lonely
    total = sum(results, Counter())
    return {"answered": total["answered"], "unavailable": total["SERVICE_UNAVAILABLE"], "seconds": took,
            "light_median": statistics.median(light_times), "light_worst": max(light_times),
            "light_failed": light_failed, "lone_answered": lone_answered, "lone_sent": lone_sent}


async def hubs_of(count: int) -> list[str]:
    db = Database(get_settings())
    try:
        return [row["id"] for row in await db.read("bench/hubs", first=count)]
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3, help="requests sent at once")
    parser.add_argument("--aliases", type=int, default=9, help="explores per request (the cost rule allows 9)")
    parser.add_argument("--light-id", default="bzr-leon-bungert", help="the researcher the profile reads ask for")
    args = parser.parse_args()
    hubs = asyncio.run(hubs_of(args.aliases))
    configured = get_settings().heavy_queries
    print(f"{args.requests} requests at once, each of {len(hubs)} explores (depth 2, limit 500) around the hubs "
          f"{', '.join(hubs)}; {args.rounds} rounds")
    servers = {f"turns ({configured} slots)": serve(None), "all at once": serve(OFF)}
    figures: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
    try:
        for _ in range(args.rounds):
            for name, (_, url) in servers.items():
                figures[name].append(asyncio.run(burst(url, hubs, args.requests, args.light_id)))
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=30)
    sent = args.requests * len(hubs)
    medians = {name: {key: statistics.median(f[key] for f in runs) for key in runs[0]} for name, runs in figures.items()}
    for name, m in medians.items():
        print(f"{name:>18}: explores answered {m['answered']:.0f} of {sent} (SERVICE_UNAVAILABLE {m['unavailable']:.0f}), "
              f"burst {m['seconds']:.2f} s, profile reads meanwhile: median {m['light_median'] * 1000:.0f} ms, "
              f"worst {m['light_worst'] * 1000:.0f} ms, failed {m['light_failed']:.0f}; lone explores meanwhile answered "
              f"{m['lone_answered']:.0f} of {m['lone_sent']:.0f}   "
              f"(rounds: {[int(f['answered']) for f in figures[name]]})")
    turns, at_once = medians.values()
    print(f"ratio, explores answered (turns / all at once): {turns['answered'] / max(at_once['answered'], 1):.2f}")
    print(f"ratio, worst profile read (turns / all at once): {turns['light_worst'] / at_once['light_worst']:.2f}")


if __name__ == "__main__":
    main()

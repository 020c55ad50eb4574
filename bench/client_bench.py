"""The notebook client's `cypher()` through the API and through its direct Neo4j mode, against the
same query sent by the raw driver, alternated in one run. Prints the three medians and the ratios.

Starts `bzgraph serve` on a free loopback port against the configured database (seed it first:
`bzgraph seed`).

    python bench/client_bench.py [--rounds 200] [--query analytics/top-collaborators] [--id bzr-leon-bungert]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time

import httpx
from neo4j import GraphDatabase, RoutingControl

from bzgraph import analytics, queries
from bzgraph.client import Client
from bzgraph.settings import get_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--query", default="analytics/top-collaborators")
    parser.add_argument("--id", default="bzr-leon-bungert")
    args = parser.parse_args()
    settings = get_settings()
    auth = (settings.neo4j_user, settings.neo4j_password_value())
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "bzgraph.cli", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    params = analytics.prepare(args.query, {"id": args.id})
    text = queries.get(args.query).text
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with Client(url) as api, Client(url, neo4j_uri=settings.neo4j_uri, neo4j_auth=auth) as direct, \
                GraphDatabase.driver(settings.neo4j_uri, auth=auth, notifications_min_severity="OFF") as raw:
            runs = {
                "client via API": lambda: api.cypher(args.query, id=args.id),
                "client direct": lambda: direct.cypher(args.query, id=args.id),
                "raw driver": lambda: raw.execute_query(text, params, database_=settings.neo4j_database,
                                                        routing_=RoutingControl.READ),
            }
            assert list(runs["client via API"]()) == list(runs["client direct"]())
            times: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(20):
                for run in runs.values():
                    run()
            for _ in range(args.rounds):
                for name, run in runs.items():
                    times[name].append(_timed(run))
    finally:
        server.terminate()
        server.wait(timeout=20)
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"{args.query} ({args.id}), {args.rounds} rounds, alternated")
    for name, median in medians.items():
        print(f"  {name:15} median {median:7.2f} ms   ratio to raw driver {median / medians['raw driver']:.2f}")


if __name__ == "__main__":
    main()

"""Hub-safety of `explore`: hub centers against a small center on a synthetic 1 M-node graph, in one run.

Generates the seeded power-law graph of bench/synthetic_graph.py, loads it into the local instance
named by the settings with `neo4j-admin database import` (REPLACING that instance's data), applies
the migrations, refreshes the neighbour lists of the measured centers (timing that write-side cost
too), then times `explore/neighbourhood` through the database layer for each center and prints
medians, the hub / small ratio and the database hits from PROFILE.

    BZGRAPH_NEO4J_URI=bolt://127.0.0.1:7724 BZGRAPH_DB_INSTANCE=bench \\
    BZGRAPH_DB_HEAP=4g BZGRAPH_DB_PAGECACHE=4g python bench/explore_bench.py [--scale 1.0] [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from bzgraph import localdb, queries
from bzgraph.neighbours import NEIGHBOURS_KEPT
from bzgraph.db import Database, migrate
from bzgraph.settings import get_settings

from synthetic_graph import generate  # noqa: I001  (run from bench/ or with bench/ on the path)

CANDIDATE_SMALL = [f"syn-r{i}" for i in range(250_000, 250_400)]
CANDIDATE_HUB = [f"syn-r{i}" for i in range(40, 120)]  # Zipf ranks near 2,000 works at scale 1.0


def load(scale: float, seed: int) -> dict[str, int]:
    settings = get_settings()
    instance = localdb.instance_for(settings)
    localdb.stop(instance)
    target = instance.home / "import" / "synthetic"
    started = time.perf_counter()
    counts = generate(target, scale=scale, seed=seed)
    generated = time.perf_counter() - started
    files = {name: str(target / f"{name}.csv") for name in
             ("researchers", "topics", "institutions", "works", "authored", "has_topic", "cites", "affiliated")}
    started = time.perf_counter()
    localdb.admin(instance, "database", "import", "full", settings.neo4j_database, "--overwrite-destination=true",
                  "--array-delimiter=;", "--threads=2",
                  *[f"--nodes={files[n]}" for n in ("researchers", "topics", "institutions", "works")],
                  *[f"--relationships={files[r]}" for r in ("authored", "has_topic", "cites", "affiliated")])
    imported = time.perf_counter() - started
    localdb.start(settings, instance)
    print(f"generated {counts['nodes']:,} nodes and {counts['relationships']:,} relationships in {generated:.0f}s; "
          f"neo4j-admin import took {imported:.0f}s", flush=True)
    return counts


def _db_hits(plan: Any) -> int:
    return plan.get("dbHits", 0) + sum(_db_hits(child) for child in plan.get("children", []))


async def profile_hits(db: Database, name: str, params: dict[str, Any]) -> int:
    # Benchmark-only: PROFILE is a prefix keyword on the very same named query text.
    text = "PROFILE " + queries.get(name).text
    async with db.driver.session(database=db.settings.neo4j_database) as session:
        summary = await (await session.run(text, params)).consume()
    return _db_hits(summary.profile)


async def refresh(db: Database, ids: list[str], skip: bool = False) -> float:
    """Refresh the neighbour lists of ``ids``, one node per transaction; return the slowest, in seconds."""
    slowest = 0.0
    for node in [] if skip else ids:
        started = time.perf_counter()
        await db.write("explore/refresh", ids=[node], keep=NEIGHBOURS_KEPT)
        slowest = max(slowest, time.perf_counter() - started)
    return slowest


async def neighbourhood(db: Database, node: str, depth: int = 1, limit: int = 50) -> dict[str, Any]:
    params = dict(id=node, depth=depth, kinds=None, limit=limit, firstLevel=limit if depth == 1 else (limit + 1) // 2,
                  crossEdges=False)
    return (await db.read("explore/neighbourhood", **params))[0]


async def timed(db: Database, name: str, cases: dict[Any, dict[str, Any]], rounds: int) -> dict[Any, float]:
    """Median milliseconds per case, the cases interleaved so that noise hits every case alike."""
    for params in cases.values():
        for _ in range(10):
            await db.read(name, **params)
    times: dict[Any, list[float]] = {label: [] for label in cases}
    for _ in range(rounds):
        for label, params in cases.items():
            started = time.perf_counter()
            await db.read(name, **params)
            times[label].append(time.perf_counter() - started)
    return {label: statistics.median(t) * 1e3 for label, t in times.items()}


async def run(rounds: int, skip_refresh: bool) -> None:
    db = Database(get_settings().model_copy(update={"neo4j_timeout": 600.0}))
    try:
        started = time.perf_counter()
        await migrate(db)
        print(f"migrations (constraints, indexes, full-text) on the loaded graph: {time.perf_counter() - started:.0f}s",
              flush=True)
        write_cost = {"hub topic syn-t0": await refresh(db, ["syn-t0"], skip_refresh),
                      "mega researcher syn-r0": await refresh(db, ["syn-r0"], skip_refresh),
                      "small researchers (slowest of 400)": await refresh(db, CANDIDATE_SMALL, skip_refresh),
                      "researchers ranked 40-120 (slowest)": await refresh(db, CANDIDATE_HUB, skip_refresh)}
        degree = {rid: sum((await neighbourhood(db, rid))["totals"]) for rid in CANDIDATE_SMALL}
        small = min(degree, key=lambda r: (abs(degree[r] - 10), r))
        works = {rid: (await neighbourhood(db, rid))["totals"][1] for rid in CANDIDATE_HUB}
        hub = min(works, key=lambda r: (abs(works[r] - 2000), r))
        centers = {"small researcher": small, "hub researcher": hub, "mega researcher": "syn-r0", "hub topic": "syn-t0"}
        degree = {label: (await neighbourhood(db, cid))["totals"] for label, cid in centers.items()}
        parents = sorted({n["id"] for cid in centers.values() for n in (await neighbourhood(db, cid, 2))["nodes"]})
        write_cost[f"depth-2 parents ({len(parents)}, slowest)"] = await refresh(db, parents, skip_refresh)

        if not skip_refresh:
            print("\nwrite-side cost (explore/refresh of one node, once per change):")
            for name, seconds in write_cost.items():
                print(f"  {name:36} {seconds * 1e3:9.1f} ms")
        for depth in (1, 2):
            # each center without and with crossEdges (the edges among the shown nodes), all interleaved
            cases = {(label, cross): dict(id=cid, depth=depth, kinds=None, limit=50,
                                          firstLevel=50 if depth == 1 else 25, crossEdges=cross)
                     for label, cid in centers.items() for cross in (False, True)}
            medians = await timed(db, "explore/neighbourhood", cases, rounds)
            print(f"\nexplore depth {depth}, limit 50 ({rounds} rounds each, interleaved; ratio: against the small "
                  f"researcher; crossEdges: the same with the edges among the shown nodes)")
            print(f"  {'center':18} {'id':10} {'neighbours [R, W, T, I]':>34} {'median ms':>10} {'ratio':>6} {'db hits':>8}"
                  f" {'crossEdges ms':>14} {'ratio':>6} {'readings':>8}")
            base = medians[("small researcher", False)]
            for label, cid in centers.items():
                plain, cross = cases[(label, False)], cases[(label, True)]
                hits = await profile_hits(db, "explore/neighbourhood", plain)
                readings = len((await db.read("explore/neighbourhood", **cross))[0]["crossReadings"])
                print(f"  {label:18} {cid:10} {str(degree[label]):>34} {medians[(label, False)]:10.2f} "
                      f"{medians[(label, False)] / base:6.2f} {hits:8,} {medians[(label, True)]:14.2f} "
                      f"{medians[(label, True)] / medians[(label, False)]:6.2f} {readings:8}", flush=True)
        paths = {"small - small": dict(source=small, target=CANDIDATE_SMALL[0], maxHops=8),
                 "small - hub": dict(source=small, target=hub, maxHops=8),
                 "small - mega": dict(source=small, target="syn-r0", maxHops=8)}
        medians = await timed(db, "explore/collaboration-path", paths, max(10, rounds // 5))
        print(f"\ncollaborationPath, maxHops 8 ({max(10, rounds // 5)} rounds each, interleaved)")
        for label, params in paths.items():
            people = (await db.read("explore/collaboration-path", **params))[0]["researchers"]
            hops = f"{len(people) - 1} hops" if people else "no path"
            hits = await profile_hits(db, "explore/collaboration-path", params)
            print(f"  {label:14} {hops:8} {medians[label]:10.2f} ms {hits:10,} db hits")
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--skip-load", action="store_true", help="reuse the graph loaded by an earlier run")
    parser.add_argument("--skip-refresh", action="store_true",
                        help="reuse the neighbour lists an earlier run refreshed (no write-side figures)")
    args = parser.parse_args()
    if not args.skip_load:
        load(args.scale, args.seed)
    asyncio.run(run(args.rounds, args.skip_refresh))


if __name__ == "__main__":
    main()

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
from bzgraph.api.explore import NEIGHBOURS_KEPT
from bzgraph.db import Database, migrate
from bzgraph.settings import get_settings

from synthetic_graph import generate  # noqa: I001  (run from bench/ or with bench/ on the path)

CANDIDATE_SMALL = [f"syn-r{i}" for i in range(250_000, 250_400)]


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
          f"neo4j-admin import took {imported:.0f}s")
    return counts


def _db_hits(plan: Any) -> int:
    return plan.get("dbHits", 0) + sum(_db_hits(child) for child in plan.get("children", []))


async def profile_hits(db: Database, params: dict[str, Any]) -> int:
    # Benchmark-only: PROFILE is a prefix keyword on the very same named query text.
    text = "PROFILE " + queries.get("explore/neighbourhood").text
    async with db.driver.session(database=db.settings.neo4j_database) as session:
        summary = await (await session.run(text, params)).consume()
    return _db_hits(summary.profile)


async def run(rounds: int) -> None:
    db = Database(get_settings().model_copy(update={"neo4j_timeout": 120.0}))
    try:
        started = time.perf_counter()
        await migrate(db)
        print(f"migrations (constraints, indexes, full-text) on the loaded graph: {time.perf_counter() - started:.0f}s")
        refresh_times = {}
        for name, ids in (("hub topic syn-t0", ["syn-t0"]), ("hub researcher syn-r0", ["syn-r0"]),
                          ("400 small researchers", CANDIDATE_SMALL)):
            started = time.perf_counter()
            await db.write("explore/refresh", ids=ids, keep=NEIGHBOURS_KEPT)
            refresh_times[name] = time.perf_counter() - started
        sizes = {}
        for rid in CANDIDATE_SMALL:
            row = (await db.read("explore/neighbourhood", id=rid, depth=1, kinds=None, limit=50, firstLevel=50))[0]
            sizes[rid] = sum(row["totals"])
        small = min(sizes, key=lambda r: (abs(sizes[r] - 10), r))
        centers = {"small researcher": small, "hub researcher": "syn-r0", "hub topic": "syn-t0"}
        degree = {}
        for label, cid in centers.items():
            row = (await db.read("explore/neighbourhood", id=cid, depth=1, kinds=None, limit=50, firstLevel=50))[0]
            degree[label] = sum(row["totals"])
        # the depth-2 ring needs the shown neighbours' lists too
        for cid in centers.values():
            row = (await db.read("explore/neighbourhood", id=cid, depth=1, kinds=None, limit=25, firstLevel=25))[0]
            await db.write("explore/refresh", ids=[n["id"] for n in row["nodes"]], keep=NEIGHBOURS_KEPT)

        print("\nwrite-side cost (explore/refresh, once per change):")
        for name, seconds in refresh_times.items():
            print(f"  {name:28} {seconds * 1e3:9.1f} ms")
        for depth in (1, 2):
            params_of = {label: dict(id=cid, depth=depth, kinds=None, limit=50,
                                     firstLevel=50 if depth == 1 else 25) for label, cid in centers.items()}
            for params in params_of.values():
                for _ in range(20):
                    await db.read("explore/neighbourhood", **params)
            times: dict[str, list[float]] = {label: [] for label in centers}
            for _ in range(rounds):
                for label, params in params_of.items():  # interleaved: noise hits every center alike
                    started = time.perf_counter()
                    await db.read("explore/neighbourhood", **params)
                    times[label].append(time.perf_counter() - started)
            medians = {label: statistics.median(t) * 1e3 for label, t in times.items()}
            print(f"\nexplore depth {depth}, limit 50 ({rounds} rounds each, interleaved)")
            print(f"  {'center':18} {'neighbours':>10} {'median ms':>10} {'ratio':>7} {'db hits':>9}")
            for label, params in params_of.items():
                hits = await profile_hits(db, params)
                print(f"  {label:18} {degree[label]:10,} {medians[label]:10.2f} "
                      f"{medians[label] / medians['small researcher']:7.2f} {hits:9,}")
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--skip-load", action="store_true", help="reuse the graph loaded by an earlier run")
    args = parser.parse_args()
    if not args.skip_load:
        load(args.scale, args.seed)
    asyncio.run(run(args.rounds))


if __name__ == "__main__":
    main()

"""OpenAlex import throughput against a ``LOAD CSV`` import of the same rows, same server, same run.

WIPES the configured database (use your own instance), then for each round:
  candidate: ``bzgraph import openalex`` of the whole sample (parse, map, batched UNWIND writes,
             citations, derived counts, trust, checkpoints), from the .jsonl.gz files;
  baseline:  the same node and relationship rows, mapped beforehand (untimed) and written as CSV into
             the server's import dir, loaded with ``LOAD CSV`` + MERGE in transactions of 1000 rows
             (nodes and relationships only: no derived counts, no trust, no checkpoints).
The database is wiped and migrated before each measurement. Prints records/s, relationships/s, the
medians and the ratio candidate/baseline (goal: >= 1.0), also without the import's final
explore refresh phase (which the baseline does not do). After each import, the same files are imported
again: every record is a copy the graph holds, passed over (its time is printed, not in the ratio).

    BZGRAPH_NEO4J_URI=bolt://127.0.0.1:7716 BZGRAPH_DB_INSTANCE=h6 python bench/import_bench.py --wipe [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import statistics
import time
from pathlib import Path
from typing import Any

from bzgraph import localdb, queries
from bzgraph.db import Database, migrate
from bzgraph.ingest.files import expand_paths, read_items
from bzgraph.ingest.load import Batch, import_paths
from bzgraph.ingest.openalex import MalformedRecord, map_record
from bzgraph.settings import get_settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "openalex-idb"
INPUTS = [DATA / "works.jsonl.gz", DATA / "authors.jsonl.gz"]
NODE_FILES = {"Source": "sources", "Topic": "topics", "Institution": "institutions",
              "Researcher": "researchers", "Work": "works"}


def all_rows(paths: list[Path]) -> tuple[Batch, int]:
    """Every record of ``paths`` mapped and merged, as the baseline's rows."""
    batch, records = Batch(), 0
    for source in expand_paths(paths):
        for item in read_items(source):
            try:
                batch.add(map_record(item.record))
                records += 1
            except MalformedRecord:
                pass
    return batch, records


def joined(values: list[Any]) -> str | None:
    return "|".join(str(v) for v in values) if values else None


def affiliations(p: dict[str, Any]) -> dict[tuple[str, str], set[int]]:
    """The AFFILIATED_WITH edges the import derives (ingest/affiliations): the institutions works list
    for each author, with the works' years, and the Author records' affiliations."""
    found: dict[tuple[str, str], set[int]] = {}
    for w in p["works"]:
        for a in w["authors"]:
            for institution in a["institutions"]:
                found.setdefault((a["researcher"], institution), set()).update([w["year"]] if w["year"] is not None else [])
    for r in p["researchers"]:
        for a in (r["record"] or {}).get("affiliations", []):
            found.setdefault((r["id"], a["institution"]), set()).update(a["years"])
    return found


def write_csvs(batch: Batch, directory: Path) -> dict[str, int]:
    """One CSV per node label and relationship type; returns the row count of each."""
    directory.mkdir(parents=True, exist_ok=True)
    p = batch.params()
    work_ids = {w["id"] for w in p["works"]}
    nodes: dict[str, list[dict[str, Any]]] = {
        "Source": p["sources"], "Topic": p["topics"], "Institution": p["institutions"],
        "Researcher": [{"id": r["id"], "name": part["name"], "nameKey": part["key"], "orcid": part["orcid"],
                        "aliases": joined(sorted({n for n in r["names"] if n.lower() != part["name"].lower()}))}
                       for r in p["researchers"] for part in [r["record"] or r["seen"]]],
        "Work": [{k: (joined(v) if k == "rawAuthorNames" else v) for k, v in w.items()
                  if k not in ("authors", "topics", "references", "source")} for w in p["works"]],
    }
    rels: dict[str, list[tuple[str, str, Any]]] = {
        "AUTHORED": [(a["researcher"], w["id"], a["position"]) for w in p["works"] for a in w["authors"]],
        "HAS_TOPIC": [(w["id"], t["topic"], t["score"]) for w in p["works"] for t in w["topics"]],
        "PUBLISHED_IN": [(w["id"], w["source"], None) for w in p["works"] if w["source"]],
        "AFFILIATED_WITH": [(r, i, joined(sorted(years))) for (r, i), years in affiliations(p).items()],
        "CITES": [(w["id"], ref, None) for w in p["works"] for ref in w["references"] if ref in work_ids],
    }
    sizes = {}
    for label, rows in nodes.items():
        with (directory / f"{label}.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
            writer.writeheader()
            writer.writerows(rows)
        sizes[label] = len(rows)
    for rel_type, triples in rels.items():
        with (directory / f"{rel_type}.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["start", "end", "value"])
            writer.writerows(triples)
        sizes[rel_type] = len(triples)
    return sizes


async def auto_commit(db: Database, name: str, **params: Any) -> Any:
    """Run a named query in an auto-commit transaction (needed by CALL ... IN TRANSACTIONS)."""
    async with db.driver.session(database=db.settings.neo4j_database) as session:
        result = await session.run(queries.get(name).text, params)
        return await result.consume()


async def reset(db: Database) -> None:
    await auto_commit(db, "bench/wipe")
    await migrate(db)


async def baseline(db: Database, sizes: dict[str, int]) -> tuple[float, int]:
    """LOAD CSV of every node file, then every relationship file; seconds and relationships written."""
    started = time.perf_counter()
    relationships = 0
    for label in NODE_FILES:
        await auto_commit(db, "bench/load-csv-nodes", url=f"file:///bench/{label}.csv", label=label)
    for rel_type in ("AUTHORED", "HAS_TOPIC", "PUBLISHED_IN", "AFFILIATED_WITH", "CITES"):
        summary = await auto_commit(db, "bench/load-csv-relationships",
                                    url=f"file:///bench/{rel_type}.csv", type=rel_type)
        relationships += summary.counters.relationships_created
    return time.perf_counter() - started, relationships


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--wipe", action="store_true", help="confirm: the database is wiped")
    args = parser.parse_args()
    if not args.wipe:
        raise SystemExit("this benchmark wipes the configured database; pass --wipe to confirm")
    settings = get_settings().model_copy(update={"neo4j_timeout": 300.0})
    import_dir = localdb.instance_for(settings).home / "import" / "bench"
    batch, records = all_rows(INPUTS)
    sizes = write_csvs(batch, import_dir)
    print(f"sample: {records} records; rows: " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
    db = Database(settings)
    ours: list[tuple[float, int]] = []
    writes_only: list[tuple[float, int]] = []
    theirs: list[tuple[float, int]] = []
    again: list[float] = []
    try:
        for round_number in range(1, args.rounds + 1):
            await reset(db)
            summary = await import_paths(db, INPUTS, batch_size=args.batch_size)
            ours.append((summary.seconds, summary.relationships_written))
            writes_only.append((summary.seconds - summary.refresh_seconds, summary.relationships_written))
            repeated = await import_paths(db, INPUTS, batch_size=args.batch_size)
            assert repeated.unchanged + repeated.superseded == repeated.records, "records were written again"
            again.append(repeated.seconds)
            await reset(db)
            theirs.append(await baseline(db, sizes))
            print(f"round {round_number}: import {ours[-1][0]:.1f}s (again, unchanged: {again[-1]:.1f}s), "
                  f"LOAD CSV {theirs[-1][0]:.1f}s")
    finally:
        await db.close()
    for name, runs in (("bzgraph import", ours), ("  writes only", writes_only), ("LOAD CSV", theirs)):
        seconds = statistics.median(s for s, _ in runs)
        rels = statistics.median(r for _, r in runs)
        print(f"{name:15} median {seconds:6.1f}s  {records / seconds:7.0f} records/s  "
              f"{rels / seconds:8.0f} relationships/s ({rels} relationships)")
    print(f"{'  again':15} median {statistics.median(again):6.1f}s  {records / statistics.median(again):7.0f} records/s"
          "  (the same files again: every record passed over)")
    ratio = statistics.median(s for s, _ in theirs) / statistics.median(s for s, _ in ours)
    print(f"ratio (import throughput / LOAD CSV throughput): {ratio:.2f}  (goal >= 1.0)")
    ratio = statistics.median(s for s, _ in theirs) / statistics.median(s for s, _ in writes_only)
    print(f"ratio without the explore refresh phase: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())

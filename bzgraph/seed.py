"""Load the seed graph (``seeds/graph.json``) idempotently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bzgraph.db import Database, Tx
from bzgraph.folding import name_key, sort_key, spellings
from bzgraph.neighbours import NEIGHBOURS_KEPT
from bzgraph.settings import PROJECT_ROOT

SEED_FILE = PROJECT_ROOT / "seeds" / "graph.json"


def read_seed(path: Path = SEED_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


async def load_seed(db: Database, path: Path = SEED_FILE) -> dict[str, int]:
    """MERGE every seed node and relationship; recompute trust and the neighbour lists explore reads."""
    seed = read_seed(path)
    params = {key: seed.get(key, []) for key in
              ("sources", "topics", "institutions", "researchers", "works", "affiliations")}
    for key in ("topics", "institutions", "researchers"):
        params[key] = [{**row, "nameKey": name_key(row["name"]) if row.get("name") else None,
                        "spellings": spellings(row.get("name"))} for row in params[key]]
    params["works"] = [{**row, "sortTitle": sort_key(row.get("title")), "spellings": spellings(row.get("title"))}
                       for row in params["works"]]
    ids = [r["id"] for r in seed["researchers"]]
    explorable = ids + [n["id"] for key in ("works", "topics", "institutions") for n in seed[key]]

    async def work(tx: Tx) -> dict[str, int]:
        rows = await tx.run("seed/load", **params)
        await tx.run("trust/recompute", ids=ids)
        await tx.run("explore/refresh", ids=explorable, keep=NEIGHBOURS_KEPT)
        return rows[0]

    return await db.execute(work, write=True)

"""A seeded generator of a synthetic scholarly graph with power-law degrees.

Writes CSV files for `neo4j-admin database import full` (the fastest way to load millions of rows
into an empty database) following docs/graph-model.md: researchers, works, topics, institutions
and their AUTHORED, HAS_TOPIC, CITES and AFFILIATED_WITH relationships. Authors, topics and cited
works are drawn with Zipf-like weights, so a few nodes are hubs and most have few neighbours; two
hubs are planted on purpose: topic ``syn-t0`` on exactly ``hub_topic_works`` works, and researcher
``syn-r0`` on at least ``hub_researcher_works`` works (as the Zipf head it gets far more: ~84,000 at
scale 1.0; the researchers ranked 40-120 have about 2,000 each).

    python bench/synthetic_graph.py OUT_DIR [--scale 1.0] [--seed 42]

At scale 1.0: ~1.0 M nodes and ~5.3 M relationships.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import itertools
import json
import random
from pathlib import Path


def zipf_cdf(n: int, alpha: float) -> list[float]:
    weights = [1.0 / (i + 1) ** alpha for i in range(n)]
    return list(itertools.accumulate(weights))


def draw(rng: random.Random, cdf: list[float]) -> int:
    return bisect.bisect_left(cdf, rng.random() * cdf[-1])


def generate(out: Path, scale: float = 1.0, seed: int = 42, hub_topic_works: int = 100_000,
             hub_researcher_works: int = 2_000) -> dict[str, int]:
    rng = random.Random(seed)
    n_res, n_works = int(300_000 * scale), int(650_000 * scale)
    n_topics, n_inst = max(10, int(5_000 * scale)), max(10, int(45_000 * scale))
    hub_topic_works = min(hub_topic_works, n_works)
    hub_researcher_works = min(hub_researcher_works, n_works)
    out.mkdir(parents=True, exist_ok=True)
    author_cdf, topic_cdf = zipf_cdf(n_res, 0.9), zipf_cdf(n_topics, 1.1)
    cite_cdf, inst_cdf = zipf_cdf(n_works, 0.8), zipf_cdf(n_inst, 0.9)
    counts = {"nodes": 0, "relationships": 0}

    def writer(name: str, header: list[str]):
        handle = (out / name).open("w", newline="", encoding="utf-8")
        w = csv.writer(handle)
        w.writerow(header)
        return handle, w

    files = []
    h, nodes = writer("researchers.csv", ["id:ID", "name", ":LABEL"])
    files.append(h)
    for i in range(n_res):
        nodes.writerow([f"syn-r{i}", f"Researcher {i}", "Researcher;Entity"])
    h, nodes = writer("topics.csv", ["id:ID", "name", "field", ":LABEL"])
    files.append(h)
    for i in range(n_topics):
        nodes.writerow([f"syn-t{i}", f"Topic {i}", f"Field {i % 26}", "Topic;Entity"])
    h, nodes = writer("institutions.csv", ["id:ID", "name", "country", ":LABEL"])
    files.append(h)
    for i in range(n_inst):
        nodes.writerow([f"syn-i{i}", f"Institution {i}", "XX", "Institution;Entity"])
    h, works = writer("works.csv", ["id:ID", "title", "year:int", "type", "citedByCount:int", ":LABEL"])
    files.append(h)
    h, authored = writer("authored.csv", [":START_ID", ":END_ID", ":TYPE", "position:int"])
    files.append(h)
    h, has_topic = writer("has_topic.csv", [":START_ID", ":END_ID", ":TYPE", "score:float"])
    files.append(h)
    h, cites = writer("cites.csv", [":START_ID", ":END_ID", ":TYPE"])
    files.append(h)
    h, affiliated = writer("affiliated.csv", [":START_ID", ":END_ID", ":TYPE", "years:int[]"])
    files.append(h)

    rel_count = 0
    for i in range(n_works):
        wid = f"syn-w{i}"
        works.writerow([wid, f"Work {i}", 1990 + rng.randrange(36), "article", int(rng.paretovariate(1.2)) - 1,
                        "Work;Entity"])
        team = {draw(rng, author_cdf) for _ in range(rng.randint(1, 6))}
        if i < hub_researcher_works:
            team.add(0)
        for position, r in enumerate(sorted(team), 1):
            authored.writerow([f"syn-r{r}", wid, "AUTHORED", position])
        topics = {draw(rng, topic_cdf) for _ in range(rng.randint(1, 3))} - {0}
        if i < hub_topic_works:
            topics.add(0)
        for t in topics:
            has_topic.writerow([wid, f"syn-t{t}", "HAS_TOPIC", round(rng.random(), 3)])
        cited = {draw(rng, cite_cdf) for _ in range(rng.randint(0, 4))} - {i}
        for c in cited:
            cites.writerow([wid, f"syn-w{c}", "CITES"])
        rel_count += len(team) + len(topics) + len(cited)
    for r in range(n_res):
        years = sorted(rng.sample(range(2000, 2026), rng.randint(1, 3)))
        affiliated.writerow([f"syn-r{r}", f"syn-i{draw(rng, inst_cdf)}", "AFFILIATED_WITH", ";".join(map(str, years))])
    rel_count += n_res
    for handle in files:
        handle.close()
    counts["nodes"] = n_res + n_works + n_topics + n_inst
    counts["relationships"] = rel_count
    (out / "summary.json").write_text(json.dumps({**counts, "seed": seed, "scale": scale}))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(generate(args.out, args.scale, args.seed))


if __name__ == "__main__":
    main()

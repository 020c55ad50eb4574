#!/usr/bin/env python3
"""Build seeds/graph.json from the reference material (stdlib only, deterministic).

    python3 seeds/build_seed.py

Reads, read-only, from <repo>/../shared/reference:
  - 000_10539054c638206b.txt  the public profile page of Leon Bungert (type, year, venue, title,
                              abstract of his nine works, in the page's order)
  - bungert-works.json        arXiv ids, v1 dates, DOIs and ordered author lists of the same works

Only facts stated in those files go into the graph: no ORCID, e-mail, affiliation or other
identifier is made up. Topics are curated by the team (TOPICS / WORK_TOPICS below).
"""

from __future__ import annotations

import html
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
PAGE = REFERENCE / "000_10539054c638206b.txt"
WORKS_JSON = REFERENCE / "bungert-works.json"
OUT = Path(__file__).resolve().parent / "graph.json"

PROFILE_NAME = "Leon Bungert"
EXPECTED_WORKS = 9

# Spelling variants of one person seen in the author lists -> the canonical name (the fullest
# correct spelling that actually appears in the sources). Every other spelling becomes an alias.
ALIASES: dict[str, str] = {
    "A. Nguyen": "An Nguyen",
    "Bjoern M. Eskofier": "Björn Eskofier",
}

SOURCE = {"id": "bzs-arxiv", "name": "arXiv", "type": "repository"}

# Curated topics (OpenAlex-style subfield / field / domain).
TOPICS: list[dict[str, str]] = [
    {"name": "Mean-field dynamics of transformers", "subfield": "Artificial Intelligence",
     "field": "Computer Science", "domain": "Physical Sciences"},
    {"name": "Sparse neural network training", "subfield": "Artificial Intelligence",
     "field": "Computer Science", "domain": "Physical Sciences"},
    {"name": "Adversarial robustness", "subfield": "Artificial Intelligence",
     "field": "Computer Science", "domain": "Physical Sciences"},
    {"name": "Conditional probability and measure theory", "subfield": "Statistics and Probability",
     "field": "Mathematics", "domain": "Physical Sciences"},
    {"name": "Graph-based semi-supervised learning", "subfield": "Computational Theory and Mathematics",
     "field": "Computer Science", "domain": "Physical Sciences"},
    {"name": "Nonlinear eigenvalue problems", "subfield": "Numerical Analysis",
     "field": "Mathematics", "domain": "Physical Sciences"},
    {"name": "Gradient flows", "subfield": "Applied Mathematics",
     "field": "Mathematics", "domain": "Physical Sciences"},
    {"name": "Hyperspectral image fusion", "subfield": "Computer Vision and Pattern Recognition",
     "field": "Computer Science", "domain": "Physical Sciences"},
    {"name": "Variational methods in imaging", "subfield": "Computer Vision and Pattern Recognition",
     "field": "Computer Science", "domain": "Physical Sciences"},
]

# Work title (as on the page) -> [(topic name, score)], 1 to 3 per work.
WORK_TOPICS: dict[str, list[tuple[str, float]]] = {
    "Quantifying Concentration Phenomena of Mean-Field Transformers in the Low-Temperature Regime": [
        ("Mean-field dynamics of transformers", 1.0), ("Gradient flows", 0.4)],
    "A Bregman Learning Framework for Sparse Neural Networks": [
        ("Sparse neural network training", 1.0)],
    "Improving Robustness against Real-World and Worst-Case Distribution Shifts through Decision Region Quantification": [
        ("Adversarial robustness", 1.0)],
    "The lion in the attic -- A resolution of the Borel--Kolmogorov paradox": [
        ("Conditional probability and measure theory", 1.0)],
    "Continuum Limit of Lipschitz Learning on Graphs": [
        ("Graph-based semi-supervised learning", 1.0), ("Nonlinear eigenvalue problems", 0.3)],
    "Gradient Flows and Nonlinear Power Methods for the Computation of Nonlinear Eigenfunctions": [
        ("Nonlinear eigenvalue problems", 1.0), ("Gradient flows", 0.9)],
    "Identifying Untrustworthy Predictions in Neural Networks by Geometric Gradient Analysis": [
        ("Adversarial robustness", 0.9)],
    "Nonlinear Power Method for Computing Eigenvectors of Proximal Operators and Neural Networks": [
        ("Nonlinear eigenvalue problems", 1.0), ("Variational methods in imaging", 0.5)],
    "Blind Image Fusion for Hyperspectral Imaging with the Directional Total Variation": [
        ("Hyperspectral image fusion", 1.0), ("Variational methods in imaging", 0.8)],
}


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def name_key(name: str) -> tuple[str, str]:
    """(first initial, surname), transliterated, for spotting spelling variants of one person."""
    folded = name.lower().replace("oe", "o").replace("ae", "a").replace("ue", "u")
    parts = slug(folded).split("-")
    return parts[0][:1], parts[-1]


def parse_page(text: str) -> list[dict]:
    lines = text.split("\n")
    header = re.compile(r"^(preprint|article|book-chapter|book|dataset)(\d{4})(.+)$")
    works = []
    start = lines.index("Published work")
    i = start
    while i < len(lines):
        m = header.match(lines[i])
        if m:
            rest = [line for line in lines[i + 1:i + 6] if line != ""][:2]
            title, abstract = rest
            works.append({"type": m.group(1), "year": int(m.group(2)), "venue": m.group(3),
                          "title": html.unescape(title), "abstract_raw": abstract,
                          "abstract": html.unescape(abstract)})
            i += 5
        else:
            i += 1
    return works


def build() -> tuple[dict, dict]:
    page_works = parse_page(PAGE.read_text(encoding="utf-8"))
    facts = json.loads(WORKS_JSON.read_text(encoding="utf-8"))
    assert facts["researcher"] == PROFILE_NAME
    assert len(page_works) == EXPECTED_WORKS, len(page_works)
    facts_by_title = {w["title"]: w for w in facts["works"]}
    assert len(facts_by_title) == EXPECTED_WORKS

    # --- researchers -------------------------------------------------------------------------
    spellings: list[str] = [PROFILE_NAME]
    for w in facts["works"]:
        for a in w["authors"] or []:
            if a["name"] not in spellings:
                spellings.append(a["name"])
    canonical = {s: ALIASES.get(s, s) for s in spellings}
    # Every group of spellings sharing (first initial, surname) must be covered by ALIASES.
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in spellings:
        groups[name_key(s)].add(canonical[s])
    unmerged = {k: sorted(v) for k, v in groups.items() if len(v) > 1}
    assert not unmerged, f"possible spelling variants not merged: {unmerged}"

    researchers: dict[str, dict] = {}
    rid_of: dict[str, str] = {}
    for s in spellings:
        name = canonical[s]
        rid = "bzr-" + slug(name)
        rid_of[s] = rid
        r = researchers.setdefault(rid, {
            "id": rid, "name": name, "aliases": [], "orcid": None,
            "openToCollaborate": name == PROFILE_NAME, "bio": None})
        assert r["name"] == name, f"id clash: {rid}"
        if s != name and s not in r["aliases"]:
            r["aliases"].append(s)
    for r in researchers.values():
        r["aliases"].sort()
    profile_id = rid_of[PROFILE_NAME]

    # --- topics ------------------------------------------------------------------------------
    topics = [{"id": "bzt-" + slug(t["name"]), **t} for t in TOPICS]
    tid_of = {t["name"]: t["id"] for t in topics}

    # --- works -------------------------------------------------------------------------------
    works = []
    for pw in page_works:
        f = facts_by_title[pw["title"]]  # match by title; KeyError if the files disagree
        assert pw["venue"] == "arXiv" and pw["type"] == "preprint"
        assert pw["year"] == f["year_on_profile"], pw["title"]
        if f["arxiv_id"]:
            wid = "bzw-arxiv-" + f["arxiv_id"]
        else:
            wid = "bzw-" + slug(" ".join(pw["title"].split()[:5]))
        if f["authors"] is None:  # unconfirmed author list: only the profile's researcher
            authors = [{"researcher": profile_id, "position": 1}]
        else:
            authors = [{"researcher": rid_of[a["name"]], "position": i}
                       for i, a in enumerate(f["authors"], start=1)]
        wt = WORK_TOPICS[pw["title"]]
        assert 1 <= len(wt) <= 3 and all(0 < s <= 1 for _, s in wt)
        works.append({
            "id": wid,
            "title": pw["title"],
            "abstract": pw["abstract"] or None,
            "year": pw["year"],
            "date": f["v1_date"],
            "type": pw["type"],
            "language": "en",
            "doi": f["doi"],
            "arxivId": f["arxiv_id"],
            "citedByCount": None,
            "source": SOURCE["id"],
            "authors": authors,
            "topics": sorted(({"topic": tid_of[n], "score": float(s)} for n, s in wt),
                             key=lambda x: (-x["score"], x["topic"])),
        })

    graph = {
        "researchers": sorted(researchers.values(), key=lambda r: r["id"]),
        "sources": [dict(SOURCE)],
        "topics": sorted(topics, key=lambda t: t["id"]),
        "institutions": [],
        "affiliations": [],
        "works": sorted(works, key=lambda w: w["id"]),
    }

    # --- checks ------------------------------------------------------------------------------
    ids = [x["id"] for k in ("researchers", "sources", "topics", "works") for x in graph[k]]
    assert len(ids) == len(set(ids)), "duplicate ids"
    by_title = {w["title"]: w for w in works}
    for pw in page_works:
        w = by_title[pw["title"]]
        assert w["abstract"] == html.unescape(pw["abstract_raw"])
        assert not re.search(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);", w["abstract"] or "")
        f = facts_by_title[pw["title"]]
        assert len(w["authors"]) == (len(f["authors"]) if f["authors"] else 1)
    profile_works = [w for w in works if any(a["researcher"] == profile_id for a in w["authors"])]
    assert len(profile_works) == EXPECTED_WORKS
    profile_topics = {t["topic"] for w in profile_works for t in w["topics"]}
    assert len(profile_topics) == 9, profile_topics

    shared = Counter(a["researcher"] for w in profile_works for a in w["authors"]
                     if a["researcher"] != profile_id)
    close = sorted(rid for rid, n in shared.items() if n >= 2)
    stats = {
        "works": len(works),
        "researchers": len(graph["researchers"]),
        "topics_of_profile": len(profile_topics),
        "aliases": {r["name"]: r["aliases"] for r in graph["researchers"] if r["aliases"]},
        "close_collaborators": {rid: shared[rid] for rid in close},
    }
    return graph, stats


def main() -> int:
    graph, stats = build()
    text = json.dumps(graph, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    OUT.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")
    print(f"works: {stats['works']}, researchers: {stats['researchers']}, "
          f"distinct topics of {PROFILE_NAME}: {stats['topics_of_profile']}")
    for name, aliases in stats["aliases"].items():
        print(f"alias merge: {name} <- {', '.join(aliases)}")
    cc = stats["close_collaborators"]
    print(f"close collaborators (co-authors sharing >= 2 works with {PROFILE_NAME}): {len(cc)} "
          f"(the page shows 4)")
    for rid, n in cc.items():
        print(f"  {rid}: {n} works")
    return 0


if __name__ == "__main__":
    sys.exit(main())

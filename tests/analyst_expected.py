"""The analyst queries' answers computed in plain Python from a graph in the seed's JSON shape
(``seeds/graph.json``: researchers, works with authors and topics, affiliations, plus ``cites``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

Graph = dict[str, Any]


def _names(g: Graph) -> dict[str, str]:
    return {r["id"]: r["name"] for r in g["researchers"]}


def _authors(work: dict) -> list[str]:
    return [a["researcher"] for a in work["authors"]]


def top_collaborators(g: Graph, rid: str, limit: int = 10) -> list[dict]:
    shared: dict[str, list[int | None]] = defaultdict(list)
    for w in g["works"]:
        if rid in _authors(w):
            for c in set(_authors(w)) - {rid}:
                shared[c].append(w["year"])
    names = _names(g)
    rows = [{"id": c, "name": names[c], "sharedWorks": len(ys), "firstYear": min(ys), "lastYear": max(ys)}
            for c, ys in shared.items()]
    return sorted(rows, key=lambda r: (-r["sharedWorks"], r["name"], r["id"]))[:limit]


def topic_trends(g: Graph, topics: list[str]) -> list[dict]:
    names = {t["id"]: t["name"] for t in g["topics"]}
    cells: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for w in g["works"]:
        for t in w["topics"]:
            if t["topic"] in topics and w["year"] is not None:
                cells[(t["topic"], w["year"])].append(w)
    rows = [{"topic": t, "name": names[t], "year": y, "works": len(ws),
             "researchers": len({a for w in ws for a in _authors(w)})} for (t, y), ws in cells.items()]
    return sorted(rows, key=lambda r: (r["name"], r["topic"], r["year"]))


def institution_network(g: Graph, iid: str, limit: int = 25) -> list[dict]:
    """Institutions as each work's author list gives them (not all-time affiliations)."""
    works: dict[str, set[str]] = defaultdict(set)  # shared: an author at iid and another author at j
    ours: dict[str, set[str]] = defaultdict(set)  # everyone at iid on the shared works
    theirs: dict[str, set[str]] = defaultdict(set)  # everyone at j on the shared works
    for w in g["works"]:
        at = {a["researcher"]: set(a.get("institutions", [])) for a in w["authors"]}
        for r in (a for a in at if iid in at[a]):
            for p in set(at) - {r}:
                for j in at[p] - {iid}:
                    works[j].add(w["id"])
        for j in {j for j, ids in works.items() if w["id"] in ids}:
            ours[j] |= {a for a in at if iid in at[a]}
            theirs[j] |= {a for a in at if j in at[a]}
    info = {i["id"]: i for i in g["institutions"]}
    rows = [{"id": j, "name": info[j]["name"], "country": info[j]["country"], "sharedWorks": len(works[j]),
             "researchers": len(ours[j]), "partnerResearchers": len(theirs[j])} for j in works]
    return sorted(rows, key=lambda r: (-r["sharedWorks"], r["name"], r["id"]))[:limit]


def citation_neighbourhood(g: Graph, wid: str, hops: int = 1) -> list[dict]:
    out: dict[str, set[str]] = defaultdict(set)
    inc: dict[str, set[str]] = defaultdict(set)
    for c in g.get("cites", []):
        out[c["source"]].add(c["target"])
        inc[c["target"]].add(c["source"])
    works = {w["id"]: w for w in g["works"]}
    rows = []
    for direction, edges in (("REFERENCE", out), ("CITING", inc)):
        distance, frontier = {}, {wid}
        for step in range(1, hops + 1):
            frontier = {x for f in frontier for x in edges[f]} - set(distance) - {wid}
            distance.update({x: step for x in frontier})
        rows += [{"id": x, "title": works[x]["title"], "year": works[x]["year"], "direction": direction,
                  "distance": d, "citedByCount": works[x]["citedByCount"] or 0} for x, d in distance.items()]
    return sorted(rows, key=lambda r: (r["direction"] != "REFERENCE", r["distance"], -r["citedByCount"], r["id"]))


def topic_bridges(g: Graph, a: str, b: str, limit: int = 10) -> list[dict]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for w in g["works"]:
        topics = {t["topic"] for t in w["topics"]}
        for r in set(_authors(w)):
            counts[r][0] += a in topics
            counts[r][1] += b in topics
            counts[r][2] += a in topics and b in topics
    names = _names(g)
    rows = [{"id": r, "name": names[r], "worksInA": x, "worksInB": y, "worksInBoth": z}
            for r, (x, y, z) in counts.items() if x and y]
    return sorted(rows, key=lambda r: (-min(r["worksInA"], r["worksInB"]), -(r["worksInA"] + r["worksInB"]),
                                       r["name"], r["id"]))[:limit]


def most_cited_works(g: Graph, topic: str, limit: int = 10) -> list[dict]:
    citing: dict[str, set[str]] = defaultdict(set)
    for c in g.get("cites", []):
        citing[c["target"]].add(c["source"])
    rows = [{"id": w["id"], "title": w["title"], "year": w["year"], "citedByCount": w["citedByCount"] or 0,
             "graphCitations": len(citing[w["id"]]), "score": t["score"]}
            for w in g["works"] for t in w["topics"] if t["topic"] == topic]
    return sorted(rows, key=lambda r: (-r["citedByCount"], -r["graphCitations"], -r["year"], r["title"],
                                       r["id"]))[:limit]


def coauthor_communities(g: Graph, rid: str) -> list[dict]:
    coauthors = {a for w in g["works"] if rid in _authors(w) for a in _authors(w)} - {rid}
    parent = {c: c for c in coauthors}

    def root(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for w in g["works"]:
        group = [a for a in _authors(w) if a in coauthors]
        for x in group[1:]:
            parent[root(x)] = root(group[0])
    groups: dict[str, set[str]] = defaultdict(set)
    for c in coauthors:
        groups[root(c)].add(c)
    names = _names(g)
    found = []
    for members in groups.values():
        with_center = {w["id"] for w in g["works"] if rid in _authors(w) and members & set(_authors(w))}
        found.append((-len(members), -len(with_center), min(members), members, len(with_center)))
    return [{"community": i + 1, "size": len(m),
             "members": [{"id": x, "name": names[x]} for x in sorted(m, key=lambda x: (names[x], x))],
             "worksWithCenter": n} for i, (*_, m, n) in enumerate(sorted(found, key=lambda f: f[:3]))]

"""Explore, search and collaboration paths, checked against answers computed here in Python
on small generated graphs (never with the product's Cypher)."""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections import Counter, defaultdict, deque

import pytest
from support import codes, contract, gql, paging

from bzgraph import identifiers
from bzgraph.db import Database
from bzgraph.neighbours import NEIGHBOURS_KEPT

KINDS = ["RESEARCHER", "WORK", "TOPIC", "INSTITUTION"]


class Graph:
    """A small random scholarly graph, and the neighbourhoods it implies."""

    def __init__(self, seed: int, researchers: int = 25, works: int = 60, topics: int = 6, institutions: int = 4):
        rng = random.Random(seed)
        p = f"g{uuid.uuid4().hex[:6]}"
        self.researchers = [{"id": f"{p}-r{i:02}", "name": f"Person {p} {i}", "aliases": [], "orcid": None,
                             "openToCollaborate": False, "bio": None} for i in range(researchers)]
        self.topics = [{"id": f"{p}-t{i}", "name": f"Topic {p} {i}", "subfield": None, "field": None, "domain": None}
                       for i in range(topics)]
        self.institutions = [{"id": f"{p}-i{i}", "name": f"Institute {p} {i}", "ror": None, "country": "DE",
                              "type": "education"} for i in range(institutions)]
        rids = [r["id"] for r in self.researchers]
        self.works = []
        for i in range(works):
            authors = rng.sample(rids[: max(3, researchers // 2)] if i % 3 else rids, rng.randint(1, 4))
            self.works.append({
                "id": f"{p}-w{i:02}", "title": f"Work {i}", "abstract": None, "year": 2000 + i % 20, "date": None,
                "type": "article", "language": "en", "doi": None, "arxivId": None,
                "citedByCount": rng.randint(0, 50), "source": None,
                "authors": [{"researcher": a, "position": k + 1} for k, a in enumerate(authors)],
                "topics": [{"topic": t["id"], "score": round(rng.random(), 3)}
                           for t in rng.sample(self.topics, rng.randint(1, 2))]})
        self.affiliations = [{"researcher": r, "institution": rng.choice(self.institutions)["id"],
                              "years": sorted(rng.sample(range(2010, 2024), rng.randint(1, 3)))}
                             for r in rids[::2]]
        self.cites = [{"source": a["id"], "target": b["id"]} for a, b in
                      (rng.sample(self.works, 2) for _ in range(40))]

    async def load(self, db: Database) -> None:
        await db.write("seed/load", sources=[], topics=self.topics, institutions=self.institutions,
                       researchers=self.researchers, works=self.works, affiliations=self.affiliations)
        await db.write("testing/cites", cites=self.cites)
        ids = [n["id"] for n in self.researchers + self.works + self.topics + self.institutions]
        await db.write("explore/refresh", ids=ids, keep=NEIGHBOURS_KEPT)

    def neighbours(self, node: str) -> dict[str, dict[str, float]]:
        """Kind → neighbour id → weight, by the documented weights."""
        out: dict[str, dict[str, float]] = defaultdict(dict)
        cites = {(c["source"], c["target"]) for c in self.cites}
        by_id = {w["id"]: w for w in self.works}
        for w in self.works:
            authors = [a["researcher"] for a in w["authors"]]
            if node in authors:
                out["WORK"][w["id"]] = w["citedByCount"]
                for a in authors:
                    if a != node:
                        out["RESEARCHER"][a] = out["RESEARCHER"].get(a, 0) + 1
                for t in w["topics"]:
                    out["TOPIC"][t["topic"]] = out["TOPIC"].get(t["topic"], 0) + 1
            if node == w["id"]:
                for a in w["authors"]:
                    out["RESEARCHER"][a["researcher"]] = 1 / a["position"]
                for t in w["topics"]:
                    out["TOPIC"][t["topic"]] = t["score"]
                for s, t in cites:
                    if node in (s, t) and s != t:
                        other = t if s == node else s
                        out["WORK"][other] = by_id[other]["citedByCount"]
            for t in w["topics"]:
                if t["topic"] == node:
                    out["WORK"][w["id"]] = w["citedByCount"]
                    for a in authors:
                        out["RESEARCHER"][a] = out["RESEARCHER"].get(a, 0) + 1
        for af in self.affiliations:
            if af["researcher"] == node:
                out["INSTITUTION"][af["institution"]] = len(af["years"])
            if af["institution"] == node:
                out["RESEARCHER"][af["researcher"]] = len(af["years"])
        return out

    def expected_depth1(self, node: str, limit: int, kinds: list[str] | None = None) -> list[str]:
        ranked = []
        for kind, weights in self.neighbours(node).items():
            if kinds and kind not in kinds:
                continue
            order = sorted(weights, key=lambda m: (-weights[m], m))
            ranked += [(rank, KINDS.index(kind), m) for rank, m in enumerate(order)]
        return [m for *_, m in sorted(ranked)[:limit]]

    def ranked(self, node: str) -> list[tuple[int, str, str, float]]:
        """The node's neighbours as (rank within kind, id, kind, weight), heaviest first per kind."""
        out = []
        for kind, weights in self.neighbours(node).items():
            order = sorted(weights, key=lambda m: (-weights[m], m))
            out += [(rank, m, kind, weights[m]) for rank, m in enumerate(order)]
        return sorted(out)

    def second_ring(self, node: str, limit: int, kinds: list[str] | None = None) -> dict[str, tuple]:
        """The second-ring candidates of a depth-2 explore: every neighbour of the expanded level-1
        nodes (the first half of the limit) that is not the center's own, with its best
        (rank, -weight, parent, id, kind) reading."""
        first = self.expected_depth1(node, (limit + 1) // 2, kinds)
        own = {m for _, m, _, _ in self.ranked(node)} | {node}
        best: dict[str, tuple] = {}
        for parent in first:
            for rank, m, kind, weight in self.ranked(parent):
                if (not kinds or kind in kinds) and m not in own:
                    best[m] = min(best.get(m, (rank, -weight, parent, m, kind)), (rank, -weight, parent, m, kind))
        return best

    def expected_depth2(self, node: str, limit: int, kinds: list[str] | None = None) -> list[str]:
        """Level 1 takes half the limit; the rest goes to the second ring, best reading first; room
        the second ring leaves goes back to further level-1 neighbours (listed after the first)."""
        first = self.expected_depth1(node, (limit + 1) // 2, kinds)
        best = self.second_ring(node, limit, kinds)
        second = sorted(best, key=lambda m: (best[m][0], best[m][1], m))[: limit - len(first)]
        more = self.expected_depth1(node, limit, kinds)[len(first):][: limit - len(first) - len(second)]
        return first + more + second

    def expected_depth2_totals(self, node: str, limit: int, kinds: list[str] | None = None) -> dict[str, int]:
        """Per kind: the center's own neighbours plus every second-ring candidate, shown or not."""
        totals = {kind: len(self.neighbours(node).get(kind, {})) for kind in KINDS if not kinds or kind in kinds}
        for *_, kind in self.second_ring(node, limit, kinds).values():
            totals[kind] += 1
        return totals

    def depth2_left_out(self, node: str, shown: set[str], kinds: list[str] | None = None) -> bool:
        """Whether any neighbour, or neighbour of a neighbour, of the wanted kinds is not shown."""
        def wanted(of: str) -> set[str]:
            return {m for kind, weights in self.neighbours(of).items() if not kinds or kind in kinds for m in weights}
        first = wanted(node)
        return bool((first | {m for n in first for m in wanted(n)}) - shown - {node})

    def coauthor_hops(self, a: str, b: str) -> int | None:
        adjacency = defaultdict(set)
        for w in self.works:
            authors = [x["researcher"] for x in w["authors"]]
            for x in authors:
                adjacency[x].update(y for y in authors if y != x)
        seen, queue = {a: 0}, deque([a])
        while queue:
            x = queue.popleft()
            for y in adjacency[x]:
                if y not in seen:
                    seen[y] = seen[x] + 1
                    queue.append(y)
        return seen.get(b)


@pytest.fixture(scope="module")
async def graph(seeded: Database) -> Graph:
    g = Graph(seed=7)
    await g.load(seeded)
    return g


async def _explore(api, node: str, **variables) -> dict:
    body = await gql(api, contract("ResearchGraph"), {"id": node, **variables})
    assert "errors" not in body, body
    assert body["extensions"]["cypherRoundTrips"] == 1
    return body["data"]["explore"]


@pytest.mark.parametrize("pick", ["researcher", "work", "topic", "institution"])
@pytest.mark.parametrize("limit", [1, 5, 12, 500])
async def test_depth1_matches_the_independent_computation(api, graph: Graph, pick: str, limit: int) -> None:
    node = {"researcher": graph.researchers[0], "work": graph.works[3], "topic": graph.topics[1],
            "institution": graph.institutions[0]}[pick]["id"]
    result = await _explore(api, node, limit=limit)
    assert [n["id"] for n in result["nodes"]] == graph.expected_depth1(node, limit)
    neighbours = graph.neighbours(node)
    totals = {t["kind"]: (t["total"], t["shown"]) for t in result["totals"]}
    shown = Counter(n["kind"] for n in result["nodes"])
    for kind in KINDS:
        assert totals[kind] == (len(neighbours.get(kind, {})), shown[kind])
    assert result["truncated"] == (sum(len(v) for v in neighbours.values()) > len(result["nodes"]))
    for n in result["nodes"]:
        assert n["weight"] == pytest.approx(neighbours[n["kind"]][n["id"]])
    assert len(result["nodes"]) <= limit


async def test_a_graph_node_reads_as_the_node_itself_in_one_more_query(api, graph: Graph) -> None:
    """`GraphNode.node` is the node as `nodes(ids:)` reads it (a work's year, a researcher's trust
    tier, to draw it by), for the center and every neighbour, read in one query for all of them."""
    center = graph.researchers[0]["id"]
    fields = "__typename id ... on Work { year } ... on Researcher { trust { tier } } ... on Topic { name }"
    body = await gql(api, f"""query($id: ID!) {{ explore(id: $id, depth: 2, limit: 30) {{
        center {{ id node {{ {fields} }} }} nodes {{ id kind node {{ {fields} }} }} }} }}""", {"id": center})
    assert "errors" not in body, body
    assert body["extensions"]["cypherRoundTrips"] == 2
    explored = body["data"]["explore"]
    shown = [explored["center"], *explored["nodes"]]
    assert len({n["node"]["__typename"] for n in shown}) >= 3, shown
    ids = [n["id"] for n in shown]
    want = (await gql(api, f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ {fields} }} }}", {"ids": ids}))["data"]["nodes"]
    assert [n["node"] for n in shown] == want and None not in want
    assert all(n["node"]["__typename"] == n["kind"].title() for n in explored["nodes"])


async def test_kinds_filter_and_determinism(api, graph: Graph) -> None:
    node = graph.researchers[1]["id"]
    result = await _explore(api, node, limit=6, kinds=["TOPIC", "WORK"])
    assert [n["id"] for n in result["nodes"]] == graph.expected_depth1(node, 6, ["TOPIC", "WORK"])
    assert {t["kind"] for t in result["totals"]} == {"TOPIC", "WORK"}
    assert await _explore(api, node, limit=6, kinds=["TOPIC", "WORK"]) == result


@pytest.mark.parametrize("limit", [4, 9, 40])
async def test_depth2_stays_bounded_and_connected(api, graph: Graph, limit: int) -> None:
    node = graph.researchers[2]["id"]
    result = await _explore(api, node, depth=2, limit=limit)
    ids = [n["id"] for n in result["nodes"]]
    assert len(ids) <= limit and len(set(ids)) == len(ids) and node not in ids
    returned = set(ids) | {node}
    assert all(e["source"] in returned and e["target"] in returned for e in result["edges"])
    first = graph.expected_depth1(node, (limit + 1) // 2)
    assert ids[: len(first)] == first
    direct = {m for weights in graph.neighbours(node).values() for m in weights}
    extras = ids[len(first):]  # further level-1 neighbours (room the second ring left), then the second ring
    more = [m for m in extras if m in direct]
    assert extras[: len(more)] == more
    for extra in extras[len(more):]:  # the second ring: neighbours of expanded nodes, not the center's own
        assert any(extra in w for parent in first for w in graph.neighbours(parent).values())
    assert await _explore(api, node, depth=2, limit=limit) == result


@pytest.mark.parametrize("pick", ["researcher", "work", "topic", "institution"])
@pytest.mark.parametrize("limit,kinds", [(4, None), (9, None), (40, None), (12, ["WORK", "RESEARCHER"])])
async def test_depth2_matches_the_independent_computation(api, graph: Graph, pick: str, limit: int,
                                                          kinds: list[str] | None) -> None:
    node = {"researcher": graph.researchers[3], "work": graph.works[5], "topic": graph.topics[1],
            "institution": graph.institutions[0]}[pick]["id"]
    variables = {"depth": 2, "limit": limit} | ({"kinds": kinds} if kinds else {})
    result = await _explore(api, node, **variables)
    assert [n["id"] for n in result["nodes"]] == graph.expected_depth2(node, limit, kinds)
    assert {t["kind"]: t["total"] for t in result["totals"]} == graph.expected_depth2_totals(node, limit, kinds)
    assert result["truncated"] == graph.depth2_left_out(node, {n["id"] for n in result["nodes"]}, kinds)



@pytest.mark.parametrize("limit,kinds", [(20, None), (60, None), (40, ["RESEARCHER"]), (30, ["WORK"])])
async def test_depth2_around_a_hub_leaves_out_its_own_neighbours_beyond_its_list(api, seeded: Database, limit: int,
                                                                               kinds: list[str] | None) -> None:
    """A center with more co-authors and works than its list keeps (200 of each): those beyond the
    list are still its own neighbours, neither shown as second ring nor counted there."""
    g = Graph(seed=5, researchers=231, works=2, topics=1, institutions=1)
    hub, others = g.researchers[0]["id"], [r["id"] for r in g.researchers[1:]]
    work = {"abstract": None, "date": None, "type": "article", "language": "en", "doi": None, "arxivId": None,
            "source": None, "topics": []}
    prefix = hub.rsplit("-", 1)[0]
    g.works = [{**work, "id": f"{prefix}-hw{i:03}", "title": f"Hub work {i}", "year": 2000 + i % 20,
                "citedByCount": i % 7, "authors": [{"researcher": hub, "position": 1}, {"researcher": r, "position": 2}]}
               for i, r in enumerate(others)]
    g.works += [{**work, "id": f"{prefix}-ow{i:03}", "title": f"Other work {i}", "year": 2001, "citedByCount": 3,
                 "authors": [{"researcher": a, "position": 1}, {"researcher": b, "position": 2}]}
                for i, (a, b) in enumerate(zip(others, others[1:]))]
    g.cites = []
    await g.load(seeded)
    assert len(g.neighbours(hub)["RESEARCHER"]) == 230 > NEIGHBOURS_KEPT
    variables = {"depth": 2, "limit": limit} | ({"kinds": kinds} if kinds else {})
    result = await _explore(api, hub, **variables)
    own = {m for weights in g.neighbours(hub).values() for m in weights}
    assert [n["id"] for n in result["nodes"]] == g.expected_depth2(hub, limit, kinds)
    assert {t["kind"]: t["total"] for t in result["totals"]} == g.expected_depth2_totals(hub, limit, kinds)
    assert all(e["source"] == hub or e["target"] == hub for n, e in zip(result["nodes"], result["edges"])
               if n["id"] in own)
    if kinds == ["RESEARCHER"]:  # at depth 1, 200 of one kind at most (docs/explore.md), with the exact total
        one = await _explore(api, hub, depth=1, limit=500, kinds=["RESEARCHER"])
        assert (len(one["nodes"]), one["truncated"]) == (200, True)
        assert {t["kind"]: t["total"] for t in one["totals"]}["RESEARCHER"] == 230
        # beside the hub, at depth 1, every neighbour of a co-author is shown: the hub's own partial list
        # (what depth 2 would read) does not make it truncated
        beside = await _explore(api, others[0], depth=1, limit=500)
        assert beside["truncated"] is False and hub in [n["id"] for n in beside["nodes"]]

async def test_depth2_gives_room_the_second_ring_leaves_back_to_level1(api, seeded: Database) -> None:
    """Four co-authors of one work: every neighbour of a neighbour is the center's own, so depth 2
    shows what depth 1 shows instead of half of it."""
    p = f"room{uuid.uuid4().hex[:6]}"
    people = [{"id": f"{p}-r{i}", "name": f"Person {i}", "aliases": [], "orcid": None, "openToCollaborate": False,
               "bio": None} for i in range(4)]
    topic = {"id": f"{p}-t", "name": "Topic", "subfield": None, "field": None, "domain": None}
    work = {"id": f"{p}-w", "title": "Together", "abstract": None, "year": 2020, "date": None, "type": "article",
            "language": "en", "doi": None, "arxivId": None, "citedByCount": 1, "source": None,
            "authors": [{"researcher": r["id"], "position": i + 1} for i, r in enumerate(people)],
            "topics": [{"topic": topic["id"], "score": 0.9}]}
    await seeded.write("seed/load", sources=[], topics=[topic], institutions=[], researchers=people, works=[work],
                       affiliations=[])
    await seeded.write("explore/refresh", ids=[n["id"] for n in [*people, topic, work]], keep=NEIGHBOURS_KEPT)
    center = people[0]["id"]
    one = await _explore(api, center, depth=1, limit=4)
    two = await _explore(api, center, depth=2, limit=4)
    assert [n["id"] for n in two["nodes"]] == [n["id"] for n in one["nodes"]] and len(one["nodes"]) == 4
    assert two["totals"] == one["totals"] and two["truncated"] is True  # one co-author is left out


def _people(p: str, n: int) -> list[dict]:
    return [{"id": f"{p}-r{i}", "name": f"Person {i}", "aliases": [], "orcid": None, "openToCollaborate": False,
             "bio": None} for i in range(n)]


def _work(id: str, authors: list[str], topics: list[str] = (), cited: int = 1) -> dict:
    return {"id": id, "title": f"Work {id}", "abstract": None, "year": 2020, "date": None, "type": "article",
            "language": "en", "doi": None, "arxivId": None, "citedByCount": cited, "source": None,
            "authors": [{"researcher": a, "position": i + 1} for i, a in enumerate(authors)],
            "topics": [{"topic": t, "score": 0.9} for t in topics]}


async def test_depth2_around_a_hub_fills_the_second_ring_past_the_hubs_own_neighbours(api, seeded: Database) -> None:
    """A topic with more researchers than its list keeps: the expanded researchers' best co-authors
    are the topic's own researchers beyond its list (not second ring). The second ring is filled
    with the co-authors further down that are not on the topic; it showed none of them."""
    p = f"hub{uuid.uuid4().hex[:6]}"
    topic = {"id": f"{p}-t", "name": "Hub topic", "subfield": None, "field": None, "domain": None}
    parents, fillers, beyond, outsiders = (_people(f"{p}-{g}", n) for g, n in (("p", 25), ("f", 175), ("b", 60), ("o", 50)))
    works = [_work(f"{p}-ps{i}-{j}", [r["id"]], [topic["id"]]) for i, r in enumerate(parents) for j in range(3)]
    works += [_work(f"{p}-fs{i}-{j}", [r["id"]], [topic["id"]]) for i, r in enumerate(fillers) for j in range(3)]
    works += [_work(f"{p}-big{j}", [r["id"] for r in parents + beyond], [topic["id"]]) for j in range(2)]
    works += [_work(f"{p}-out{i}", [r["id"], outsiders[2 * i]["id"], outsiders[2 * i + 1]["id"]])
              for i, r in enumerate(parents)]
    people = parents + fillers + beyond + outsiders
    await seeded.write("seed/load", sources=[], topics=[topic], institutions=[], researchers=people, works=works,
                       affiliations=[])
    await seeded.write("explore/refresh", ids=[n["id"] for n in [topic, *people, *works]], keep=NEIGHBOURS_KEPT)
    for limit in (10, 30, 50):
        result = await _explore(api, topic["id"], depth=2, limit=limit, kinds=["RESEARCHER"])
        shown = {n["id"] for n in result["nodes"]}
        assert len(shown) == limit and len(shown & {r["id"] for r in parents}) == limit // 2, limit
        assert not shown & {r["id"] for r in beyond}  # the topic's own researchers are no second ring
        assert len(shown & {r["id"] for r in outsiders}) == limit - limit // 2, (limit, sorted(shown))


@pytest.mark.parametrize("depth", [1, 2])
async def test_a_neighbour_deleted_before_the_lists_are_refreshed_is_left_out_once(api, seeded: Database,
                                                                                  depth: int) -> None:
    """An import batch may delete an orphaned researcher before its neighbours' lists are refreshed:
    explore leaves it out and shows no other node twice (the next entry was shown again in its place)."""
    p = f"gone{uuid.uuid4().hex[:6]}"
    people = _people(p, 5)
    works = [_work(f"{p}-w{i}", [people[0]["id"], people[i]["id"]]) for i in range(1, 5)]
    await seeded.write("seed/load", sources=[], topics=[], institutions=[], researchers=people, works=works,
                       affiliations=[])
    await seeded.write("explore/refresh", ids=[n["id"] for n in [*people, *works]], keep=NEIGHBOURS_KEPT)
    gone = people[1]["id"]
    await seeded.write("testing/delete-node", id=gone)
    result = await _explore(api, people[0]["id"], depth=depth, limit=50)
    ids = [n["id"] for n in result["nodes"]]
    assert len(ids) == len(set(ids)) and gone not in ids
    assert {people[i]["id"] for i in (2, 3, 4)} <= set(ids)
    for total in result["totals"]:
        assert total["shown"] <= total["total"], total


@pytest.mark.parametrize("solo", [False, True])
async def test_depth2_is_truncated_when_a_level1_node_shown_unexpanded_has_neighbours_not_shown(
        api, seeded: Database, solo: bool) -> None:
    """Four co-authors of one work, at limit 5: two co-authors are shown without being expanded
    (room the empty second ring gave back). When one of them has a work of their own, it is left out."""
    p = f"unexp{uuid.uuid4().hex[:6]}"
    people = _people(p, 4)
    topic = {"id": f"{p}-t", "name": "Topic", "subfield": None, "field": None, "domain": None}
    works = [_work(f"{p}-w", [r["id"] for r in people], [topic["id"]])]
    works += [_work(f"{p}-solo", [people[3]["id"]])] if solo else []
    await seeded.write("seed/load", sources=[], topics=[topic], institutions=[], researchers=people, works=works,
                       affiliations=[])
    await seeded.write("explore/refresh", ids=[n["id"] for n in [*people, topic, *works]], keep=NEIGHBOURS_KEPT)
    result = await _explore(api, people[0]["id"], depth=2, limit=5)
    assert {n["id"] for n in result["nodes"]} == {r["id"] for r in people[1:]} | {topic["id"], works[0]["id"]}
    assert all(t["total"] == t["shown"] for t in result["totals"])
    assert result["truncated"] is solo


async def test_depth2_is_truncated_when_an_expanded_node_keeps_only_part_of_its_neighbours(
        api, seeded: Database) -> None:
    """The center's author has more works than their list keeps: those beyond it are left out,
    though the limit has room and every counted neighbour is shown."""
    p = f"part{uuid.uuid4().hex[:6]}"
    people = _people(p, 2)
    center = _work(f"{p}-w", [r["id"] for r in people], cited=1000)
    works = [center] + [_work(f"{p}-a{i:03}", [people[0]["id"]], cited=i) for i in range(NEIGHBOURS_KEPT + 5)]
    await seeded.write("seed/load", sources=[], topics=[], institutions=[], researchers=people, works=works,
                       affiliations=[])
    await seeded.write("explore/refresh", ids=[n["id"] for n in [*people, *works]], keep=NEIGHBOURS_KEPT)
    result = await _explore(api, center["id"], depth=2, limit=500)
    assert len(result["nodes"]) < 500 and all(t["total"] == t["shown"] for t in result["totals"])
    assert result["truncated"] is True


@pytest.mark.parametrize("pick", ["researcher", "work", "topic", "institution"])
@pytest.mark.parametrize("depth", [1, 2])
async def test_edges_point_the_way_the_graph_does(api, graph: Graph, pick: str, depth: int) -> None:
    node = {"researcher": graph.researchers[0], "work": graph.works[3], "topic": graph.topics[1],
            "institution": graph.institutions[0]}[pick]["id"]
    result = await _explore(api, node, depth=depth, limit=60)
    kind = {n["id"]: n["kind"] for n in [result["center"], *result["nodes"]]}
    cites = {(c["source"], c["target"]) for c in graph.cites}
    ends = {"AUTHORED": ("RESEARCHER", "WORK"), "HAS_TOPIC": ("WORK", "TOPIC"), "WORKS_ON": ("RESEARCHER", "TOPIC"),
            "AFFILIATED_WITH": ("RESEARCHER", "INSTITUTION"), "CO_AUTHORED": ("RESEARCHER", "RESEARCHER"),
            "CITES": ("WORK", "WORK")}
    assert result["edges"]
    for edge in result["edges"]:
        assert (kind[edge["source"]], kind[edge["target"]]) == ends[edge["kind"]], edge
        if edge["kind"] == "CITES":
            assert (edge["source"], edge["target"]) in cites, edge


CROSS_QUERY = """query($id: ID!, $depth: Int, $kinds: [NodeKind!], $limit: Int) {
  explore(id: $id, depth: $depth, kinds: $kinds, limit: $limit) {
    center { id kind } nodes { id kind } edges { source target kind weight }
    crossEdges { source target kind weight } } }"""


def _graph_edges(graph: Graph, shown: dict[str, str]) -> dict[tuple, float]:
    """Every edge the graph has among ``shown`` (id → kind), computed from the generated records:
    key (start, end, kind), a co-authorship's ends sorted; value the weight its start reads (a tuple
    of the weights either end reads, for works that cite each other)."""
    cites = {(c["source"], c["target"]) for c in graph.cites if c["source"] != c["target"]}
    kinds = {("RESEARCHER", "WORK"): "AUTHORED", ("RESEARCHER", "TOPIC"): "WORKS_ON",
             ("RESEARCHER", "INSTITUTION"): "AFFILIATED_WITH", ("WORK", "TOPIC"): "HAS_TOPIC"}
    found = {}
    for a in shown:
        neighbours = graph.neighbours(a)
        for b in shown:
            if b == a or b not in neighbours.get(shown[b], {}):
                continue
            if shown[a] == shown[b] == "RESEARCHER":
                found[(*sorted((a, b)), "CO_AUTHORED")] = neighbours["RESEARCHER"][b]
            elif shown[a] == shown[b] == "WORK":
                if (a, b) in cites and (b, a) in cites:
                    # works citing each other: a list keeps one reading of each neighbour, so one of the two
                    # edges is read from its end only (the cited work's reading of the citing work)
                    found[(a, b, "CITES")] = (neighbours["WORK"][b], graph.neighbours(b)["WORK"][a])
                elif (a, b) in cites:
                    found[(a, b, "CITES")] = neighbours["WORK"][b]
            elif (shown[a], shown[b]) in kinds:
                found[(a, b, kinds[(shown[a], shown[b])])] = neighbours[shown[b]][b]
    return found


def _key(edge: dict) -> tuple:
    if edge["kind"] == "CO_AUTHORED":
        return (*sorted((edge["source"], edge["target"])), "CO_AUTHORED")
    return edge["source"], edge["target"], edge["kind"]


@pytest.mark.parametrize("pick", ["researcher", "work", "topic", "institution"])
@pytest.mark.parametrize("depth,limit,kinds", [(1, 60, None), (2, 30, None), (2, 12, ["RESEARCHER", "WORK"])])
async def test_cross_edges_are_every_other_edge_among_the_shown_nodes(api, graph: Graph, pick: str, depth: int,
                                                                      limit: int, kinds: list[str] | None) -> None:
    """`crossEdges` adds to the tree of `edges` every other edge the graph has among the center and
    the shown nodes, each once, pointing the graph's way, weighted as its start reads its end."""
    node = {"researcher": graph.researchers[0], "work": graph.works[3], "topic": graph.topics[1],
            "institution": graph.institutions[0]}[pick]["id"]
    body = await gql(api, CROSS_QUERY, {"id": node, "depth": depth, "kinds": kinds, "limit": limit})
    assert "errors" not in body and body["extensions"]["cypherRoundTrips"] == 1, body
    result = body["data"]["explore"]
    shown = {n["id"]: n["kind"] for n in [result["center"], *result["nodes"]]}
    expected = _graph_edges(graph, shown)
    tree = [_key(e) for e in result["edges"]]
    cross = [_key(e) for e in result["crossEdges"]]
    assert len(set(cross)) == len(cross) and not set(cross) & set(tree)
    assert set(tree) | set(cross) == set(expected)
    assert cross or pick in ("topic", "institution")  # around a researcher or a work there are always some
    for edge in result["crossEdges"]:
        weights = expected[_key(edge)]
        assert any(edge["weight"] == pytest.approx(w) for w in (weights if isinstance(weights, tuple) else [weights])), edge
    # the same subgraph as without them
    plain = await _explore(api, node, depth=depth, limit=limit, kinds=kinds)
    assert [n["id"] for n in plain["nodes"]] == [n["id"] for n in result["nodes"]]
    assert [_key(e) for e in plain["edges"]] == tree


async def test_cross_edges_are_cut_at_first_in_the_order_of_their_ends(api, graph: Graph) -> None:
    """`crossEdges(first:)` lists the first `first` of them, ordered by their ends (the center's, then
    each node's in the order of `nodes`); `crossEdgesTotal` says how many there are, also asked alone.
    A `first` out of range fails that field alone."""
    query = """query($id: ID!) { explore(id: $id, depth: 2, limit: 40) {
        center { id } nodes { id } all: crossEdges(first: 2000) { source target kind }
        some: crossEdges(first: FIRST) { source target kind } crossEdgesTotal } }"""
    node = graph.researchers[0]["id"]
    result = (await gql(api, query.replace("FIRST", "7"), {"id": node}))["data"]["explore"]
    everything = result["all"]
    assert 2000 > result["crossEdgesTotal"] == len(everything) > 7 and result["some"] == everything[:7]
    rank = {n["id"]: i for i, n in enumerate([result["center"], *result["nodes"]])}
    firsts = [min(rank[e["source"]], rank[e["target"]]) for e in everything]
    assert firsts == sorted(firsts)
    alone = await gql(api, """query($id: ID!) { explore(id: $id, depth: 2, limit: 40) { crossEdgesTotal } }""", {"id": node})
    assert alone["data"]["explore"]["crossEdgesTotal"] == len(everything)
    # one field a cross edge, so that 10,000 of them stay within the cost limit: the resolver refuses 10,001
    narrow = query.replace("some: crossEdges(first: FIRST) { source target kind }", "some: crossEdges(first: FIRST) { source }")
    for first in (-1, 10_001):
        body = await gql(api, narrow.replace("FIRST", str(first)), {"id": node})
        assert codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["path"] == ["explore", "some"], first
        assert body["data"]["explore"]["all"] == everything
    zero = await gql(api, query.replace("FIRST", "0"), {"id": node})
    assert zero["data"]["explore"]["some"] == []


async def test_the_cost_rule_counts_cross_edges_at_their_first(api, graph: Graph) -> None:
    """The answer is as large as the cost rule estimates: crossEdges counts its `first` (a variable:
    the largest allowed), so a document asking for 10,000 of them with four fields each is refused."""
    node = graph.researchers[0]["id"]
    for fields, first, refused in (("source target kind weight", "10000", True), ("source target kind weight", "$n", True),
                                   ("source target", "4000", False), ("source target kind weight", "1000", False)):
        variable = ", $n: Int! = 5" if first == "$n" else ""
        query = f"""query($id: ID!{variable}) {{ explore(id: $id, limit: 500) {{ nodes {{ id }}
            crossEdges(first: {first}) {{ {fields} }} }} }}"""
        body = await gql(api, query, {"id": node})
        assert (codes(body) == ["QUERY_TOO_COMPLEX"]) is refused, (fields, first, body)


async def test_cross_edges_are_read_only_when_asked_for(graph: Graph, seeded: Database) -> None:
    """The contract's ResearchGraph does not select crossEdges: its query scans no list for them."""
    params = {"id": graph.researchers[0]["id"], "depth": 2, "kinds": None, "limit": 30, "firstLevel": 15}
    without = (await seeded.read("explore/neighbourhood", **params, crossEdges=False))[0]
    with_them = (await seeded.read("explore/neighbourhood", **params, crossEdges=True))[0]
    assert without["crossReadings"] == [] and with_them["crossReadings"]
    assert {k: v for k, v in without.items() if k != "crossReadings"} == \
        {k: v for k, v in with_them.items() if k != "crossReadings"}


async def test_bad_arguments_and_unknown_center(api, graph: Graph) -> None:
    node = graph.researchers[0]["id"]
    for variables in ({"limit": 501}, {"limit": 0}, {"depth": 3}, {"depth": 0}):
        assert codes(await gql(api, contract("ResearchGraph"), {"id": node, **variables})) == ["BAD_USER_INPUT"]
    body = await gql(api, contract("ResearchGraph"), {"id": "nobody-here"})
    assert body["data"]["explore"] is None and "errors" not in body


async def test_collaboration_paths_are_shortest(api, graph: Graph) -> None:
    query = """query($a: ID!, $b: ID!, $h: Int) { collaborationPath(from: $a, to: $b, maxHops: $h) {
      hops researchers { id } steps { source { id } target { id } works { id } sharedWorks } } }"""
    works_of = defaultdict(set)
    for w in graph.works:
        for a in w["authors"]:
            works_of[a["researcher"]].add(w["id"])
    start = graph.researchers[0]["id"]
    for other in graph.researchers[1:]:
        expected = graph.coauthor_hops(start, other["id"])
        body = await gql(api, query, {"a": start, "b": other["id"], "h": 8})
        path = body["data"]["collaborationPath"]
        if expected is None:
            assert path is None
            continue
        assert path["hops"] == expected == len(path["steps"])
        assert [r["id"] for r in path["researchers"]][0] == start
        for step in path["steps"]:
            shared = works_of[step["source"]["id"]] & works_of[step["target"]["id"]]
            assert step["works"] and {w["id"] for w in step["works"]} <= shared
            assert step["sharedWorks"] == len(shared) and len(step["works"]) == min(10, len(shared))
        if expected > 1:
            short = await gql(api, query, {"a": start, "b": other["id"], "h": expected - 1})
            assert short["data"]["collaborationPath"] is None
    assert codes(await gql(api, query, {"a": start, "b": start, "h": 9})) == ["BAD_USER_INPUT"]
    same = (await gql(api, query, {"a": start, "b": start, "h": 2}))["data"]["collaborationPath"]
    assert same["hops"] == 0


async def test_a_step_shows_its_ten_newest_shared_works_and_counts_them_all(api, seeded) -> None:
    """Two co-authors of 12 works: the step lists 10 of them, newest first (then by id), and
    `sharedWorks` says 12."""
    import uuid

    tag = f"t-{uuid.uuid4().hex[:8]}"
    works = [{"id": f"{tag}-w{i:02}", "title": f"Shared {i}", "year": 2000 + (i * 7) % 12} for i in range(12)]
    for rid in (f"{tag}-a", f"{tag}-b"):
        await seeded.write("testing/researcher-with-works", id=rid, name=f"Person {rid}", works=works)
    query = """query($a: ID!, $b: ID!) { collaborationPath(from: $a, to: $b) { steps { works { id year } sharedWorks } } }"""
    (step,) = (await gql(api, query, {"a": f"{tag}-a", "b": f"{tag}-b"}))["data"]["collaborationPath"]["steps"]
    newest = sorted(works, key=lambda w: (-w["year"], w["id"]))[:10]
    assert step == {"works": [{"id": w["id"], "year": w["year"]} for w in newest], "sharedWorks": 12}


async def test_a_work_reads_the_same_however_it_is_reached(api, seeded) -> None:
    """node(id:), a search hit, a collaboration path's step and a researcher's works page give a
    work's every field alike (search and paths left venue, date and language null)."""
    fields = "id title type year venue abstract date doi arxivId language citedByCount"
    wid = "bzw-arxiv-2012.03772"
    query = f"""query {{
      node(id: "{wid}") {{ ... on Work {{ {fields} }} }}
      search(query: "{wid}", kinds: [WORK]) {{ hits {{ node {{ ... on Work {{ {fields} }} }} }} }}
      collaborationPath(from: "bzr-tim-roith", to: "bzr-leon-bungert") {{ steps {{ works {{ {fields} }} }} }}
      researcher(id: "bzr-leon-bungert") {{ works(first: 100) {{ edges {{ node {{ {fields} }} }} }} }} }}"""
    data = (await gql(api, query))["data"]
    by_node = data["node"]
    assert by_node["venue"] and by_node["date"] and by_node["language"]
    assert data["search"]["hits"][0]["node"] == by_node
    assert [w for s in data["collaborationPath"]["steps"] for w in s["works"] if w["id"] == wid] == [by_node]
    assert [e["node"] for e in data["researcher"]["works"]["edges"] if e["node"]["id"] == wid] == [by_node]


async def test_a_work_reads_the_same_in_every_list_of_works(api, seeded) -> None:
    """A work's references, what cites it and a topic's works give its every field as node(id:) does
    (their venue could be lost unnoticed); a work's topics come strongest first, then by name."""
    g = Graph(seed=13, researchers=3, works=2, topics=3)
    citing, cited = g.works
    source = {"id": f"{cited['id']}-s", "name": "Journal of Lists", "type": "journal"}
    cited.update(source=source["id"], date="2020-05-01", abstract="An abstract.", doi=f"10.1/{cited['id']}",
                 topics=[{"topic": g.topics[0]["id"], "score": 0.3}, {"topic": g.topics[1]["id"], "score": 0.9},
                         {"topic": g.topics[2]["id"], "score": 0.3}])
    await seeded.write("seed/load", sources=[source], topics=g.topics, institutions=[], researchers=g.researchers,
                       works=g.works, affiliations=[])
    await seeded.write("testing/cites", cites=[{"source": citing["id"], "target": cited["id"]}])
    fields = "id title type year venue abstract date doi arxivId language citedByCount"
    query = f"""query($citing: ID!, $cited: ID!, $topic: ID!) {{
      cited: node(id: $cited) {{ ... on Work {{ {fields} topics {{ score topic {{ id }} }}
                                               citedBy {{ edges {{ node {{ id }} }} }} }} }}
      citing: node(id: $citing) {{ ... on Work {{ references {{ edges {{ node {{ {fields} }} }} }} }} }}
      again: node(id: $cited) {{ ... on Work {{ citedBy {{ edges {{ node {{ {fields} }} }} }} }} }}
      topic: node(id: $topic) {{ ... on Topic {{ works(first: 100) {{ edges {{ node {{ {fields} }} }} }} }} }} }}"""
    data = (await gql(api, query, {"citing": citing["id"], "cited": cited["id"], "topic": g.topics[1]["id"]}))["data"]
    shown = {k: v for k, v in data["cited"].items() if k not in ("topics", "citedBy")}
    assert shown["venue"] == "Journal of Lists" and shown["date"] == "2020-05-01"
    assert [e["node"] for e in data["citing"]["references"]["edges"]] == [shown]
    assert [e["node"] for e in data["topic"]["works"]["edges"] if e["node"]["id"] == cited["id"]] == [shown]
    by_node = {e["node"]["id"]: e["node"] for e in data["again"]["citedBy"]["edges"]}
    assert by_node[citing["id"]] == (await gql(api, f'{{ node(id: "{citing["id"]}") {{ ... on Work {{ {fields} }} }} }}'))["data"]["node"]
    topic_names = {t["id"]: t["name"] for t in g.topics}
    assert [(t["score"], t["topic"]["id"]) for t in data["cited"]["topics"]] == sorted(
        [(0.9, g.topics[1]["id"]), (0.3, g.topics[0]["id"]), (0.3, g.topics[2]["id"])],
        key=lambda s: (-s[0], topic_names[s[1]]))


async def test_what_a_node_holds_reads_through_node_and_lists(api, seeded) -> None:
    """An institution's country and ROR through node(id:); a work's empty stored title, and a
    researcher's missing aliases (as an analyst or an older version may leave them), read as null and
    as no aliases, however the researcher is reached."""
    g = Graph(seed=14, researchers=3, works=2, topics=2, institutions=1)
    g.institutions[0].update(ror="https://ror.org/05nd26619", country="AE")
    await g.load(seeded)
    work, author = g.works[0]["id"], g.works[0]["authors"][0]["researcher"]
    await seeded.write("testing/set-properties", id=work, props={"title": ""})
    await seeded.write("testing/set-properties", id=author, props={"aliases": None})
    body = await gql(api, """query($i: ID!, $w: ID!, $r: ID!) {
      i: node(id: $i) { ... on Institution { name country ror } }
      w: node(id: $w) { ... on Work { title authors { researcher { id aliases } } } }
      r: node(id: $r) { ... on Researcher { aliases } } }""", {"i": g.institutions[0]["id"], "w": work, "r": author})
    assert body["data"]["i"] == {"name": g.institutions[0]["name"], "country": "AE", "ror": "https://ror.org/05nd26619"}
    assert body["data"]["w"]["title"] is None
    assert {"id": author, "aliases": []} in [a["researcher"] for a in body["data"]["w"]["authors"]]
    assert body["data"]["r"] == {"aliases": []}


async def test_a_seed_file_with_institutions_gives_them_lists_and_name_keys(api, seeded, tmp_path) -> None:
    """`bzgraph seed` of a graph with institutions (the bundled one has none): an institution is
    explorable at once, and is found by its name typed exactly, case and accents aside."""
    from bzgraph.seed import load_seed

    tag = uuid.uuid4().hex[:8]
    inst, rid = f"t-{tag}-i", f"t-{tag}-r"
    seed = {"sources": [], "topics": [], "works": [],
            "institutions": [{"id": inst, "name": f"Université Seed{tag}", "ror": None, "country": "FR", "type": "education"}],
            "researchers": [{"id": rid, "name": f"Seeded {tag}", "aliases": [], "orcid": None,
                             "openToCollaborate": False, "bio": None}],
            "affiliations": [{"researcher": rid, "institution": inst, "years": [2020]}]}
    (tmp_path / "graph.json").write_text(json.dumps(seed))
    await load_seed(seeded, tmp_path / "graph.json")
    body = await gql(api, """query($id: ID!, $q: String!) { explore(id: $id) { nodes { id } }
      search(query: $q, kinds: [INSTITUTION]) { hits { node { id } } } }""", {"id": inst, "q": f"universite seed{tag}"})
    assert body["data"]["explore"]["nodes"] == [{"id": rid}]
    assert [h["node"]["id"] for h in body["data"]["search"]["hits"]] == [inst]
    (row,) = await seeded.read("testing/import-fingerprint", prefixes=[inst])
    assert [n[1]["nameKey"] for n in row["nodes"]] == [f"universite seed{tag}"]


async def test_reference_researcher_neighbourhood(api, seeded) -> None:
    result = await _explore(api, "bzr-leon-bungert", limit=50)
    totals = {t["kind"]: t["total"] for t in result["totals"]}
    assert totals == {"RESEARCHER": 20, "WORK": 9, "TOPIC": 9, "INSTITUTION": 0}
    assert result["center"] == {"id": "bzr-leon-bungert", "kind": "RESEARCHER", "label": "Leon Bungert"}
    assert len(result["nodes"]) == 38 and result["truncated"] is False


@pytest.mark.parametrize("text", ["bungert", "BUNGERT", "Lipschitz learning", 'title:"x" AND (', "(((", "[a TO z]",
                                  "a\\", "~*?", '"unbalanced', "AND OR NOT", "x\x00y", "ünïcödé", "-", "*", "a" * 500,
                                  "ภาษาไทย" * 60, "中" * 400, "x " + "क" * 334])
async def test_any_typed_text_is_safe(api, seeded, text: str) -> None:
    body = await gql(api, contract("Search"), {"q": text})
    assert "errors" not in body, body
    assert body["data"]["search"]["totalCount"] >= len(body["data"]["search"]["hits"])


@pytest.mark.parametrize("text", ["", "   ", "\x00", "a" * 10_000, "a " * 33])
async def test_empty_or_huge_text_is_bad_user_input(api, seeded, text: str) -> None:
    assert codes(await gql(api, contract("Search"), {"q": text})) == ["BAD_USER_INPUT"]


async def test_every_word_must_match_also_across_hyphens(api, seeded) -> None:
    """`nonlinear-eigenvalue` asks for both words, as `nonlinear eigenvalue` does; a word that is
    nowhere, joined by a hyphen, finds nothing."""
    def ids(body: dict) -> set[str]:
        return {h["node"]["id"] for h in body["data"]["search"]["hits"]}

    spaced = await gql(api, contract("Search"), {"q": "nonlinear eigenvalue", "first": 100})
    hyphen = await gql(api, contract("Search"), {"q": "nonlinear-eigenvalue", "first": 100})
    assert ids(spaced) and ids(hyphen) == ids(spaced)
    nowhere = await gql(api, contract("Search"), {"q": "zzqqxx-eigenvalue", "first": 100})
    assert nowhere["data"]["search"] == {"totalCount": 0, "hits": []}
    only_separators = await gql(api, contract("Search"), {"q": "(-)"})
    assert only_separators["data"]["search"]["totalCount"] == 0 and "errors" not in only_separators


async def test_search_ranks_and_filters(api, seeded) -> None:
    body = await gql(api, contract("Search"), {"q": "Nguyen"})
    hits = body["data"]["search"]["hits"]
    assert hits[0]["node"] == {"__typename": "Researcher", "id": "bzr-an-nguyen", "name": "An Nguyen"}
    alias = await gql(api, contract("Search"), {"q": "Bjoern"})
    assert alias["data"]["search"]["hits"][0]["node"]["id"] == "bzr-bjorn-eskofier"
    # Accents are folded both ways, whole words and the prefix typed so far alike.
    for typed, found in (("bjorn", "bzr-bjorn-eskofier"), ("BJÖRN eskofier", "bzr-bjorn-eskofier"),
                         ("bjö", "bzr-bjorn-eskofier"), ("schonlieb", "bzr-carola-bibiane-schonlieb"),
                         ("carola schonl", "bzr-carola-bibiane-schonlieb"), ("rene raab", "bzr-rene-raab")):
        folded = await gql(api, contract("Search"), {"q": typed, "kinds": ["RESEARCHER"]})
        assert [h["node"]["id"] for h in folded["data"]["search"]["hits"]][:1] == [found], (typed, folded)
    works = await gql(api, contract("Search"), {"q": "neural networks", "kinds": ["WORK"], "first": 100})
    result = works["data"]["search"]
    assert result["hits"] and all(h["node"]["__typename"] == "Work" for h in result["hits"])
    scores = [h["score"] for h in result["hits"]]
    assert scores == sorted(scores, reverse=True)
    topic = await gql(api, contract("Search"), {"q": "gradient flows", "kinds": ["TOPIC"]})
    assert topic["data"]["search"]["hits"][0]["node"]["name"] == "Gradient flows"
    assert codes(await gql(api, contract("Search"), {"q": "x", "first": 101})) == ["BAD_USER_INPUT"]
    assert body["extensions"]["cypherRoundTrips"] == 1


def _search_work(wid: str, title: str, abstract: str | None = None, cited: int = 0, **extra: object) -> dict:
    return {"id": wid, "title": title, "abstract": abstract, "year": 2021, "date": None, "type": "article",
            "language": "en", "doi": None, "arxivId": None, "citedByCount": cited, "source": None, "authors": [],
            "topics": [], **extra}


async def _search_ids(api, text: str, kinds: list[str] | None = None) -> list[str]:
    body = await gql(api, contract("Search"), {"q": text, "kinds": kinds, "first": 100})
    assert "errors" not in body, body
    scores = [h["score"] for h in body["data"]["search"]["hits"]]
    assert scores == sorted(scores, reverse=True)  # most relevant first, whatever rule ranked them
    return [h["node"]["id"] for h in body["data"]["search"]["hits"]]


async def test_a_pasted_identifier_finds_its_node_first(api, seeded) -> None:
    """DOIs, arXiv ids, ORCID iDs, ROR ids and OpenAlex ids, bare or as the addresses people copy,
    find the node that carries them, first; in another kind's search they find nothing extra."""
    tag = uuid.uuid4().hex[:8]
    number = int(tag, 16) % 10**9
    work = _search_work(f"W{number}", f"Identifier probe {tag}", doi=f"10.5555/probe.{tag}", arxivId=f"2401.{number % 100000:05d}")
    institution = {"id": f"I{number}", "name": f"Probe Institute {tag}", "ror": f"https://ror.org/0{tag[:6]}00",
                   "country": None, "type": None}
    await seeded.write("seed/load", sources=[], topics=[], institutions=[institution], researchers=[], works=[work],
                       affiliations=[])
    rid, digits = f"t-orcid-{tag}", f"{number:015d}"
    orcid = next(f"{digits[:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:]}{c}" for c in "0123456789X"
                 if identifiers.orcid_checks(f"{digits}{c}"))
    await seeded.write("testing/researcher-with-works", id=rid, name=f"Orcid Probe {tag}", works=[])
    await seeded.write("testing/add-signals", id=rid, followers=[], institution=None, claimant=None, orcid=orcid)
    for typed, expected in (
            (f"10.5555/probe.{tag}", work["id"]), (f"https://doi.org/10.5555/PROBE.{tag}", work["id"]),
            (f"doi:10.5555/probe.{tag}", work["id"]), (f"arXiv:{work['arxivId']}", work["id"]),
            (f"https://arxiv.org/abs/{work['arxivId']}v2", work["id"]), (work["id"].lower(), work["id"]),
            (f"https://openalex.org/{work['id']}", work["id"]), (f"0{tag[:6]}00", institution["id"]),
            (f"https://ror.org/0{tag[:6]}00", institution["id"]), (institution["id"], institution["id"]),
            (f"DOI: 10.5555/probe.{tag}", work["id"]), (f"arXiv: {work['arxivId']}", work["id"]),
            (f"https://orcid.org/{orcid}", rid), (orcid.replace("-", "").lower(), rid)):
        found = await _search_ids(api, typed)
        assert found[:1] == [expected], (typed, found)
    assert await _search_ids(api, f"10.5555/probe.{tag}", ["RESEARCHER"]) == []
    assert await _search_ids(api, f"https://orcid.org/{orcid}", ["WORK", "TOPIC", "INSTITUTION"]) == []
    assert await _search_ids(api, f"https://ror.org/0{tag[:6]}00", ["RESEARCHER", "WORK", "TOPIC"]) == []
    wrong = orcid[:-1] + ("1" if orcid[-1] == "0" else "0")
    assert rid not in await _search_ids(api, wrong)  # a wrong check digit is no iD


async def test_a_name_typed_exactly_ranks_first_across_kinds(api, seeded) -> None:
    """Each kind's index scores on its own scale: works whose abstracts repeat the words outscored
    the topic and the institution named exactly so. An exact name (or title, or alias) comes first."""
    tag = uuid.uuid4().hex[:8]
    name = f"Zyx{tag} Reservoir Ranking"
    works = [_search_work(f"t-{tag}-w{i}", f"{name} in practice {i}", f"{name} " * 20) for i in range(3)]
    topic = {"id": f"t-{tag}-t", "name": name, "subfield": None, "field": None, "domain": None}
    institution = {"id": f"t-{tag}-i", "name": f"{name} Institute", "ror": None, "country": None, "type": None}
    await seeded.write("seed/load", sources=[], topics=[topic], institutions=[institution], researchers=[],
                       works=works, affiliations=[])
    found = await _search_ids(api, f"zyx{tag} reservoir RANKING")
    assert found[0] == topic["id"] and set(found) == {topic["id"], institution["id"], *(w["id"] for w in works)}
    assert (await _search_ids(api, f"{name} Institute"))[0] == institution["id"]
    # a work's title is no name: a one-word title (`Index`) typed would outrank everything
    titled = _search_work(f"t-{tag}-wx", name.split()[0] + "x", cited=0)
    await seeded.write("seed/load", sources=[], topics=[], institutions=[], researchers=[], works=[titled], affiliations=[])
    exact, other = [await gql(api, contract("Search"), {"q": q}) for q in (titled["title"], titled["title"] + " .")]
    assert exact["data"]["search"]["hits"][0]["node"]["id"] == titled["id"]
    assert exact["data"]["search"]["hits"] == other["data"]["search"]["hits"]  # the same words, not raised as a name


async def test_a_pasted_id_ranks_before_a_name_typed_exactly(api, seeded) -> None:
    """Both rules raise a hit above the words' scores; an identifier pasted whole raises it further: a
    topic named as a researcher's id comes after that researcher."""
    tag = uuid.uuid4().hex[:8]
    rid = f"t-named-{tag}"
    await seeded.write("testing/researcher-with-works", id=rid, name=f"Someone {tag}", works=[])
    topic = {"id": f"t-{tag}-topic", "name": rid, "subfield": None, "field": None, "domain": None}
    await seeded.write("seed/load", sources=[], topics=[topic], institutions=[], researchers=[], works=[],
                       affiliations=[])
    assert (await _search_ids(api, rid))[:2] == [rid, topic["id"]]


async def test_institutions_scoring_alike_come_by_their_researchers_then_id(api, seeded) -> None:
    """Of institutions a search scores alike (the same name), the one with more researchers comes
    first, then the smaller id."""
    from bzgraph.neighbours import refresh_ids

    tag = f"inst{uuid.uuid4().hex[:8]}"
    institutions = [{"id": f"t-{tag}-{x}", "name": f"{tag} Institute", "ror": None, "country": None, "type": None}
                    for x in "abc"]
    researchers = [{"id": f"t-{tag}-r{i}", "name": f"Member {tag} {i}", "aliases": [], "orcid": None,
                    "openToCollaborate": False, "bio": None} for i in range(4)]
    members = {"a": [0], "b": [1, 2], "c": [3]}
    await seeded.write("seed/load", sources=[], topics=[], institutions=institutions, researchers=researchers, works=[],
                       affiliations=[{"researcher": f"t-{tag}-r{i}", "institution": f"t-{tag}-{x}", "years": [2020]}
                                     for x, ids in members.items() for i in ids])
    await refresh_ids(seeded, [i["id"] for i in institutions])
    assert await _search_ids(api, f"{tag} institute", ["INSTITUTION"]) == [f"t-{tag}-{x}" for x in "bac"]


async def test_hits_of_equal_score_go_to_the_better_known_node_first(api, seeded) -> None:
    """A word typed half-way is a prefix query, which scores every hit alike: the most cited work
    comes first, not the smallest id."""
    tag = uuid.uuid4().hex[:8]
    works = [_search_work(f"t-{tag}-w{i}", f"Qv{tag}prefixed study", cited=cited) for i, cited in enumerate((3, 40, 0, 12))]
    await seeded.write("seed/load", sources=[], topics=[], institutions=[], researchers=[], works=works, affiliations=[])
    assert await _search_ids(api, f"qv{tag}pre") == [works[i]["id"] for i in (1, 3, 0, 2)]


async def test_search_pages_on_with_after(api, seeded) -> None:
    """Pages of 7 give the same hits, in the same order, as one page of 100; a cursor belongs to
    its search (words and kinds)."""
    import uuid

    tag = f"pager{uuid.uuid4().hex[:8]}"
    for i in range(23):
        await seeded.write("testing/researcher-with-works", id=f"t-{tag}-{i}", name=f"{tag} {'x' * (i % 5)}",
                           works=[{"id": f"t-{tag}-w{i}", "title": f"{tag} work", "year": 2020}] if i % 3 == 0 else [])
    query = """query($q: String!, $first: Int!, $after: String, $kinds: [NodeKind!]) {
      search(query: $q, first: $first, after: $after, kinds: $kinds) {
        totalCount hits { node { id } } pageInfo { hasNextPage endCursor hasPreviousPage } } }"""
    whole = (await gql(api, query, {"q": tag, "first": 100}))["data"]["search"]
    assert whole["totalCount"] == 23 + 8
    assert 7 < whole["totalCount"] <= 100 and not whole["pageInfo"]["hasNextPage"]
    seen, after, pages = [], None, 0
    for _ in paging():
        page = (await gql(api, query, {"q": tag, "first": 7, "after": after}))["data"]["search"]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None) and page["totalCount"] == whole["totalCount"]
        seen += [h["node"]["id"] for h in page["hits"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [h["node"]["id"] for h in whole["hits"]] and pages == -(-whole["totalCount"] // 7)
    first = (await gql(api, query, {"q": tag, "first": 7}))["data"]["search"]["pageInfo"]["endCursor"]
    # another search: other words, other kinds, or the same words ranked otherwise (`x.` is no name `x`)
    for other in ({"q": tag + " x"}, {"q": tag, "kinds": ["WORK"]}, {"q": tag + "."}):
        body = await gql(api, query, {"first": 7, "after": first, **{"q": tag, **other}})
        assert codes(body) == ["BAD_USER_INPUT"], other
    # a hit's cursor is the position after it: `after: startCursor` leaves out the page's first hit
    starts = """query($q: String!, $after: String) { search(query: $q, first: 3, after: $after) {
      hits { node { id } } pageInfo { startCursor } } }"""
    page = (await gql(api, starts, {"q": tag, "after": first}))["data"]["search"]
    again = (await gql(api, starts, {"q": tag, "after": page["pageInfo"]["startCursor"]}))["data"]["search"]
    assert [h["node"]["id"] for h in again["hits"]][:2] == [h["node"]["id"] for h in page["hits"]][1:]
    # forged positions (cursors are not signed): refused, never a database error
    scope, _ = json.loads(base64.urlsafe_b64decode(first[4:] + "=" * (-len(first[4:]) % 4)))
    for position in (-1, 4001, 10**12, 2**63 - 1):
        forged = "bz1:" + base64.urlsafe_b64encode(json.dumps([scope, [position]]).encode()).decode().rstrip("=")
        assert codes(await gql(api, query, {"q": tag, "first": 7, "after": forged})) == ["BAD_USER_INPUT"], position


async def test_search_edges_are_a_relay_connection_over_the_same_hits(api, seeded) -> None:
    """`edges` hold the page's hits, each with a cursor: `after` an edge's cursor gives the hits
    after that edge, and the last edge's cursor is `endCursor`."""
    tag = f"edges{uuid.uuid4().hex[:8]}"
    for i in range(9):
        await seeded.write("testing/researcher-with-works", id=f"t-{tag}-{i}", name=f"{tag} {'y' * i}", works=[])
    query = """query($q: String!, $first: Int!, $after: String) { search(query: $q, first: $first, after: $after) {
      hits { score node { id } } edges { cursor score node { id } } pageInfo { endCursor hasNextPage } } }"""
    whole = [h["node"]["id"] for h in (await gql(api, query, {"q": tag, "first": 100}))["data"]["search"]["hits"]]
    assert len(whole) == 9
    page = (await gql(api, query, {"q": tag, "first": 4}))["data"]["search"]
    assert [(e["score"], e["node"]) for e in page["edges"]] == [(h["score"], h["node"]) for h in page["hits"]]
    assert page["edges"][-1]["cursor"] == page["pageInfo"]["endCursor"] and page["pageInfo"]["hasNextPage"]
    for position, edge in enumerate(page["edges"], 1):
        after = (await gql(api, query, {"q": tag, "first": 100, "after": edge["cursor"]}))["data"]["search"]
        assert [e["node"]["id"] for e in after["edges"]] == whole[position:], position
    empty = (await gql(api, query, {"q": f"nothing{tag}", "first": 5}))["data"]["search"]
    assert empty["edges"] == [] and empty["pageInfo"] == {"endCursor": None, "hasNextPage": False}


async def test_search_says_when_a_kind_has_more_hits_than_it_ranks(api, seeded, monkeypatch) -> None:
    """Only the HITS_RANKED most relevant hits of a kind are counted and paged: `truncated` tells a
    client that the last page is not the last hit (with exactly that many, it is)."""
    import uuid

    from bzgraph.api import search

    tag = f"capped{uuid.uuid4().hex[:8]}"
    for i in range(6):
        await seeded.write("testing/researcher-with-works", id=f"t-{tag}-{i}", name=f"{tag} {'x' * i}",
                           works=[{"id": f"t-{tag}-w{i}", "title": f"{tag} work", "year": 2020}] if i < 2 else [])
    query = """query($q: String!, $kinds: [NodeKind!]) { search(query: $q, first: 100, kinds: $kinds) {
      totalCount truncated hits { node { id } } pageInfo { hasNextPage } } }"""
    for cap, kinds, total, truncated in ((6, ["RESEARCHER"], 6, False), (5, ["RESEARCHER"], 5, True),
                                         (5, ["WORK"], 2, False), (5, None, 7, True), (100, None, 8, False)):
        monkeypatch.setattr(search, "HITS_RANKED", cap)
        found = (await gql(api, query, {"q": tag, "kinds": kinds}))["data"]["search"]
        assert (found["totalCount"], len(found["hits"]), found["truncated"]) == (total, total, truncated), (cap, kinds)
        assert not found["pageInfo"]["hasNextPage"]
        if truncated and kinds == ["RESEARCHER"]:  # the hits ranked are the best: the name alone scores highest
            assert found["hits"][0]["node"]["id"] == f"t-{tag}-0"
    # a node found by its id pasted whole comes first and takes none of the places of the others
    await seeded.write("testing/researcher-with-works", id=tag, name=f"{tag} by id", works=[])
    monkeypatch.setattr(search, "HITS_RANKED", 6)
    found = (await gql(api, query, {"q": tag, "kinds": ["RESEARCHER"]}))["data"]["search"]
    assert found["hits"][0]["node"]["id"] == tag and (found["totalCount"], found["truncated"]) == (7, False)
    monkeypatch.setattr(search, "HITS_RANKED", 5)
    found = (await gql(api, query, {"q": tag, "kinds": ["RESEARCHER"]}))["data"]["search"]
    assert found["hits"][0]["node"]["id"] == tag and (found["totalCount"], found["truncated"]) == (6, True)


async def test_researchers_scoring_alike_come_by_their_works_count(api, seeded) -> None:
    """Of researchers a search scores alike (the same name), the one with more works comes first; their
    ids decide only then."""
    import uuid

    from bzgraph.neighbours import refresh_ids

    tag = f"alike{uuid.uuid4().hex[:8]}"
    for rid, works in ((f"t-{tag}-a", 1), (f"t-{tag}-b", 3), (f"t-{tag}-c", 0)):
        await seeded.write("testing/researcher-with-works", id=rid, name=f"{tag} Person",
                           works=[{"id": f"{rid}-w{i}", "title": f"{rid} work", "year": 2020} for i in range(works)])
    await refresh_ids(seeded, [f"t-{tag}-{x}" for x in "abc"])
    body = await gql(api, contract("Search"), {"q": f"{tag} person", "kinds": ["RESEARCHER"], "first": 10})
    assert [h["node"]["id"] for h in body["data"]["search"]["hits"]] == [f"t-{tag}-b", f"t-{tag}-a", f"t-{tag}-c"]


async def test_search_folds_every_word_as_the_index_does(api, seeded) -> None:
    """Python lower-cases İ as i plus a combining dot, Lucene as i: a name pasted from a profile
    must find its researcher, whichever word it is in the query."""
    import uuid

    rid = f"t-{uuid.uuid4().hex[:8]}"
    await seeded.write("testing/researcher-with-works", id=rid, name="İbrahim Dursunoğlu", works=[])
    for typed in ("İbrahim Dursunoğlu", "Dursunoğlu İbrahim", "ibrahim dursunoglu", "İBRAHİM DURSUNOĞLU"):
        body = await gql(api, contract("Search"), {"q": typed, "kinds": ["RESEARCHER"]})
        assert [h["node"]["id"] for h in body["data"]["search"]["hits"]] == [rid], typed
    # Folding makes capitals of some characters; in capitals AND, OR and NOT would be Lucene's operators.
    for typed in ("a 𝐀𝐍𝐃 b", "𝐍𝐎𝐓", "x ᴼᴿ", "ibrahim 𝐎𝐑 dursunoglu"):
        body = await gql(api, contract("Search"), {"q": typed})
        assert "errors" not in body, (typed, body)


async def test_search_finds_names_as_people_type_them(api, seeded) -> None:
    """Decomposed input (NFD) in any script, Greek capitals (Python lower-cases a final Σ as ς,
    Lucene as σ), a zero-width non-joiner inside a Persian name, letters the index folds (ə, ’)
    in the prefix typed so far, a Korean name from one syllable, and a stop word typed last (the
    index drops it)."""
    import unicodedata
    import uuid

    tag = uuid.uuid4().hex[:6]
    names = {"cyrillic": "Йорданов Zqx", "greek": "ΣΩΚΡΑΤΗΣ ΠΑΠΑΣ", "persian": "زهرا\u200cسادات",
             "azeri": "Məmmədov Elçin", "irish": "Siobhán O'Brien", "rare": "Ɩrena Ỽalda Ɡoran",
             "hangul": "뷁뙑 쌺"}
    ids = {key: f"t-{tag}-{key}" for key in names}
    for key, name in names.items():
        await seeded.write("testing/researcher-with-works", id=ids[key], name=name,
                           works=[{"id": f"{ids[key]}-w", "title": f"The lion{tag} in the attic", "year": 2020}]
                           if key == "irish" else [])

    async def found(typed: str, kinds: list[str]) -> list[str]:
        body = await gql(api, contract("Search"), {"q": typed, "kinds": kinds, "first": 100})
        assert "errors" not in body, (typed, body)
        return [h["node"]["id"] for h in body["data"]["search"]["hits"]]

    for typed, key in ((unicodedata.normalize("NFD", "Йорданов"), "cyrillic"), ("ΣΩΚΡΑΤΗΣ", "greek"),
                       ("ΠΑΠΑΣ", "greek"), ("σωκρατησ", "greek"), ("زهرا\u200cسادات", "persian"),
                       ("Məmməd", "azeri"), ("Məmmədov", "azeri"), ("O’Bri", "irish"), ("o'brien", "irish"),
                       ("Ɩre", "rare"), ("Ỽal", "rare"), ("Ɡor", "rare"),  # folded, then lower-cased
                       ("뷁", "hangul"), ("쌺 뷁", "hangul")):  # a syllable is a start of a name already
        assert ids[key] in await found(typed, ["RESEARCHER"]), typed
    for typed in (f"lion{tag} in the", f"lion{tag} in the attic", f"lion{tag} in"):
        assert await found(typed, ["WORK"]) == [f"{ids['irish']}-w"], typed



async def test_imported_names_are_found_as_people_type_them(api, seeded, tmp_path) -> None:
    """Real OpenAlex names: an apostrophe nobody types (Al-Bu'saidi, O'Brien: the index kept each one
    word, so `busaidi`, `obrien` and `brien` found nothing); a name typed exactly but without its
    accents, or with an ASCII hyphen where the record has U+2010 (214 names of the sample), raised
    as typed exactly; a Korean or Japanese name found from its first syllables."""
    import gzip
    import unicodedata

    from bzgraph.ingest.load import import_paths

    tag = str(random.randrange(10**8, 10**9))
    names = {"1": "Salim Al-Bu'saidi" + tag, "2": f"Niamh O\u2019Qv{tag}", "3": f"Jos\u00e9 Garc\u00eda{tag}",
             "4": f"Garc\u00eda{tag} Jos\u00e9", "5": f"Khalid Al\u2010Ramadan{tag}", "6": f"Khalid Ramadan{tag} Al",
             "7": "\uae40\ubbfc\uc218" + tag, "8": "\u30df\u30e5\u30e9\u30fc " + tag}
    ids = {key: f"A9{tag}{key}" for key in names}
    record = {"id": f"https://openalex.org/W9{tag}1", "title": f"Names {tag}", "publication_year": 2024,
              "authorships": [{"author": {"id": f"https://openalex.org/{ids[key]}", "display_name": name}}
                              for key, name in names.items()]}
    path = tmp_path / "names.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps(record).encode() + b"\n"))
    await import_paths(seeded, [path])

    async def hits(typed: str) -> list[dict]:
        body = await gql(api, contract("Search"), {"q": typed, "kinds": ["RESEARCHER"], "first": 100})
        assert "errors" not in body, (typed, body)
        return body["data"]["search"]["hits"]

    for typed, key in (("Busaidi" + tag, "1"), ("Al-Busaidi" + tag, "1"), ("Salim Busaidi" + tag, "1"),
                       ("al-bu'saidi" + tag, "1"), (f"OQv{tag}", "2"), (f"Qv{tag}", "2"), (f"O'Qv{tag}", "2"),
                       (f"niamh o qv{tag}", "2")):
        assert [h["node"]["id"] for h in await hits(typed)] == [ids[key]], typed
    for typed, key in ((f"Jose Garcia{tag}", "3"), (unicodedata.normalize("NFD", f"José García{tag}"), "3"),
                       (f"garcia{tag} jose", "4"), (f"Khalid Al-Ramadan{tag}", "5"), (f"khalid al ramadan{tag}", "5"),
                       (f"Khalid Ramadan{tag} Al", "6")):
        found = await hits(typed)
        assert len(found) == 2 and found[0]["node"]["id"] == ids[key], typed
        assert found[0]["score"] > found[1]["score"] + 1, typed  # raised as typed exactly, not a tie broken by id
    for typed, key in (("\uae40", "7"), ("\uae40\ubbfc", "7"), ("\u30df\u30e5", "8")):
        assert ids[key] in [h["node"]["id"] for h in await hits(typed)], typed


async def test_titles_topics_and_institutions_are_found_without_their_apostrophes(api, seeded, tmp_path) -> None:
    """French and Italian names keep an elided article inside a word (`d'Orsay`, `d’Orléans`): the
    index kept it one word, and `Orsay` or `Orleans` found nothing (43 institutions of the sample)."""
    import gzip

    from bzgraph.ingest.load import import_paths

    tag = str(random.randrange(10**8, 10**9))
    record = {"id": f"https://openalex.org/W7{tag}1", "title": f"L\u2019\u00c9volution des r\u00e9cifs{tag}",
              "publication_year": 2024,
              "authorships": [{"author": {"id": f"https://openalex.org/A7{tag}1", "display_name": "Anne Probe"},
                               "institutions": [{"id": f"https://openalex.org/I7{tag}1",
                                                 "display_name": f"Laboratoire de Math\u00e9matiques d'Orsay{tag}"}]}],
              "topics": [{"id": f"https://openalex.org/T7{tag}1", "display_name": f"Queen\u2018s reefs{tag}", "score": 0.5}]}
    path = tmp_path / "elided.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps(record).encode() + b"\n"))
    await import_paths(seeded, [path])
    # only the words with the apostrophe are spelled again: the others do not count three times in the ranking
    plain = dict(record, id=f"https://openalex.org/W7{tag}2", title=f"Zentrum{tag} Paris",
                 authorships=[{"author": {"id": f"https://openalex.org/A7{tag}2", "display_name": f"Zafira Oth\u200bmanova{tag}"},
                               "institutions": [{"id": f"https://openalex.org/I7{tag}2", "display_name": f"Zentrum{tag} Paris"},
                                                {"id": f"https://openalex.org/I7{tag}3", "display_name": f"Zentrum{tag} d'Orsay"}]}])
    path.write_bytes(gzip.compress(json.dumps(plain).encode() + b"\n"))
    await import_paths(seeded, [path])
    body = await gql(api, contract("Search"), {"q": f"zentrum{tag}", "kinds": ["INSTITUTION"], "first": 10})
    scores = {h["node"]["id"]: h["score"] for h in body["data"]["search"]["hits"]}
    assert set(scores) == {f"I7{tag}2", f"I7{tag}3"} and abs(scores[f"I7{tag}2"] - scores[f"I7{tag}3"]) < 1e-6, scores
    # a zero-width space inside a word hid it as well (the index splits the word there)
    assert await _search_ids(api, f"Othmanova{tag}", ["RESEARCHER"]) == [f"A7{tag}2"]
    exact, words = [(await gql(api, contract("Search"), {"q": q, "kinds": ["RESEARCHER"]}))["data"]["search"]["hits"][0]["score"]
                    for q in (f"Zafira Othmanova{tag}", f"Othmanova{tag} Zafira")]
    assert exact > words + 1  # typed exactly: raised above every other hit
    for typed, kind, expected in ((f"Orsay{tag}", "INSTITUTION", f"I7{tag}1"), (f"d'Orsay{tag}", "INSTITUTION", f"I7{tag}1"),
                                  (f"evolution recifs{tag}", "WORK", f"W7{tag}1"), (f"Levolution recifs{tag}", "WORK", f"W7{tag}1"),
                                  (f"queens reefs{tag}", "TOPIC", f"T7{tag}1"), (f"reefs{tag} queen", "TOPIC", f"T7{tag}1")):
        assert await _search_ids(api, typed, [kind]) == [expected], typed


def test_a_query_is_counted_in_composed_characters() -> None:
    """500 characters typed: an accent sent as a combining mark (NFD) counted twice."""
    from bzgraph.api.search import MAX_QUERY, lucene_query
    from bzgraph.errors import BadUserInput

    assert MAX_QUERY == 500  # as the schema's description and the README say
    assert lucene_query("e\u0301" * 500)
    with pytest.raises(BadUserInput):
        lucene_query("\u00e9" * 501)


def test_a_name_key_leaves_out_accents_case_apostrophes_and_dashes() -> None:
    from bzgraph.folding import name_key

    assert name_key("  José  García ") == name_key("JOSE GARCIA") == "jose garcia"
    assert name_key("Khalid Al\u2010Ramadan") == name_key("khalid al-ramadan") == name_key("Khalid Al Ramadan")
    assert name_key("O\u2019Brien") == name_key("o'brien") == name_key("OBrien") == "obrien"
    assert name_key("Straße Σωκράτης") == "strasse σωκράτης"  # what Lucene folds, and no more


async def test_search_finds_possessives_and_greek_final_sigma_either_way(api, seeded) -> None:
    """The analyzer keeps an English possessive on its word and lower-cases a capital Σ to σ, while
    people type the name without the possessive, or with it, and a final σ as ς: each finds it."""
    import uuid

    tag = uuid.uuid4().hex[:6]
    names = {"pool": f"Murray's Pool{tag}", "murray": f"Elena Murray Qv{tag}",
             "capitals": f"ΟΔΥΣΣΕΥΣ Λx{tag}", "lower": f"Αρης Λy{tag}"}
    ids = {key: f"t-{tag}-{key}" for key in names}
    for key, name in names.items():
        await seeded.write("testing/researcher-with-works", id=ids[key], name=name, works=[])

    async def found(typed: str) -> list[str]:
        body = await gql(api, contract("Search"), {"q": typed, "kinds": ["RESEARCHER"], "first": 100})
        assert "errors" not in body, (typed, body)
        return [h["node"]["id"] for h in body["data"]["search"]["hits"]]

    for typed, key in ((f"murray pool{tag}", "pool"), (f"pool{tag} murray", "pool"), (f"Murray's Pool{tag}", "pool"),
                       (f"murray's qv{tag}", "murray"), (f"qv{tag} murray's", "murray"),
                       (f"Οδυσσευς λx{tag}", "capitals"), (f"λx{tag} οδυσσευς", "capitals"),
                       (f"ΑΡΗΣ λy{tag}", "lower"), (f"λy{tag} αρησ", "lower")):
        assert await found(typed) == [ids[key]], typed


async def test_search_splits_typed_words_as_the_index_does(api, seeded) -> None:
    """A name or title found by itself as displayed: an initial with its dot (`A.` is the stop word
    `a`), `no.`, and words joined by a comma or semicolon, which must all match, not either one."""
    import uuid

    tag = uuid.uuid4().hex[:6]
    rid, wid = f"t-{tag}-r", f"t-{tag}-w"
    await seeded.write("testing/researcher-with-works", id=rid, name=f"Niva{tag} A. Ran", works=[
        {"id": wid, "title": f"Treatise{tag} Online no. 120: Part 2, carbonate reefs", "year": 2020}])
    other = f"t-{tag}-x"
    await seeded.write("testing/researcher-with-works", id=other, name=f"Zed{tag} Carbonate", works=[
        {"id": f"{other}-w", "title": f"Treatise{tag} of limestone", "year": 2019}])

    async def found(typed: str, kinds: list[str]) -> list[str]:
        body = await gql(api, contract("Search"), {"q": typed, "kinds": kinds, "first": 100})
        assert "errors" not in body, (typed, body)
        return [h["node"]["id"] for h in body["data"]["search"]["hits"]]

    for typed in (f"Niva{tag} A. Ran", f"niva{tag} a ran", f"A. Ran Niva{tag}"):
        assert await found(typed, ["RESEARCHER"]) == [rid], typed
    # an initial, as reference lists write names, is no word of its own in the index: it may match
    for typed in ("L. Bungert", "Bungert, L.", "Bungert L."):
        assert (await found(typed, ["RESEARCHER"]))[:1] == ["bzr-leon-bungert"], typed
    assert await found(f"Q. Niva{tag} Ran", ["RESEARCHER"]) == [rid]
    # a letter without its dot is a word that must match (`Arab-D`, `Khuff C`)
    assert await found(f"Treatise{tag} Q", ["WORK"]) == []
    assert set(await found(f"Treatise{tag} Q.", ["WORK"])) == {wid, f"{other}-w"}  # an initial may match
    assert await found(f"Treatise{tag} Online no. 120: Part 2, carbonate reefs", ["WORK"]) == [wid]
    assert await found(f"treatise{tag},carbonate", ["WORK"]) == [wid]  # both words, not either
    assert await found(f"treatise{tag};zzqxw{tag}", ["WORK"]) == []
    assert await found(f"zed{tag},zzqxw{tag}", ["RESEARCHER"]) == []
    # `.` joins two digits or two letters into one word, as in the index: `3.5` and `e.g` are not `3` and `5`
    await seeded.write("testing/researcher-with-works", id=f"t-{tag}-v", name=f"Vers{tag}", works=[
        {"id": f"t-{tag}-v1", "title": f"Versions{tag} of GPT 3.5, e.g. in air flows", "year": 2023}])
    for typed in (f"versions{tag} GPT 3.5", f"versions{tag} e.g. air", f"3.5 versions{tag}"):
        assert await found(typed, ["WORK"]) == [f"t-{tag}-v1"], typed
    # a word typed last is also searched as the start of a longer one from three letters, not from two
    assert await found(f"versions{tag} flo", ["WORK"]) == [f"t-{tag}-v1"]
    assert await found(f"versions{tag} ai", ["WORK"]) == []  # `ai` is no word of the title (`air` is)
    # Chinese: the analyzer makes each character a term; a typed word is those terms in order
    await seeded.write("testing/researcher-with-works", id=f"t-{tag}-zh", name=f"Li{tag}", works=[
        {"id": f"t-{tag}-zh1", "title": f"机器学习方法 {tag}", "year": 2020},
        {"id": f"t-{tag}-zh2", "title": f"学习机器 {tag}", "year": 2020}])
    assert await found(f"{tag} 机器学习", ["WORK"]) == [f"t-{tag}-zh1"]

async def test_a_refresh_in_chunks_refreshes_every_node_once(seeded) -> None:
    """Chunks of 2 over 9 nodes, two transactions at a time: each node refreshed, none left out at a
    chunk's end, none twice (the count is of nodes refreshed)."""
    from bzgraph.neighbours import refresh_ids

    g = Graph(seed=12, researchers=5, works=4)
    await g.load(seeded)
    ids = [r["id"] for r in g.researchers] + [w["id"] for w in g.works]
    assert await refresh_ids(seeded, ids, chunk=2, workers=2) == len(ids) == 9


async def test_refresh_all_reads_each_page_after_the_last_id_of_the_one_before(seeded, monkeypatch) -> None:
    """Every node explore can center on is refreshed once, page after page (the pages are read, the
    refresh itself left out: here it only collects the ids)."""
    from bzgraph import neighbours

    everything = [row["id"] for row in await seeded.read("explore/node-ids", after="", first=10**7)]
    seen: list[str] = []

    async def collect(db: Database, pages, **options: int) -> int:
        async for page in pages:
            seen.extend(page)
            assert len(seen) <= len(everything), "a node was read twice"
        return len(seen)

    monkeypatch.setattr(neighbours, "refresh", collect)
    monkeypatch.setattr(neighbours, "PAGE", max(2, len(everything) // 5))
    assert await neighbours.refresh_all(seeded) == len(everything) and seen == everything


async def test_refresh_after_a_write_shows_the_new_neighbours(api, seeded) -> None:
    from bzgraph.neighbours import refresh_all

    g = Graph(seed=11, researchers=8, works=10)
    await g.load(seeded)
    center = g.researchers[0]["id"]
    newcomer = {**g.researchers[0], "id": center.replace("-r00", "-new"), "name": "Newcomer"}
    work = {**g.works[0], "id": center.replace("-r00", "-wnew"), "citedByCount": 10_000, "topics": [],
            "authors": [{"researcher": center, "position": 1}, {"researcher": newcomer["id"], "position": 2}]}
    await seeded.write("seed/load", sources=[], topics=[], institutions=[], researchers=[newcomer], works=[work],
                       affiliations=[])
    before = await _explore(api, center, limit=500)
    assert work["id"] not in {n["id"] for n in before["nodes"]}  # lists are read, not computed at request time
    g.researchers.append(newcomer)
    g.works.append(work)
    assert await refresh_all(seeded) >= len(g.researchers) + len(g.works)
    after = await _explore(api, center, limit=500)
    assert [n["id"] for n in after["nodes"]] == g.expected_depth1(center, 500)
    assert work["id"] in [n["id"] for n in after["nodes"][:4]]  # the heaviest work: rank 0 of its kind
    totals = {t["kind"]: t["total"] for t in after["totals"]}
    assert totals == {kind: len(g.neighbours(center).get(kind, {})) for kind in KINDS}


async def test_refresh_removes_neighbour_relationships_of_older_versions(api, seeded) -> None:
    g = Graph(seed=12, researchers=8, works=10)
    await g.load(seeded)
    center, other = g.researchers[0]["id"], g.works[0]["id"]
    rows = await seeded.write("testing/legacy-neighbour", **{"from": center, "to": other, "add": True})
    assert rows[0]["neighbourRelationships"] == 1
    await seeded.write("explore/refresh", ids=[center], keep=NEIGHBOURS_KEPT)
    rows = await seeded.write("testing/legacy-neighbour", **{"from": center, "to": other, "add": False})
    assert rows[0]["neighbourRelationships"] == 0
    assert [n["id"] for n in (await _explore(api, center, limit=50))["nodes"]] == g.expected_depth1(center, 50)


async def test_contract_operations_over_a_real_server(live_url: str, seeded) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=live_url, timeout=60) as client:
        body = await gql(client, contract("ResearchGraph"), {"id": "bzw-missing"})
        assert body["data"]["explore"] is None and "errors" not in body
        body = await gql(client, contract("ResearchGraph"), {"id": "bzr-leon-bungert", "depth": 2, "limit": 30})
        graph = body["data"]["explore"]
        assert body["extensions"]["cypherRoundTrips"] == 1 and len(graph["nodes"]) <= 30 and graph["truncated"]
        ids = {n["id"] for n in graph["nodes"]} | {"bzr-leon-bungert"}
        assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])
        body = await gql(client, contract("Search"), {"q": "bungert", "kinds": ["RESEARCHER"]})
        assert body["data"]["search"]["hits"][0]["node"]["id"] == "bzr-leon-bungert"
        for text in ('"}\\\x00 title:(', "\t\n", "x" * 10_000):
            answer = await gql(client, contract("Search"), {"q": text})
            assert "errors" not in answer or codes(answer) == ["BAD_USER_INPUT"], answer


async def test_a_works_authors_come_a_page_at_a_time_and_count_in_the_query_cost(api, seeded) -> None:
    """A work of a large collaboration: `authors` gives the first `first` (20 by default, at most
    1,000) in author-list order and `authorCount` how many; the cost rule counts the list at its
    size, so aliases of a 1,500-author byline with the authors' works are refused before they run
    (the list was unbounded and counted as 10: 30 aliases answered 11 MB)."""
    g = Graph(seed=5, researchers=150, works=2)
    g.works[0]["authors"] = [{"researcher": r["id"], "position": k + 1} for k, r in enumerate(g.researchers)]
    await g.load(seeded)
    wid = g.works[0]["id"]
    query = """query($id: ID!, $first: Int) { node(id: $id) { ... on Work {
      authorCount authors(first: $first) { position researcher { id } } } } }"""
    default = query.replace("(first: $first)", "").replace(", $first: Int", "")
    whole = (await gql(api, default, {"id": wid}))["data"]["node"]
    assert whole["authorCount"] == 150 and [a["position"] for a in whole["authors"]] == list(range(1, 21))
    some = (await gql(api, query, {"id": wid, "first": 3}))["data"]["node"]["authors"]
    assert [(a["position"], a["researcher"]["id"]) for a in some] == [(k + 1, g.researchers[k]["id"]) for k in range(3)]
    assert codes(await gql(api, query, {"id": wid, "first": 1001})) == ["BAD_USER_INPUT"]
    capped = (await seeded.read("work/authors", ids=[wid], max=5))[0]  # the database sends no more than asked
    assert (len(capped["authors"]), capped["authorCount"]) == (5, 150)
    bylines = """query($id: ID!) { researcher(id: $id) { works(first: 100) { edges { node {
      title authors { researcher { name } } } } } } }"""  # a page of works with their bylines stays allowed
    assert "errors" not in await gql(api, bylines, {"id": g.researchers[0]["id"]})
    fan_out = "{ " + " ".join(
        f'a{i}: node(id: "{wid}") {{ ... on Work {{ authors(first: 1000) {{ researcher {{ works(first: 100) '
        f'{{ edges {{ node {{ id }} }} }} }} }} }} }}' for i in range(3)) + " }"
    assert codes(await gql(api, fan_out)) == ["QUERY_TOO_COMPLEX"]


async def test_a_works_raw_author_names_are_bounded_too(api, seeded) -> None:
    """Names without a researcher record come in author-list order, the first 1,000 (the list was
    unbounded: a byline of thousands of unlinked names answered each of them, per alias)."""
    names = [f"Unlinked Author {k:04d}" for k in range(1200)]
    work = {"id": "W-raw-names", "title": "A large collaboration", "abstract": None, "year": 2020, "date": "2020-01-01",
            "type": "article", "language": "en", "doi": None, "arxivId": None, "citedByCount": 0,
            "rawAuthorNames": names, "source": None, "authors": [], "topics": [], "version": "2025-11-06"}
    await seeded.write("ingest/works", works=[work])
    try:
        body = await gql(api, '{ node(id: "W-raw-names") { ... on Work { rawAuthorNames } } }')
        assert body["data"]["node"]["rawAuthorNames"] == names[:1000]
    finally:
        await seeded.write("testing/delete-node", id="W-raw-names")

"""The reference researcher's profile page from bzgraph and from its peer, @neo4j/graphql, in one run.

Starts `bzgraph serve` and the peer (`bench/peer/server.mjs`: @neo4j/graphql 7 served by graphql-yoga; install
it first with `npm ci --prefix bench/peer`) on free loopback ports, against the same configured database (seed
it first: `bzgraph seed`). Checks that both answer the same data, then alternates the requests, each round in
another order, over one minimal keep-alive HTTP/1.1 client per server (`bench/serving.py`). Prints medians,
p90, the ratios bzgraph / peer and the Cypher queries each side sent per operation (bzgraph's
`extensions.cypherRoundTrips`; the peer's `extensions.cypherQueries`, counted at its driver).

To tell the database's share from the servers', the same rounds also time each side's Cypher with its
parameters through the raw Python driver (`execute_query`, the rows as they arrive): bzgraph's
`profile/researchers` as its resolver sends it, and the query the peer generated (the peer answers it when a
request asks, `extensions.showCypher`). What a server adds is its median over HTTP less its raw query's; the
peer's includes its own driver (the JavaScript one, through `session.executeRead`).

The peer's answers keep getting faster over its first few thousand requests (Node's JIT compiling
@neo4j/graphql's translation and its driver): about 7 ms over the first 500 requests, 3.5-4 ms after 4,000 on
the day this was written, while bzgraph's were flat from the first. So every path is warmed 4,000 rounds
(`--warmup`) before timing, and `drift` (the median of the timed rounds' last third over their first) shows
whether a side was still changing. After 50 rounds of warm-up the ratios were 0.6-0.7: a cold peer.

What each document asks for, and what each side computes that the other does not:

- **bzgraph, the contract's ProfilePage** (`../shared/contract/ProfilePage.graphql`) also has the derived fields
  the peer's generated schema cannot express: `headline` (from the researcher's main topics), `counts.topics`
  (distinct topics over the works), `counts.closeCollaborators` (co-authors sharing two works or more),
  `viewerState` (anonymous here: the reasons the viewer cannot claim or invite), and `affiliation`, the current
  one (the latest year seen, ties by name), chosen in the query.
- **bzgraph, the same fields as the peer** (`STORED`, below): the contract's document without those, and with
  every affiliation and its years (`affiliations`), as the peer answers them. Its one profile query computes
  only the parts the document's fields need (`cypher/profile/researchers.cypher`, `$parts`): this document
  still asks for `counts` (works and followers), which is read whole and so needs the collaborators and the
  topics; it leaves out only the viewer state. The raw Cypher timed for bzgraph is the contract document's.
- **the peer** (`PEER`, below), the closest document its schema allows, the same in both pairs: the stored
  name, `openToCollaborate` and trust properties; `claimed` as a count of APPROVED claims; every affiliation
  with its years (it cannot pick the current one: the client would); the followers counted by its aggregation
  field; the works connection sorted by the stored `year`, `sortTitle` and `id`, its first 10 with their
  venue's name (`source { name }`, bzgraph's `venue`), its `totalCount` also standing for `counts.works`. It
  computes what bzgraph does not: its connection collects every work with its AUTHORED relationship into a list
  before sorting and paging them, and pages by offset (bzgraph's cursors are keyset positions). bzgraph sorts unknown years last and a work without a sort title by its lower-cased title; the
  peer sorts by the stored properties as they are (unknown years first): the same order on the seed graph,
  which the check below confirms.
- Per request, bzgraph also applies its request checks (body and document limits, the cost rule), writes one
  log line (here to /dev/null) and counts metrics; the peer runs graphql-yoga's default plugins, with no request
  limits configured. Both cache parsed and validated documents by their text.

    python bench/peer_bench.py [--rounds 300] [--id bzr-leon-bungert]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import neo4j
from neo4j import AsyncGraphDatabase

from bzgraph import queries
from bzgraph.api.profile import ProfileArgs, profile_params
from bzgraph.settings import get_settings
from serving import (LeanClient, fetch_rows, free_port, spawn,  # noqa: I001  (run from bench/ or with bench/ on the path)
                     start_bzgraph, stop)

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "ProfilePage.graphql"
PEER_DIR = Path(__file__).with_name("peer")

# The contract's ProfilePage without what the peer cannot express, with every affiliation as the peer has them.
STORED = """
query ProfilePageStored($id: ID!, $worksFirst: Int = 10, $worksAfter: String) {
  researcher(id: $id) {
    id
    name
    openToCollaborate
    claimed
    affiliations { institution { id name country } years }
    counts { works followers }
    trust { score tier verificationLevel }
    works(first: $worksFirst, after: $worksAfter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id type year venue title abstract } }
    }
  }
}
"""

PEER = """
query ProfilePage($id: ID!, $worksFirst: Int = 10, $worksAfter: String) {
  researchers(where: {id: {eq: $id}}) {
    id
    name
    openToCollaborate
    trustScore
    trustTier
    verificationLevel
    claimsConnection(where: {node: {status: {eq: "APPROVED"}}}) { aggregate { count { nodes } } }
    affiliationsConnection { edges { properties { years } node { id name country } } }
    followersConnection { aggregate { count { nodes } } }
    worksConnection(first: $worksFirst, after: $worksAfter,
                    sort: [{node: {year: DESC}}, {node: {sortTitle: ASC}}, {node: {id: ASC}}]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id type year title abstract source { name } } }
    }
  }
}
"""


def _works(works: list[dict[str, Any]]) -> list[tuple]:
    return [(w["id"], w["type"], w["year"], w["venue"], w["title"], w["abstract"]) for w in works]


def _from_bzgraph(body: dict[str, Any]) -> dict[str, Any]:
    """What both sides answer, from a bzgraph answer to the contract's document or to STORED."""
    r = body["data"]["researcher"]
    works = r["works"]
    common = {"id": r["id"], "name": r["name"], "openToCollaborate": r["openToCollaborate"],
              "claimed": r["claimed"], "trust": r["trust"], "works": r["counts"]["works"],
              "followers": r["counts"]["followers"], "totalCount": works["totalCount"],
              "hasNextPage": works["pageInfo"]["hasNextPage"],
              "page": _works([edge["node"] for edge in works["edges"]])}
    if "affiliations" in r:
        common["affiliations"] = sorted((a["institution"]["id"], a["institution"]["name"],
                                         a["institution"]["country"], tuple(a["years"])) for a in r["affiliations"])
    else:
        current = r["affiliation"]
        common["affiliation"] = current and (current["id"], current["name"], current["country"])
    return common


def _from_peer(body: dict[str, Any], current: bool) -> dict[str, Any]:
    """What both sides answer, from the peer's answer to PEER; with ``current``, the current affiliation
    picked as bzgraph's query picks it (the latest year seen, then the name), else every affiliation."""
    [r] = body["data"]["researchers"]
    works = r["worksConnection"]
    page = [{**e["node"], "venue": e["node"]["source"] and e["node"]["source"]["name"]} for e in works["edges"]]
    affiliations = [(e["node"]["id"], e["node"]["name"], e["node"]["country"], tuple(e["properties"]["years"] or ()))
                    for e in r["affiliationsConnection"]["edges"]]
    common = {"id": r["id"], "name": r["name"], "openToCollaborate": r["openToCollaborate"],
              "claimed": r["claimsConnection"]["aggregate"]["count"]["nodes"] > 0,
              "trust": {"score": r["trustScore"], "tier": r["trustTier"], "verificationLevel": r["verificationLevel"]},
              "works": works["totalCount"],
              "followers": r["followersConnection"]["aggregate"]["count"]["nodes"],
              "totalCount": works["totalCount"], "hasNextPage": works["pageInfo"]["hasNextPage"],
              "page": _works(page)}
    if current:
        latest = sorted(affiliations, key=lambda a: (-(a[3][-1] if a[3] else -10000), a[1].lower(), a[0]))
        common["affiliation"] = latest[0][:3] if latest else None
    else:
        common["affiliations"] = sorted(affiliations)
    return common


def _same(name: str, ours: dict[str, Any], peer: dict[str, Any]) -> None:
    """Fails loudly, naming what differs, unless both sides answered the same data."""
    lines = [f"  {key}:\n    bzgraph {ours[key]!r}\n    peer    {peer.get(key)!r}"
             for key in ours if key != "page" and ours[key] != peer.get(key)]
    ids, peer_ids = [w[0] for w in ours["page"]], [w[0] for w in peer["page"]]
    if ids != peer_ids:
        lines.append(f"  the works page's ids, in order:\n    bzgraph {ids}\n    peer    {peer_ids}")
    else:
        fields = ("id", "type", "year", "venue", "title", "abstract")
        lines += [f"  work {w[0]}, {field}:\n    bzgraph {a!r}\n    peer    {b!r}"
                  for w, theirs in zip(ours["page"], peer["page"])
                  for field, a, b in zip(fields, w, theirs) if a != b]
    if lines:
        raise SystemExit(f"{name}: bzgraph and the peer answer different data:\n" + "\n".join(lines))
    if not ours["page"]:
        raise SystemExit(f"{name}: no works on the page: seed the database first (bzgraph seed)")


def _answered(body: dict[str, Any], side: str) -> dict[str, Any]:
    if body.get("errors") or not body.get("data"):
        raise SystemExit(f"{side} answered with errors: {json.dumps(body)[:2000]}")
    return body


def _peer_env() -> dict[str, str]:
    """The peer's environment: the database bzgraph's settings name, its password resolved as bzgraph does."""
    settings = get_settings()
    return {**os.environ, "BZGRAPH_NEO4J_URI": settings.neo4j_uri, "BZGRAPH_NEO4J_USER": settings.neo4j_user,
            "BZGRAPH_NEO4J_PASSWORD": settings.neo4j_password_value(),
            "BZGRAPH_NEO4J_DATABASE": settings.neo4j_database}


def _summary(times: list[float]) -> tuple[float, float, float]:
    """The median and the 90th percentile, in milliseconds, and the drift: the median of the last third of
    the rounds over that of the first (near 1 once warm)."""
    third = len(times) // 3
    drift = statistics.median(times[-third:]) / statistics.median(times[:third])
    return statistics.median(times) * 1e3, statistics.quantiles(times, n=10)[-1] * 1e3, drift


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=4000,
                        help="rounds before timing: the peer's answers keep getting faster for its first few thousand "
                             "requests (Node's JIT), 7 ms to 3.5-4 ms; bzgraph's are flat from the start")
    parser.add_argument("--id", default="bzr-leon-bungert")
    args = parser.parse_args()
    if not (PEER_DIR / "node_modules" / "@neo4j" / "graphql").is_dir():
        raise SystemExit("the peer is not installed: npm ci --prefix bench/peer")
    variables = {"id": args.id, "worksFirst": 10}
    bodies = {name: json.dumps({"query": document, "variables": variables}).encode()
              for name, document in (("full", CONTRACT.read_text()), ("stored", STORED), ("peer", PEER))}
    settings = get_settings()
    database = settings.neo4j_database
    driver = AsyncGraphDatabase.driver(settings.neo4j_uri,
                                       auth=(settings.neo4j_user, settings.neo4j_password_value()),
                                       notifications_min_severity="OFF")
    port, peer_port = free_port(), free_port()
    servers = [start_bzgraph(port)]
    try:
        servers.append(spawn(["node", str(PEER_DIR / "server.mjs"), "--port", str(peer_port)], env=_peer_env()))
        ours = await LeanClient.connect_when_up(port, "bzgraph serve")
        theirs = await LeanClient.connect_when_up(peer_port, "the peer (bench/peer/server.mjs)")
        full = _answered(await ours.post_json("/graphql", bodies["full"]), "bzgraph")
        stored = _answered(await ours.post_json("/graphql", bodies["stored"]), "bzgraph")
        peer = _answered(await theirs.post_json("/graphql", bodies["peer"]), "the peer")
        _same("ProfilePage", _from_bzgraph(full), _from_peer(peer, current=True))
        _same("ProfilePageStored", _from_bzgraph(stored), _from_peer(peer, current=False))
        sizes = {name: len(json.dumps(body)) for name, body in (("full", full), ("stored", stored), ("peer", peer))}
        shown = json.dumps({"query": PEER, "variables": variables, "extensions": {"showCypher": True}}).encode()
        peer_cypher = _answered(await theirs.post_json("/graphql", shown), "the peer")["extensions"]["cypher"]
        # Exactly what the resolver sends for the contract's document: the same named query, the same parameters.
        ours_cypher = [{"query": queries.get("profile/researchers").text,
                        "parameters": profile_params([args.id], None, ProfileArgs(works_first=10, collaborators_first=0,
                                                                                  topics_first=0))}]

        sent_counts: dict[str, set[int]] = {"full": set(), "stored": set(), "peer": set()}

        def request(client: LeanClient, name: str, key: str) -> Callable[[], Awaitable[None]]:
            async def send() -> None:
                body = await client.post_json("/graphql", bodies[name])
                sent_counts[name].add(_answered(body, name)["extensions"][key])
            return send

        def raw(sent: list[dict[str, Any]]) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                for cypher in sent:
                    found = await driver.execute_query(cypher["query"], cypher["parameters"], database_=database,
                                                       routing_=neo4j.RoutingControl.READ,
                                                       result_transformer_=fetch_rows)
                    assert found, cypher["query"]
            return run

        measured = {"full": request(ours, "full", "cypherRoundTrips"),
                    "stored": request(ours, "stored", "cypherRoundTrips"),
                    "peer": request(theirs, "peer", "cypherQueries"),
                    "ours raw": raw(ours_cypher), "peer raw": raw(peer_cypher)}
        for _ in range(args.warmup):
            for send in measured.values():
                await send()
        for counts in sent_counts.values():
            counts.clear()  # the peer's first request also asks the server's version (dbms.components)
        times: dict[str, list[float]] = {name: [] for name in measured}
        order = list(measured)
        for round_ in range(args.rounds):
            turn = round_ % len(order)
            for name in order[turn:] + order[:turn]:
                start = time.perf_counter()
                await measured[name]()
                times[name].append(time.perf_counter() - start)
        ours.close()
        theirs.close()
    finally:
        await driver.close()
        stop(*servers)
    stats = {name: _summary(values) for name, values in times.items()}
    labels = {"full": "bzgraph, the contract's ProfilePage", "stored": "bzgraph, the peer's fields",
              "peer": "@neo4j/graphql, closest document", "ours raw": "bzgraph's Cypher, raw Python driver",
              "peer raw": "the peer's Cypher, raw Python driver"}
    print(f"{'':38} {'median':>9} {'p90':>9}  drift  Cypher queries  answer  ({args.rounds} rounds, "
          f"after {args.warmup})")
    for name, (median, p90, drift) in stats.items():
        sent = ", ".join(str(n) for n in sorted(sent_counts.get(name, ())))
        size = f"{sizes[name]:>5} B" if name in sizes else ""
        print(f"{labels[name]:38} {median:6.2f} ms {p90:6.2f} ms  {drift:5.2f}  {sent:>14}  {size}")
    for name, baseline in (("full", "peer"), ("stored", "peer"), ("ours raw", "peer raw")):
        (median, p90, _), (peer_median, peer_p90, _) = stats[name], stats[baseline]
        print(f"ratio {labels[name] + ' / ' + labels[baseline].split(',')[0]:63} "
              f"median {median / peer_median:5.2f}   p90 {p90 / peer_p90:5.2f}")
    for name, baseline in (("full", "ours raw"), ("stored", "ours raw"), ("peer", "peer raw")):
        print(f"over its raw Cypher, {labels[name]:38} +{stats[name][0] - stats[baseline][0]:5.2f} ms (medians)")


if __name__ == "__main__":
    asyncio.run(main())

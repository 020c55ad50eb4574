"""Importing real OpenAlex files into the real database: counts through the API, idempotency,
resumability after a kill, malformed records."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bzgraph.db import Database
from bzgraph.errors import ServiceUnavailable
from bzgraph.ingest.files import InputFile
from bzgraph.ingest.load import Summary, import_paths
from bzgraph.neighbours import refresh_marked
from bzgraph.ingest.openalex import MalformedRecord
from bzgraph.settings import Settings
from tests.support import gql, paging

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "openalex-idb"
BUNDLES = DATA / "original" / "geosciencearabia-idb03" / "public" / "author-data"
FILES = [BUNDLES / f"{a}.json.gz" for a in ("A5047482366", "A5007597150", "A5088388992", "A5071165005")]
OPENALEX_PREFIXES = ["W", "A", "I", "T", "S"]


@pytest.fixture(scope="module")
async def import_db(seeded: Database, settings: Settings) -> AsyncIterator[Database]:
    """A database handle with an import-sized transaction timeout."""
    database = Database(settings.model_copy(update={"neo4j_timeout": 120.0}))
    yield database
    await database.close()


@pytest.fixture(scope="module")
async def imported(import_db: Database) -> Any:
    return await import_paths(import_db, FILES, batch_size=40)


def short(url: str | None) -> str | None:
    return url.rsplit("/", 1)[1] if url else None


def raw_records(paths: list[Path]) -> dict[str, dict]:
    """The newest copy of every work in ``paths`` (file order), straight from the JSON."""
    works: dict[str, dict] = {}
    for path in paths:
        bundle = json.loads(gzip.open(path, "rt", encoding="utf-8").read())
        for work in bundle["works"]:
            works.pop(short(work["id"]), None)
            works[short(work["id"])] = work
    return works


def expected_counts(works: dict[str, dict]) -> dict[str, dict[str, int]]:
    """Per researcher, independently of the product: works, distinct topics, close collaborators."""
    authored: dict[str, set[str]] = defaultdict(set)
    topics: dict[str, set[str]] = defaultdict(set)
    for wid, work in works.items():
        authors = {short(a["author"].get("id")) for a in work["authorships"] if a["author"].get("id")}
        work_topics = {short(t["id"]) for t in work.get("topics") or [] if 0 < t["score"] <= 1}
        for author in authors:
            authored[author].add(wid)
            topics[author] |= work_topics
    result = {}
    for author, mine in authored.items():
        shared: dict[str, int] = defaultdict(int)
        for wid in mine:
            for other in {short(a["author"].get("id")) for a in works[wid]["authorships"]
                          if a["author"].get("id")} - {author}:
                shared[other] += 1
        result[author] = {"works": len(mine), "topics": len(topics[author]),
                          "closeCollaborators": sum(1 for n in shared.values() if n >= 2)}
    return result


async def api_counts(api: httpx.AsyncClient, ids: list[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for start in range(0, len(ids), 25):
        chunk = ids[start:start + 25]
        fields = " ".join(
            f'r{i}: researcher(id: "{rid}") {{ id counts {{ works topics closeCollaborators }} '
            f'trust {{ verificationLevel }} }}' for i, rid in enumerate(chunk))
        body = await gql(api, f"{{ {fields} }}")
        assert "errors" not in body, body["errors"]
        for value in body["data"].values():
            found[value["id"]] = {**value["counts"], "level": value["trust"]["verificationLevel"]}
    return found


async def fingerprint(db: Database, prefixes: list[str], rename: dict[str, str] | None = None) -> tuple:
    """A sorted, comparable snapshot of the nodes and relationships with ids under ``prefixes``, but
    the records' fingerprints (``importHash``, ``recordHash``: a record's ids are part of them, and
    graphs imported under other ids are compared)."""
    (row,) = await db.read("testing/import-fingerprint", prefixes=prefixes)

    def norm(value: Any) -> Any:
        if isinstance(value[-1], dict):
            value = [*value[:-1], {k: v for k, v in value[-1].items() if k not in ("importHash", "recordHash")}]
        text = json.dumps(value, sort_keys=True, default=str)
        for old, new in (rename or {}).items():
            text = re.sub(rf'(?<=[\s"])([WAITS]){old}(\d+)', rf"\g<1>{new}\g<2>", text)
        return text

    return tuple(sorted(norm(n) for n in row["nodes"])), tuple(sorted(norm(r) for r in row["relationships"]))


async def test_imported_counts_match_the_raw_records_through_the_api(imported: Any,
                                                                     api: httpx.AsyncClient) -> None:
    assert imported.malformed == 0 and imported.works > 0 and imported.authors == len(FILES)
    expected = expected_counts(raw_records(FILES))
    # everyone with at least two works, plus a sample of the rest
    ids = sorted(a for a, c in expected.items() if c["works"] >= 2) + sorted(expected)[:20]
    assert len(ids) > 40
    answered = await api_counts(api, ids)
    mismatches = {rid: (expected[rid], answered[rid]) for rid in ids
                  if {k: answered[rid][k] for k in expected[rid]} != expected[rid]}
    assert not mismatches
    assert {a["level"] for a in answered.values()} >= {"L1"}
    assert "L0" not in {a["level"] for a in answered.values()}  # every imported researcher has an OpenAlex id


async def test_imported_researcher_has_orcid_aliases_affiliation_and_trust(imported: Any,
                                                                           import_db: Database) -> None:
    details = json.loads(gzip.open(FILES[0], "rt").read())["details"]
    rid = short(details["id"])
    (graph,) = await import_db.read("testing/import-fingerprint", prefixes=[rid])
    (props,) = [p for _, p in graph["nodes"] if p["id"] == rid]  # every stored property
    assert props["name"] == details["display_name"]
    assert props["openalexId"] == rid
    assert props.get("orcid") == (short(details["orcid"]) if details["orcid"] else None)
    others = set(details["display_name_alternatives"]) - {details["display_name"]}
    assert others <= set(props["aliases"]) and props["aliasText"] == " ; ".join(props["aliases"])
    assert props["worksCount"] == len(raw_works_of(rid))
    assert props["trustScore"] > 0 and props["verificationLevel"] == "L1"
    coauthors = {short(a["author"].get("id")) for wid in raw_works_of(rid)
                 for a in raw_records(FILES)[wid]["authorships"] if a["author"].get("id")} - {rid}
    # explore's neighbour totals: [researchers, works, topics, institutions]
    assert props["neighbourTotals"][:2] == [len(coauthors), len(raw_works_of(rid))]
    assert await import_db.read("ingest/refresh-pending", limit=10) == [{"ids": []}]


async def test_institution_network_counts_the_institutions_each_work_lists(imported: Any,
                                                                           import_db: Database) -> None:
    """analytics/institution-network on real records, against the raw author lists: a partner
    counts a work only when the work itself lists an author at each (all-time affiliations made
    it count every work of anyone who was ever there)."""
    works = raw_records(FILES)
    at: dict[str, dict[str, set[str]]] = {}  # work -> author -> institutions listed on it
    for wid, work in works.items():
        places: dict[str, set[str]] = defaultdict(set)
        for authorship in work["authorships"]:
            if authorship["author"].get("id"):
                places[short(authorship["author"]["id"])] |= {short(i["id"]) for i in authorship["institutions"]
                                                              if i.get("id")}
        at[wid] = places
    homes = Counter(i for places in at.values() for insts in places.values() for i in insts)
    checked = 0
    for home, _ in homes.most_common(3):
        shared: dict[str, set[str]] = defaultdict(set)
        for wid, places in at.items():
            ours = {r for r, insts in places.items() if home in insts}
            for r in ours:
                for p, insts in places.items():
                    if p != r:
                        for partner in insts - {home}:
                            shared[partner].add(wid)
        rows = await import_db.read("analytics/institution-network", id=home, limit=1000)
        assert {row["id"]: row["sharedWorks"] for row in rows} == {j: len(w) for j, w in shared.items()}, home
        # everyone listed at each end on the shared works (one listed at both counts at both)
        listed = {j: ({r for wid in ws for r, insts in at[wid].items() if home in insts},
                      {r for wid in ws for r, insts in at[wid].items() if j in insts}) for j, ws in shared.items()}
        assert {row["id"]: (row["researchers"], row["partnerResearchers"]) for row in rows} == \
            {j: (len(ours), len(theirs)) for j, (ours, theirs) in listed.items()}, home
        checked += len(rows)
    assert checked > 0


async def test_citation_and_topic_lists_match_the_raw_records(imported: Any, api: httpx.AsyncClient) -> None:
    """Work.references, Work.citedBy and Topic.works against the raw records: references to works
    in the files, in both directions, and every work listing a topic (with a score OpenAlex gives)."""
    works = raw_records(FILES)
    references: dict[str, set[str]] = defaultdict(set)
    cited_by: dict[str, set[str]] = defaultdict(set)
    about: dict[str, set[str]] = defaultdict(set)
    for wid, work in works.items():
        for ref in {short(r) for r in work.get("referenced_works") or []} & works.keys() - {wid}:
            references[wid].add(ref)
            cited_by[ref].add(wid)
        for topic in work.get("topics") or []:
            if 0 < topic["score"] <= 1:
                about[short(topic["id"])].add(wid)
    assert sum(map(len, references.values())) == 9  # the files cite each other 9 times
    ids = sorted(references.keys() | cited_by.keys())
    for start in range(0, len(ids), 20):
        chunk = ids[start:start + 20]
        fields = " ".join(f'w{i}: node(id: "{wid}") {{ id ... on Work {{ references(first: 100) {{ totalCount '
                          f'edges {{ node {{ id }} }} }} citedBy(first: 100) {{ totalCount edges {{ node {{ id }} }} }} }} }}'
                          for i, wid in enumerate(chunk))
        body = await gql(api, f"{{ {fields} }}")
        assert "errors" not in body, body["errors"]
        assert body["extensions"]["cypherRoundTrips"] == 3  # the nodes, then each list once for all of them
        for node in body["data"].values():
            for name, expected in (("references", references), ("citedBy", cited_by)):
                listed = [e["node"]["id"] for e in node[name]["edges"]]
                assert set(listed) == expected[node["id"]] and len(listed) == node[name]["totalCount"], (node["id"], name)
    topic, wids = max(about.items(), key=lambda item: len(item[1]))
    seen, after = [], None
    for _ in paging():
        body = await gql(api, """query($id: ID!, $after: String) { node(id: $id) { ... on Topic {
          works(first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id year } } } } } }""",
                         {"id": topic, "after": after})
        page = body["data"]["node"]["works"]
        assert page["totalCount"] == len(wids)
        seen += [(e["node"]["year"] or -1, e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert {wid for _, wid in seen} == wids and len(seen) == len(wids)
    assert [year for year, _ in seen] == sorted((year for year, _ in seen), reverse=True)


def raw_works_of(rid: str) -> set[str]:
    return {wid for wid, w in raw_records(FILES).items()
            if rid in {short(a["author"].get("id")) for a in w["authorships"]}}


async def test_importing_again_changes_nothing(imported: Any, import_db: Database) -> None:
    """Passed over as copies the graph holds, or written again (``rewrite``): the same graph."""
    before = await fingerprint(import_db, OPENALEX_PREFIXES)
    again = await import_paths(import_db, FILES, batch_size=17)
    assert again.records == imported.records
    assert again.unchanged > 0 and again.unchanged + again.superseded == again.records
    assert again.refreshed == 0  # nothing written, nothing for explore to refresh
    rewritten = await import_paths(import_db, FILES, batch_size=17, rewrite=True)
    assert rewritten.unchanged == 0 and rewritten.refreshed > 0
    after = await fingerprint(import_db, OPENALEX_PREFIXES)
    for summary in (again, rewritten):
        assert sum(summary.created.values()) == 0 and sum(summary.updated.values()) == 0
        assert sum(summary.deleted.values()) == 0
    assert before == after


async def test_a_copy_the_graph_holds_is_passed_over_until_it_or_the_importer_changes(
        import_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A work or Author record whose very copy (version and content) the graph holds is not written
    again; a copy of the same date with other content is, and so is every record once the importer
    writes rows differently (an upgrade), or with ``rewrite``. A hand edit shows which were written."""
    from bzgraph.ingest import load

    work = small_work("0059000000001", "2025-01-01", ["0059000000001"], "0059000000001", "0059000000001")
    author = {"id": "https://openalex.org/A0059000000001", "updated_date": "2025-01-01", "display_name": "Record Name",
              "orcid": None, "affiliations": []}
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(work) + "\n" + json.dumps(author) + "\n")
    first = await import_paths(import_db, [path])
    assert (first.unchanged, first.created["Work"], first.created["Researcher"]) == (0, 1, 1)

    async def edit_by_hand() -> None:
        await import_db.write("testing/set-properties", id="W0059000000001", props={"title": "Edited"})
        await import_db.write("testing/set-properties", id="A0059000000001", props={"name": "Edited"})

    async def shown() -> tuple[str, str]:
        nodes, _ = await fingerprint(import_db, ["W0059", "A0059"])
        by_id = {n[1]["id"]: n[1] for n in map(json.loads, nodes)}
        return by_id["W0059000000001"]["title"], by_id["A0059000000001"]["name"]

    await edit_by_hand()
    again = await import_paths(import_db, [path])
    assert (again.unchanged, again.refreshed) == (2, 0)
    assert await shown() == ("Edited", "Edited")  # neither was written

    rewritten = await import_paths(import_db, [path], rewrite=True)
    assert rewritten.unchanged == 0 and rewritten.updated["Work"] == rewritten.updated["Researcher"] == 1
    assert await shown() == ("Work 01", "Record Name")

    await edit_by_hand()  # the same dates, other content: written
    path.write_text(json.dumps({**work, "title": "Retitled"}) + "\n" + json.dumps({**author, "display_name": "Renamed"}) + "\n")
    changed = await import_paths(import_db, [path])
    assert changed.unchanged == 0 and await shown() == ("Retitled", "Renamed")

    await edit_by_hand()  # the same copies, another importer: written
    monkeypatch.setattr(load, "importer", lambda: b"another version of the importer")
    upgraded = await import_paths(import_db, [path])
    assert upgraded.unchanged == 0 and await shown() == ("Retitled", "Renamed")
    assert (await import_paths(import_db, [path])).unchanged == 2  # and held from then on

    # the copy held, then one of the same date with other content: the later one wins, the held one is superseded
    path.write_text(json.dumps({**work, "title": "Retitled"}) + "\n" + json.dumps({**work, "title": "Third"}) + "\n")
    both = await import_paths(import_db, [path])
    assert (both.unchanged, both.superseded) == (0, 1) and (await shown())[0] == "Third"
    # a newer date with the same values: written (the date is part of the copy), yet no update
    path.write_text(json.dumps({**work, "title": "Third", "updated_date": "2025-02-01"}) + "\n")
    newer = await import_paths(import_db, [path])
    assert newer.unchanged == 0 and newer.updated["Work"] == 0


async def test_a_newer_copy_drops_authors_and_venue_and_an_author_record_names_its_researcher(
        import_db: Database, api: httpx.AsyncClient, tmp_path: Path) -> None:
    """A newer copy of a work (its author list whole) that no longer lists two authors, nor a venue,
    deletes their edges: the author with an Author record of their own stays, the other (nothing else
    names them) goes, and so does the venue. An Author record names its researcher: the spellings works
    give, an upper-case one included, are aliases at most, never the name."""
    a1, a2, a3 = "0058000000001", "0058000000002", "0058000000003"
    record = {"id": f"https://openalex.org/A{a2}", "updated_date": "2025-01-01", "display_name": "Record Name",
              "orcid": None, "affiliations": []}
    older = small_work("0058000000001", "2025-01-01", [a1, a2, a3], "0058000000001", "0058000000001")
    older["authorships"][1]["author"]["display_name"] = "R. Spelling"
    shouting = small_work("0058000000002", "2025-01-01", [a2], "0058000000001", "0058000000002")
    shouting["authorships"][0]["author"]["display_name"] = "RECORD NAME"
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(json.dumps(record) + "\n")
    second.write_text("".join(json.dumps(r) + "\n" for r in (older, shouting)))
    await import_paths(import_db, [first])
    assert (await import_paths(import_db, [second], batch_size=1)).batches == 2  # one record a batch
    query = """{ w: node(id: "W0058000000001") { ... on Work { venue authors { researcher { id } } } }
      a2: researcher(id: "A0058000000002") { name counts { works } }
      a3: researcher(id: "A0058000000003") { id } }"""
    assert (await gql(api, query))["data"] == {
        "w": {"venue": "Venue 01", "authors": [{"researcher": {"id": f"A{a}"}} for a in (a1, a2, a3)]},
        "a2": {"name": "Record Name", "counts": {"works": 2}}, "a3": {"id": f"A{a3}"}}
    nodes, _ = await fingerprint(import_db, [f"A{a2}"])
    assert json.loads(nodes[0])[1]["aliases"] == ["R. Spelling"]  # not "RECORD NAME": the name in other case

    newer = {**small_work("0058000000001", "2025-06-01", [a1], "0058000000001", "0058000000001"), "primary_location": None}
    quieter = small_work("0058000000002", "2025-06-01", [a1], "0058000000001", "0058000000002")
    second.write_text(json.dumps(newer) + "\n" + json.dumps(quieter) + "\n")
    summary = await import_paths(import_db, [second])
    assert (summary.deleted["AUTHORED"], summary.deleted["PUBLISHED_IN"]) == (3, 1)
    assert (summary.deleted["Researcher"], summary.deleted["Source"]) == (1, 1)
    assert (await gql(api, query))["data"] == {  # A2 has no work left, but its own Author record
        "w": {"venue": None, "authors": [{"researcher": {"id": f"A{a1}"}}]},
        "a2": {"name": "Record Name", "counts": {"works": 0}}, "a3": None}


async def test_every_mapped_field_reads_back_through_the_api_and_derived_counts_follow_newer_copies(
        import_db: Database, api: httpx.AsyncClient, tmp_path: Path) -> None:
    """A work's fields as the record gives them (DOI, arXiv id, type, language, date, citations, raw
    author names, its topic's taxonomy), read through the API; a researcher's own choices (open to
    collaborate) survive an import touching them; a newer copy dropping a topic, and a newer Author
    record dropping an affiliation, bring the topic's works count and the institution's researchers
    count down."""
    a1, a2 = "0090000000001", "0090000000002"
    work = {**small_work("0090000000001", "2025-01-01", [a1, a2], "0090000000001", "0090000000001"),
            "doi": "https://doi.org/10.48550/arXiv.2101.00001", "type": "preprint", "language": "de",
            "publication_date": "2021-03-04", "cited_by_count": 17}
    work["authorships"].append({"author": {"display_name": "No Id"}, "raw_author_name": "N. Id"})
    work["topics"][0] |= {"subfield": {"display_name": "Sub"}, "field": {"display_name": "Field"},
                          "domain": {"display_name": "Domain"}}
    work["primary_location"]["source"] |= {"type": "journal", "issn_l": "1234-5678"}
    other = small_work("0090000000002", "2025-01-01", [a1], "0090000000001", "0090000000001")
    record = {"id": f"https://openalex.org/A{a2}", "updated_date": "2025-01-01", "display_name": "Person 02",
              "orcid": None, "affiliations": [{"institution": {"id": f"https://openalex.org/I{a1}",  # A1's too
                                                               "display_name": "Institute 01"}, "years": [2020]}]}
    path = tmp_path / "fields.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in (work, other, record)))
    await import_paths(import_db, [path])
    query = """{ w: node(id: "W0090000000001") { ... on Work { doi arxivId type language date citedByCount
        rawAuthorNames topics { topic { subfield field domain } } venue source { id name type issn } } } }"""
    assert (await gql(api, query))["data"]["w"] == {
        "doi": "10.48550/arxiv.2101.00001", "arxivId": "2101.00001", "type": "preprint", "language": "de",
        "date": "2021-03-04", "citedByCount": 17, "rawAuthorNames": ["N. Id"],
        "topics": [{"topic": {"subfield": "Sub", "field": "Field", "domain": "Domain"}}],
        "venue": "Venue 01", "source": {"id": "S0090000000001", "name": "Venue 01", "type": "journal", "issn": "1234-5678"}}

    async def stored(node_id: str, key: str) -> Any:
        nodes, _ = await fingerprint(import_db, [node_id])
        return json.loads(nodes[0])[1].get(key)

    assert (await stored("T0090000000001", "worksCount"), await stored(f"I{a1}", "researchersCount")) == (2, 2)
    await import_db.write("testing/set-properties", id=f"A{a1}", props={"openToCollaborate": True})
    newer = {**other, "updated_date": "2025-06-01", "topics": [],  # the topic dropped, and the institute (W01 has it)
             "authorships": [{**other["authorships"][0], "institutions": []}]}
    moved = {**record, "updated_date": "2025-06-01", "affiliations": []}  # the affiliation dropped
    path.write_text(json.dumps(newer) + "\n" + json.dumps(moved) + "\n")
    await import_paths(import_db, [path])
    assert (await stored("T0090000000001", "worksCount"), await stored(f"I{a1}", "researchersCount")) == (1, 1)
    assert await stored(f"A{a1}", "openToCollaborate") is True  # their own choice, not the import's
    rescored = {**work, "updated_date": "2025-09-01"}
    rescored["topics"] = [{**work["topics"][0], "score": 0.75}]
    path.write_text(json.dumps(rescored) + "\n")
    summary = await import_paths(import_db, [path])
    assert (summary.updated["HAS_TOPIC"], summary.created["HAS_TOPIC"], summary.updated["Work"]) == (1, 0, 0)


async def test_a_venue_without_a_display_name_is_named_by_its_id(import_db: Database, api: httpx.AsyncClient,
                                                                 tmp_path: Path) -> None:
    """A record's venue whose `display_name` is null (or shows nothing) is named by its id, as a topic's
    or an institution's is: `Work.venue` and `Work.source.name` are that id, the source keeps its id,
    type and ISSN, and no field fails (`Source.name` is non-null)."""
    a = "0070000000001"
    named_by_id = {}
    for n, shown in (("0070000000001", None), ("0070000000002", " \u200b ")):
        work = small_work(n, "2025-01-01", [a], "0070000000001", n)
        work["primary_location"]["source"] |= {"display_name": shown, "type": "journal", "issn_l": None}
        named_by_id[f"W{n}"] = f"S{n}"
        path = tmp_path / f"{n}.jsonl"
        path.write_text(json.dumps(work) + "\n")
        await import_paths(import_db, [path])
    query = """query($ids: [ID!]!, $author: ID!) { nodes(ids: $ids) { id ... on Work { venue source { id name type issn } } }
        researcher(id: $author) { works(first: 5) { edges { node { id venue } } } } }"""
    body = await gql(api, query, {"ids": list(named_by_id), "author": f"A{a}"})
    assert "errors" not in body, body
    assert body["data"]["nodes"] == [{"id": w, "venue": s, "source": {"id": s, "name": s, "type": "journal", "issn": None}}
                                     for w, s in named_by_id.items()]
    assert sorted((e["node"]["id"], e["node"]["venue"]) for e in body["data"]["researcher"]["works"]["edges"]) == sorted(
        named_by_id.items())


async def test_a_graph_holding_an_earlier_versions_nameless_copies_takes_the_named_copy_of_the_same_date(
        import_db: Database, tmp_path: Path) -> None:
    """Before 2026-11-30 a copy that gave no name stored its version with the node's id as the name, which
    sorts after most names: the named copy of the same date lost to it. Imported again now, the named
    copy wins over such a stored version too (the version compares its id as no name)."""
    n = "0086000000001"  # a prefix of its own: other tests compare every node under theirs
    nameless = small_work(n, "2025-01-01", [n], n, n)
    nameless["primary_location"]["source"]["display_name"] = None
    nameless["topics"][0]["display_name"] = None
    nameless["authorships"][0]["author"]["display_name"] = None
    nameless["authorships"][0]["institutions"][0]["display_name"] = None
    (tmp_path / "nameless.json").write_text(json.dumps(nameless))
    await import_paths(import_db, [tmp_path / "nameless.json"])
    (row,) = await import_db.read("testing/import-fingerprint", prefixes=[f"{kind}{n}" for kind in "STIA"])
    for labels, props in row["nodes"]:  # the bookkeeping as the earlier version wrote it
        key = "seenVersion" if "Researcher" in labels else "importVersion"
        assert props["name"] == props["id"] and props[key].startswith("2025-01-01\x1f\x1f"), props
        old = props[key].replace("\x1f\x1f", f"\x1f{props['id']}\x1f", 1)
        await import_db.write("testing/set-properties", id=props["id"], props={key: old})
    named = small_work(n, "2025-01-01", [n], n, n)  # names that sort before the ids: the old version won over them
    named["primary_location"]["source"]["display_name"] = "Acta"
    named["topics"][0]["display_name"] = "Algebra"
    named["authorships"][0]["author"]["display_name"] = "A. Lovelace"
    named["authorships"][0]["institutions"][0]["display_name"] = "ETH"
    (tmp_path / "named.json").write_text(json.dumps(named))
    await import_paths(import_db, [tmp_path / "named.json"])
    (row,) = await import_db.read("testing/import-fingerprint", prefixes=[f"{kind}{n}" for kind in "STIA"])
    assert sorted(props["name"] for _, props in row["nodes"]) == ["A. Lovelace", "Acta", "Algebra", "ETH"]


async def test_ingest_works_run_as_its_header_shows_takes_an_author_list_as_whole(import_db: Database) -> None:
    """`authorsTruncated` is optional in cypher/ingest/works.cypher (its example leaves it out): left
    out, the list is whole, and a row without an author drops that authorship."""
    await import_db.write("ingest/researchers", researchers=[
        {"id": f"A005700000000{i}", "names": [], "record": None,
         "seen": {"name": f"Person {i}", "key": f"person {i}", "orcid": None, "version": "2025-01-01"}} for i in (1, 2)],
        orcids=[], removed=[])
    row = {"id": "W0057000000001", "title": "T", "sortTitle": "t", "spellings": None, "abstract": None, "year": 2020,
           "date": None, "type": "article", "language": None, "doi": None, "arxivId": None, "citedByCount": 0,
           "rawAuthorNames": [], "source": None, "topics": [], "version": "2025-01-01",
           "authors": [{"researcher": f"A005700000000{i}", "position": i, "institutions": []} for i in (1, 2)]}
    await import_db.write("ingest/works", works=[row])
    (written,) = await import_db.write("ingest/works", works=[{**row, "authors": row["authors"][:1]}])
    assert written["staleResearchers"] == ["A0057000000002"]
    _, rels = await fingerprint(import_db, ["W0057"])
    assert [json.loads(r)[1] for r in rels if r.startswith('["AUTHORED"')] == ["A0057000000001"]


async def test_citations_are_completed_when_the_cited_work_arrives(import_db: Database, api: httpx.AsyncClient,
                                                                   tmp_path: Path) -> None:
    citing = {"id": "https://openalex.org/W0099000000001", "title": "Citing", "authorships": [],
              "referenced_works": ["https://openalex.org/W0099000000002"]}
    cited = {"id": "https://openalex.org/W0099000000002", "title": "Cited", "authorships": []}
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(json.dumps(citing) + "\n")
    second.write_text(json.dumps(cited) + "\n")
    await import_paths(import_db, [first])
    nodes, rels = await fingerprint(import_db, ["W0099"])
    assert not [r for r in rels if '"CITES"' in r]
    assert [json.loads(n)[1].get("pendingReferences") for n in nodes] == [" W0099000000002 "]
    arrived = await import_paths(import_db, [second])
    assert arrived.created["CITES"] == 1  # the waiting reference, now a citation
    nodes, rels = await fingerprint(import_db, ["W0099"])
    assert [r for r in rels if r.startswith('["CITES"')] == [json.dumps(["CITES", "W0099000000001", "W0099000000002", {}])]
    assert not [n for n in nodes if "pendingReferences" in n]
    # the citing work's explore lists were refreshed too: they show the work it was waiting for
    body = await gql(api, '{ explore(id: "W0099000000001") { nodes { id } } }')
    assert [n["id"] for n in body["data"]["explore"]["nodes"]] == ["W0099000000002"]


async def test_trust_is_current_after_every_batch_before_the_explore_refresh(
        import_db: Database, api: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Profile counts and trust are written with each batch: a page read while an import runs (here:
    before its explore refresh) shows a whole trust snapshot that agrees with its counts."""
    from bzgraph.ingest import load

    authors = [{"author": {"id": f"https://openalex.org/A009400000000{i}", "display_name": f"Batch Author {i}"}}
               for i in (1, 2)]
    lines = [json.dumps({"id": f"https://openalex.org/W009400000000{i}", "title": f"Batch work {i}",
                         "publication_year": 2020, "doi": f"https://doi.org/10.1/b{i}", "authorships": authors})
             for i in (1, 2, 3)]
    path = tmp_path / "batches.jsonl"
    path.write_text("\n".join(lines) + "\n")

    async def no_refresh(*args: Any, **kwargs: Any) -> int:
        return 0

    with monkeypatch.context() as patch:
        patch.setattr(load, "refresh_marked", no_refresh)
        await import_paths(import_db, [path], batch_size=1)
    query = """query($id: ID!) { researcher(id: $id) { counts { works closeCollaborators }
      trust { score tier verificationLevel components { key value points maxPoints } } } }"""
    researcher = (await gql(api, query, {"id": "A0094000000001"}))["data"]["researcher"]
    assert researcher["counts"] == {"works": 3, "closeCollaborators": 1}
    trust = researcher["trust"]
    values = {c["key"]: c["value"] for c in trust["components"]}
    assert values["publications"] == 3 and values["collaboration"] == 1 and trust["verificationLevel"] == "L1"
    assert sum(c["points"] for c in trust["components"]) == trust["score"] > 0
    assert sum(c["maxPoints"] for c in trust["components"]) == 100
    assert await load.refresh_marked(import_db) > 0  # what the import owes: the explore lists


async def test_explore_refresh_finishes_what_a_killed_import_owes(
        import_db: Database, api: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An import that stops before its refresh leaves its nodes marked; `bzgraph explore refresh
    --pending` refreshes exactly those and clears the marks (as a rerun would), and a refresh of
    every node clears any marks too."""
    from bzgraph.ingest import load

    authors = [{"author": {"id": f"https://openalex.org/A009300000000{i}", "display_name": f"Marked Author {i}"}}
               for i in (1, 2)]
    path = tmp_path / "marked.jsonl"
    path.write_text(json.dumps({"id": "https://openalex.org/W0093000000001", "title": "Marked work",
                                "publication_year": 2021, "authorships": authors}) + "\n")

    class Killed(Exception):
        pass

    async def killed_before_refresh(*args: Any, **kwargs: Any) -> int:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(load, "refresh_marked", killed_before_refresh)
        with pytest.raises(Killed):
            await import_paths(import_db, [path])
    marked = (await import_db.read("ingest/refresh-pending", limit=100_000))[0]["ids"]
    assert {"A0093000000001", "A0093000000002", "W0093000000001"} <= set(marked)
    explore = """query($id: ID!) { explore(id: $id, depth: 1, limit: 10) { nodes { id } } }"""
    before = (await gql(api, explore, {"id": "A0093000000001"}))["data"]["explore"]["nodes"]
    assert before == []  # no neighbour listed yet: the refresh is owed

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bzgraph.cli", "explore", "refresh", *args],
                              env=os.environ.copy(), capture_output=True, text=True, timeout=300)

    done = cli("--pending")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"refreshed the neighbour lists of {len(marked)} node(s)"
    assert (await import_db.read("ingest/refresh-pending", limit=10))[0]["ids"] == []
    after = (await gql(api, explore, {"id": "A0093000000001"}))["data"]["explore"]["nodes"]
    assert {n["id"] for n in after} >= {"A0093000000002", "W0093000000001"}
    assert cli("--pending").stdout.strip() == "refreshed the neighbour lists of 0 node(s)"
    both = cli("--pending", "A0093000000001")
    assert both.returncode == 2 and "give ids or --pending, not both" in both.stderr, both.stderr
    assert cli("A0093000000001", "no-such-node").stdout.strip() == "refreshed the neighbour lists of 1 node(s)"
    options_first = cli("--workers", "1", "A0093000000001")  # options before the ids, as --help shows them
    assert options_first.stdout.strip() == "refreshed the neighbour lists of 1 node(s)", options_first.stderr

    await import_db.write("ingest/mark-pending", ids=["A0093000000002"])
    done = cli()  # every node
    assert done.returncode == 0, done.stderr
    assert (await import_db.read("ingest/refresh-pending", limit=10))[0]["ids"] == []


def copies(family: str) -> tuple[list[dict], list[dict]]:
    """An older and a newer copy (by updated_date) of one work and one Author record, ids in ``family``.
    The newer work drops an author, an institution, the topic and a reference, renames the venue and
    a co-author, and leaves that co-author's ORCID out (which removes none: many author lists do);
    the newer Author record has no ORCID and no affiliation."""
    def oa(kind: str, n: int) -> str:
        return f"https://openalex.org/{kind}{family}00000000{n}"

    def work(version: str, title: str, authors: list[dict], topic: int, venue: str, refs: list[str]) -> dict:
        return {"id": oa("W", 1), "updated_date": version, "title": title, "publication_year": 2021,
                "authorships": authors, "topics": [{"id": oa("T", topic), "display_name": f"Topic {topic}", "score": 0.5}],
                "primary_location": {"source": {"id": oa("S", 1), "display_name": venue}}, "referenced_works": refs}

    def author(n: int, name: str, institution: int | None, orcid: str | None = None) -> dict:
        return {"author": {"id": oa("A", n), "display_name": name, "orcid": orcid},
                "institutions": [{"id": oa("I", institution), "display_name": f"Institute {institution}"}]
                if institution else []}

    old = [work("2025-01-01T00:00:00", "Old title",
                [author(1, "Roster Person", 1), author(2, "Dropped Person", 1),
                 author(3, "Old Three", 1, "https://orcid.org/0000-0002-1825-0097")], 1, "Old venue", [oa("W", 2)]),
           {"id": oa("A", 1), "updated_date": "2025-01-01", "display_name": "Roster Person (old)",
            "orcid": "https://orcid.org/0000-0001-5109-3700",
            "affiliations": [{"institution": {"id": oa("I", 3), "display_name": "Institute 3"}, "years": [2010]}]}]
    new = [work("2025-06-01T00:00:00", "New title",
                [author(1, "Roster Person", 2), author(3, "New Three", 2)], 2, "New venue", []),
           {"id": oa("A", 1), "updated_date": "2025-06-01", "display_name": "Roster Person", "orcid": None,
            "affiliations": []}]
    return old, new


async def test_the_newest_copy_of_a_record_wins_in_any_order_and_leaves_nothing_stale(
        import_db: Database, api: httpx.AsyncClient, tmp_path: Path) -> None:
    """Copies of a work and an Author record meet in one file (one batch) or in two imports: in
    either order the graph is the newest copies', with no affiliation, ORCID or edge of an older one."""
    async def load(family: str, older_first: bool, one_file: bool) -> int:
        """Import the family's copies; how many the summaries say were superseded."""
        old, new = copies(family)
        order = [old, new] if older_first else [new, old]
        files = [tmp_path / f"{family}-{i}.jsonl" for i in range(2)]
        for path, records in zip(files, order):
            path.write_text("".join(json.dumps(r) + "\n" for r in records))
        if one_file:
            files[0].write_text(files[0].read_text() + files[1].read_text())
            return (await import_paths(import_db, [files[0]])).superseded
        return sum([(await import_paths(import_db, [path])).superseded for path in files])

    families = {"0081": (True, True), "0082": (False, True), "0083": (True, False), "0084": (False, False)}
    for family, (older_first, one_file) in families.items():
        # the summary says how many copies a newer one left out: none when the newer came later, alone
        superseded = await load(family, older_first, one_file)
        assert superseded == (0 if older_first and not one_file else len(copies(family)[0])), family
    prints = {f: await fingerprint(import_db, [f"{k}{f}" for k in OPENALEX_PREFIXES], {f: "0080"}) for f in families}
    def without_aliases(nodes: tuple) -> set:  # aliases keep every spelling ever seen, older copies' too
        return {re.sub(r'"alias(es|Text)": (\[[^\]]*\]|"[^"]*"), ', "", n) for n in nodes}

    for f in families:
        assert without_aliases(prints[f][0]) == without_aliases(prints["0081"][0]), f
        assert prints[f][1] == prints["0081"][1], f

    query = """query { w: node(id: "W0081000000001") { ... on Work { title venue topics { topic { id } } authors { researcher { id } } } }
      a1: researcher(id: "A0081000000001") { name orcid affiliation { id } trust { verificationLevel } }
      a2: researcher(id: "A0081000000002") { affiliation { id } counts { works } }
      a3: researcher(id: "A0081000000003") { name orcid affiliation { id } }
      i1: node(id: "I0081000000001") { ... on Institution { researchers { totalCount } } } }"""
    data = (await gql(api, query))["data"]
    assert data["w"] == {"title": "New title", "venue": "New venue", "topics": [{"topic": {"id": "T0081000000002"}}],
                         "authors": [{"researcher": {"id": "A0081000000001"}}, {"researcher": {"id": "A0081000000003"}}]}
    # the newer Author record has no ORCID and no affiliation: the older one's are gone
    assert data["a1"] == {"name": "Roster Person", "orcid": None, "affiliation": {"id": "I0081000000002"},
                          "trust": {"verificationLevel": "L1"}}
    assert data["a2"] is None  # its only work no longer lists it: nothing names it any more
    # a work's author list without the ORCID does not remove it (the Author record alone may)
    assert data["a3"] == {"name": "New Three", "orcid": "0000-0002-1825-0097", "affiliation": {"id": "I0081000000002"}}
    assert data["i1"] is None  # only the older copy named it
    _, rels = prints["0081"]
    assert [r for r in rels if r.startswith('["AFFILIATED_WITH"')] == sorted(
        json.dumps(["AFFILIATED_WITH", f"A008000000000{n}", "I0080000000002", {"years": [2021]}]) for n in "13")
    kinds = sorted({json.loads(r)[0] for r in rels})
    assert kinds == ["AFFILIATED_WITH", "AUTHORED", "HAS_TOPIC", "PUBLISHED_IN"]  # no CITES: the reference went
    assert [json.loads(r)[1:3] for r in rels if r.startswith('["HAS_TOPIC"')] == [["W0080000000001", "T0080000000002"]]
    nodes, _ = prints["0081"]
    assert sorted(json.loads(n)[1]["id"] for n in nodes) == [  # the older copies' own nodes are gone
        "A0080000000001", "A0080000000003", "I0080000000002", "S0080000000001", "T0080000000002", "W0080000000001"]


def small_work(n: str, version: str, authors: list[str], topic: str, source: str) -> dict:
    return {"id": f"https://openalex.org/W{n}", "updated_date": version, "title": f"Work {n[-2:]}", "publication_year": 2021,
            "authorships": [{"author": {"id": f"https://openalex.org/A{a}", "display_name": f"Person {a[-2:]}"},
                             "institutions": [{"id": f"https://openalex.org/I{a}", "display_name": f"Institute {a[-2:]}"}]}
                            for a in authors],
            "topics": [{"id": f"https://openalex.org/T{topic}", "display_name": f"Topic {topic[-2:]}", "score": 0.5}],
            "primary_location": {"source": {"id": f"https://openalex.org/S{source}", "display_name": f"Venue {source[-2:]}"}}}


async def test_an_author_list_cut_short_by_the_api_keeps_the_authors_it_lacks(import_db: Database,
                                                                             tmp_path: Path) -> None:
    """OpenAlex's list endpoints cut author lists at 100 (`is_authors_truncated`): a newer such copy
    updates the authors it lists and deletes none of the others; a newer full copy decides."""
    authors = [f"008900000000{i}" for i in range(1, 4)]
    full = small_work("0089000000001", "2025-01-01", authors, "0089000000001", "0089000000001")
    cut = {**small_work("0089000000001", "2025-06-01", authors[:2], "0089000000001", "0089000000001"),
           "is_authors_truncated": True}
    final = small_work("0089000000001", "2025-09-01", authors[:2], "0089000000001", "0089000000001")

    async def authored() -> list[str]:
        _, relationships = await fingerprint(import_db, ["W0089", "A0089"])
        return sorted(json.loads(r)[1] for r in relationships if '"AUTHORED"' in r)

    for name, record in (("full", full), ("cut", cut)):
        (tmp_path / f"{name}.json").write_text(json.dumps(record))
        await import_paths(import_db, [tmp_path / f"{name}.json"])
    assert await authored() == [f"A{a}" for a in authors]
    (tmp_path / "final.json").write_text(json.dumps(final))
    await import_paths(import_db, [tmp_path / "final.json"])
    assert await authored() == [f"A{a}" for a in authors[:2]]


async def test_copies_of_the_same_date_leave_only_the_last_ones_nodes_in_one_batch_or_two(
        import_db: Database, tmp_path: Path) -> None:
    """Of two copies with the same updated_date, the one imported last is the work; the other's
    author, institution, topic and venue are not left behind without any relationship."""
    for family, one_batch in (("0079", True), ("0078", False)):
        first = small_work(f"{family}000000001", "2025-01-01T00:00:00", [f"{family}000000001", f"{family}000000002"],
                           f"{family}000000001", f"{family}000000001")
        last = small_work(f"{family}000000001", "2025-01-01T00:00:00", [f"{family}000000001"],
                          f"{family}000000002", f"{family}000000002")
        files = [tmp_path / f"{family}-{i}.jsonl" for i in range(2)]
        files[0].write_text(json.dumps(first) + "\n" + (json.dumps(last) + "\n" if one_batch else ""))
        files[1].write_text(json.dumps(last) + "\n")
        for path in files[:1] if one_batch else files:
            await import_paths(import_db, [path])
    prints = [await fingerprint(import_db, [f"{k}{f}" for k in OPENALEX_PREFIXES], {f: "0077"}) for f in ("0079", "0078")]
    assert prints[0] == prints[1]
    assert sorted(json.loads(n)[1]["id"] for n in prints[0][0]) == [
        "A0077000000001", "I0077000000001", "S0077000000002", "T0077000000002", "W0077000000001"]


async def test_nodes_two_works_drop_at_once_are_deleted_and_counted_once(import_db: Database, tmp_path: Path) -> None:
    old = [small_work(f"007600000000{i}", "2025-01-01", ["0076000000001", "0076000000002"], "0076000000001",
                      "0076000000001") for i in (1, 2)]
    new = [small_work(f"007600000000{i}", "2025-02-01", ["0076000000001"], "0076000000002", "0076000000002")
           for i in (1, 2)]
    (tmp_path / "old.jsonl").write_text("".join(json.dumps(w) + "\n" for w in old))
    (tmp_path / "new.jsonl").write_text("".join(json.dumps(w) + "\n" for w in new))
    await import_paths(import_db, [tmp_path / "old.jsonl"])
    summary = await import_paths(import_db, [tmp_path / "new.jsonl"])
    assert {k: v for k, v in summary.deleted.items() if k[1].islower() and v} == {
        "Researcher": 1, "Institution": 1, "Topic": 1, "Source": 1}
    assert next(line for line in summary.lines() if line.startswith("nodes:")).endswith(", 4 deleted")


def test_the_summary_lists_labels_under_nodes_and_types_under_relationships() -> None:
    summary = Summary()
    summary.add_counts([{"kind": "Work", "created": 2, "updated": 1}, {"kind": "AUTHORED", "created": 5, "deleted": 1},
                        {"kind": "Researcher", "created": 3}, {"kind": "HAS_TOPIC", "updated": 4}])
    lines = summary.lines()
    nodes, rels = lines.index(next(x for x in lines if x.startswith("nodes:"))), lines.index(
        next(x for x in lines if x.startswith("relationships:")))
    assert lines[nodes] == "nodes: 5 created, 1 updated, 0 deleted"
    assert lines[nodes + 1:rels] == ["  Researcher: +3 ~0", "  Work: +2 ~1"]
    assert lines[rels] == "relationships: 5 created, 4 updated, 1 deleted"
    assert lines[rels + 1:] == ["  AUTHORED: +5 ~0 -1", "  HAS_TOPIC: +0 ~4"]


async def test_imports_running_at_once_take_turns_and_the_newest_copy_wins(import_db: Database, tmp_path: Path,
                                                                           settings: Settings) -> None:
    old = [small_work(f"00750000000{i:02d}", "2025-01-01", [f"00750000{i:02d}001"], "0075000000001", "0075000000001")
           for i in range(30)]
    new = [small_work(f"00750000000{i:02d}", "2025-06-01", [f"00750000{i:02d}002"], "0075000000002", "0075000000002")
           for i in range(30)]
    (tmp_path / "old.jsonl").write_text("".join(json.dumps(w) + "\n" for w in old))
    (tmp_path / "new.jsonl").write_text("".join(json.dumps(w) + "\n" for w in new))
    other = Database(settings.model_copy(update={"neo4j_timeout": 120.0}))  # a second import, its own connections
    try:
        for _ in range(5):  # the race is not certain on every run; five give it its chances
            await asyncio.gather(import_paths(import_db, [tmp_path / "old.jsonl"]),
                                 import_paths(other, [tmp_path / "new.jsonl"]))
            nodes, rels = await fingerprint(import_db, ["W0075"])
            assert {json.loads(n)[1]["importVersion"] for n in nodes} == {"2025-06-01"}
            authors = {json.loads(r)[1] for r in rels if r.startswith('["AUTHORED"')}
            assert len(authors) == 30 and all(a.endswith("002") for a in authors)
    finally:
        await other.close()


async def test_a_work_without_a_title_has_a_null_title_and_its_id_as_label(
        import_db: Database, api: httpx.AsyncClient, tmp_path: Path) -> None:
    path = tmp_path / "untitled.jsonl"
    path.write_text(json.dumps({"id": "https://openalex.org/W0093000000001", "title": None, "publication_year": 2020,
                                "authorships": [{"author": {"id": "https://openalex.org/A0093000000001",
                                                            "display_name": "Untitled Author"}}]}) + "\n")
    await import_paths(import_db, [path])
    body = await gql(api, '{ node(id: "W0093000000001") { ... on Work { title } } '
                          'explore(id: "A0093000000001") { nodes { id label } } }')
    assert body["data"]["node"] == {"title": None}
    assert body["data"]["explore"]["nodes"] == [{"id": "W0093000000001", "label": "W0093000000001"}]
    # an empty title (one an analyst or an older version wrote) shows no blank label either, as a
    # neighbour or as the center
    await import_db.write("testing/set-properties", id="W0093000000001", props={"title": ""})
    body = await gql(api, '{ a: explore(id: "A0093000000001") { nodes { id label } } '
                          'w: explore(id: "W0093000000001") { center { label } } }')
    assert body["data"]["a"]["nodes"] == [{"id": "W0093000000001", "label": "W0093000000001"}]
    assert body["data"]["w"]["center"] == {"label": "W0093000000001"}


async def test_a_dropped_reference_leaves_the_cited_works_explore_view(import_db: Database, api: httpx.AsyncClient,
                                                                      tmp_path: Path) -> None:
    """A newer copy of a work without a reference deletes the CITES edge; the work it pointed at
    is refreshed too, so its explore view no longer shows the citing work."""
    citing = {"id": "https://openalex.org/W0095000000001", "title": "Citing", "authorships": [],
              "referenced_works": ["https://openalex.org/W0095000000002"]}
    cited = {"id": "https://openalex.org/W0095000000002", "title": "Cited", "authorships": []}
    first, newer = tmp_path / "first.jsonl", tmp_path / "newer.jsonl"
    first.write_text(json.dumps(cited) + "\n" + json.dumps(citing) + "\n")
    newer.write_text(json.dumps({**citing, "referenced_works": []}) + "\n")

    async def works_around(work: str) -> list[str]:
        body = await gql(api, "query($id: ID!) { explore(id: $id, kinds: [WORK]) { nodes { id } } }", {"id": work})
        return [n["id"] for n in body["data"]["explore"]["nodes"]]

    await import_paths(import_db, [first])
    assert await works_around("W0095000000002") == ["W0095000000001"]
    await import_paths(import_db, [newer])
    assert await works_around("W0095000000002") == []
    assert await works_around("W0095000000001") == []


async def test_waiting_citations_resolve_across_a_large_batch(import_db: Database, tmp_path: Path) -> None:
    """A work waiting for several works that arrive in one batch of more than 500 (the full-text
    lookup goes 500 ids at a time) gets all its citations and keeps only what is still missing."""
    url = "https://openalex.org/W00950000{:05d}".format
    citing = {"id": url(0), "title": "Citing", "authorships": [],
              "referenced_works": [url(10), url(550), url(99999)]}
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(json.dumps(citing) + "\n")
    second.write_text("".join(json.dumps({"id": url(i), "title": f"Work {i}", "authorships": []}) + "\n"
                              for i in range(1, 700)))
    await import_paths(import_db, [first])
    await import_paths(import_db, [second], batch_size=1000)
    nodes, rels = await fingerprint(import_db, ["W00950000"])
    cites = sorted(json.loads(r)[1:3] for r in rels if r.startswith('["CITES"'))
    assert cites == [["W0095000000000", "W0095000000010"], ["W0095000000000", "W0095000000550"]]
    pending = [json.loads(n)[1].get("pendingReferences") for n in nodes]
    assert [p for p in pending if p] == [" W0095000099999 "]


def renamed_copy(paths: list[Path], target: Path, marker: str) -> Path:
    """The records of ``paths`` as one JSONL file, every OpenAlex id given ``marker`` after its letter."""
    pattern = re.compile(r'(https://openalex\.org/[WAITS])(\d+)')
    target.mkdir(parents=True, exist_ok=True)
    out = target / "works.jsonl"
    with out.open("w", encoding="utf-8") as sink:
        for path in paths:
            bundle = json.loads(gzip.open(path, "rt", encoding="utf-8").read())
            for record in [bundle["details"], *bundle["works"]]:
                sink.write(pattern.sub(rf"\g<1>{marker}\g<2>", json.dumps(record)) + "\n")
    return out


async def test_an_import_killed_midway_resumes_to_the_same_graph(import_db: Database,
                                                                 tmp_path: Path) -> None:
    # Two copies of the same records under disjoint ids: one imported straight through, one killed.
    straight = renamed_copy(FILES, tmp_path / "straight", "0071")
    killed = renamed_copy(FILES, tmp_path / "killed", "0072")
    await import_paths(import_db, [straight], batch_size=5)

    command = [sys.executable, "-m", "bzgraph.cli", "import", "openalex", str(killed),
               "--quiet", "--batch-size", "5"]
    process = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    key = InputFile(killed).key
    deadline = time.monotonic() + 120
    position = 0
    while time.monotonic() < deadline and process.poll() is None:
        rows = await import_db.read("ingest/checkpoint-load", keys=[key])
        if rows and rows[0]["position"] >= 10:
            position = rows[0]["position"]
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert position >= 10

    resumed = await import_paths(import_db, [killed], batch_size=5)
    assert resumed.resumed >= position  # the committed batches were not read again
    assert await import_db.read("ingest/checkpoint-load", keys=[key]) == []
    resumed_graph = await fingerprint(import_db, [f"{c}0072" for c in "WAITS"], {"0072": "0071"})
    straight_graph = await fingerprint(import_db, [f"{c}0071" for c in "WAITS"])
    for got, want in zip(resumed_graph, straight_graph):
        assert (set(got) - set(want), set(want) - set(got)) == (set(), set())
    assert resumed_graph == straight_graph


async def test_an_import_stopped_by_sigterm_says_how_to_go_on(import_db: Database, tmp_path: Path) -> None:
    """SIGTERM (a service manager, `kill`) stops an import as Ctrl-C does: a line saying what is kept and
    how to resume, and the signal's exit status; it exited 143 with nothing said."""
    copy = renamed_copy(FILES, tmp_path / "termed", "0063")
    process = subprocess.Popen([sys.executable, "-m", "bzgraph.cli", "import", "openalex", str(copy), "--quiet",
                                "--batch-size", "5"], env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    key = InputFile(copy).key
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        rows = await import_db.read("ingest/checkpoint-load", keys=[key])
        if rows and rows[0]["position"] >= 10:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be stopped"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert b"run the same command again to resume" in stderr and b"Traceback" not in stderr, stderr
    resumed = await import_paths(import_db, [copy], batch_size=5)
    assert resumed.resumed >= 10 and await import_db.read("ingest/checkpoint-load", keys=[key]) == []


async def test_an_import_waits_for_a_database_lost_in_its_middle(settings: Settings, import_db: Database,
                                                                tmp_path: Path) -> None:
    """The database goes away between two batches (a restart) and comes back a few seconds later: the
    import says it waits, asks the database once a second, writes the batch again once it answers and
    ends in the graph an uninterrupted import gives. It gave up after the driver's retries (their pauses
    double: a database back after 102 s was found at 152 s, past the import's 145 s)."""
    from urllib.parse import urlsplit

    from bzgraph.ingest.load import Progress
    from tests.support import Relay

    straight = renamed_copy(FILES, tmp_path / "straight", "0061")
    cut = renamed_copy(FILES, tmp_path / "cut", "0062")
    await import_paths(import_db, [straight], batch_size=5)
    target = urlsplit(settings.neo4j_uri)
    relay = Relay((target.hostname, target.port))
    await relay.up()

    class CutOnce(Progress):
        def __init__(self) -> None:
            self.batches, self.notes, self.back = 0, [], None

        def advance(self, nbytes: int, records: int) -> None:
            self.batches += 1
            if self.batches == 3:  # the database goes away, and is back past the driver's retries (3 s here)
                self.back = asyncio.ensure_future(self._restart())

        async def _restart(self) -> None:
            await relay.down()
            await asyncio.sleep(8)
            await relay.up()

        def note(self, text: str) -> None:
            self.notes.append(text)

    progress = CutOnce()
    db = Database(settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{relay.port}", "neo4j_timeout": 1.0}),
                  transaction_timeout=120.0)
    try:
        summary = await asyncio.wait_for(import_paths(db, [cut], batch_size=5, progress=progress), 120)
    finally:
        await db.close()
        if relay.server is not None:
            relay.server.close()
    assert progress.back is not None and progress.back.done()
    assert any("trying again once the database answers" in n for n in progress.notes), progress.notes
    assert progress.notes[-1] == "the database answers: going on"
    assert summary.batches > 3
    got = await fingerprint(import_db, [f"{c}0062" for c in "WAITS"], {"0062": "0061"})
    assert got == await fingerprint(import_db, [f"{c}0061" for c in "WAITS"])


async def test_a_concurrent_refresh_ends_in_the_same_graph_as_a_sequential_one(import_db: Database,
                                                                              tmp_path: Path) -> None:
    # Two copies of the same records under disjoint ids: one refreshed a chunk at a time, one by
    # four workers at once (more chunks than workers, so they share the chunks).
    one = renamed_copy(FILES, tmp_path / "one", "0073")
    four = renamed_copy(FILES, tmp_path / "four", "0074")
    sequential = await import_paths(import_db, [one], refresh_workers=1, refresh_chunk=20)
    concurrent = await import_paths(import_db, [four], refresh_workers=4, refresh_chunk=20)
    assert concurrent.refreshed == sequential.refreshed > 5 * 20
    assert await import_db.read("ingest/refresh-pending", limit=10) == [{"ids": []}]
    got = await fingerprint(import_db, [f"{c}0074" for c in "WAITS"], {"0074": "0073"})
    want = await fingerprint(import_db, [f"{c}0073" for c in "WAITS"])
    assert any("neighbourIds" in node and "trust" in node for node in want[0])
    assert got == want


async def test_a_failing_refresh_worker_raises_its_own_error(import_db: Database,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    await import_db.write("ingest/mark-pending", ids=["bzr-leon-bungert", "bzr-martin-burger"])

    execute = import_db.execute

    async def outage(work: Any, *, write: bool) -> Any:  # the marks are read; the refresh fails
        if write:
            raise ServiceUnavailable("the graph database is not available; try again shortly")
        return await execute(work, write=write)

    with monkeypatch.context() as patch:
        patch.setattr(import_db, "execute", outage)
        with pytest.raises(ServiceUnavailable):  # not an ExceptionGroup: callers map it to its code
            await refresh_marked(import_db, chunk=1, workers=2)
    assert await refresh_marked(import_db) == 2


async def test_malformed_records_are_reported_counted_and_never_half_written(import_db: Database,
                                                                             tmp_path: Path) -> None:
    good = {"id": "https://openalex.org/W0098000000001", "title": "Fine", "authorships": []}
    bad_authorships = {"id": "https://openalex.org/W0098000000002", "title": "Broken",
                       "authorships": [{"author": {"id": "https://openalex.org/A0098000000001",
                                                   "display_name": "Half Written"}}, "not an object"]}
    bad_abstract = {"id": "https://openalex.org/W0098000000003", "title": "Bad abstract",
                    "abstract_inverted_index": {"word": "zero"}}
    lines = [json.dumps(good), "{not json", json.dumps({"id": "https://openalex.org/Q1"}),
             json.dumps(bad_authorships), json.dumps(bad_abstract)]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    summary = await import_paths(import_db, [path])
    assert summary.malformed == 4 and summary.works == 1
    assert [(p.path, p.where) for p in summary.problems] == [
        (str(path), "line 2"), (str(path), "line 3"), (str(path), "line 4"), (str(path), "line 5")]
    assert "invalid JSON" in summary.problems[0].reason
    assert "authorships[1]" in summary.problems[2].reason
    nodes, _ = await fingerprint(import_db, ["W0098", "A0098"])
    assert [json.loads(n)[1]["id"] for n in nodes] == ["W0098000000001"]


async def test_a_bad_line_or_item_loses_only_itself(import_db: Database, tmp_path: Path) -> None:
    """A line that is not UTF-8, a line no database string can hold (a lone surrogate escape), a
    line that is not strict JSON (NaN), an item of a list that is not a record, and values a
    database index cannot hold are each one problem; everything around them is imported."""
    def work(n: int, **fields: Any) -> dict:
        return {"id": f"https://openalex.org/W00960000000{n:02d}", "title": f"Work {n}", "authorships": [], **fields}

    lines = [json.dumps(work(n)).encode() for n in range(1, 6)]
    lines[2] = lines[2].replace(b"Work 3", b"Work \xff 3")  # not UTF-8, between good lines
    lines.insert(3, json.dumps(work(11)).replace("Work 11", "Work \\ud800 11").encode())  # a lone surrogate
    lines.insert(4, json.dumps(work(12, cited_by_count=float("nan"))).encode())  # NaN: json.dumps writes it
    jsonl = tmp_path / "bytes.jsonl"
    jsonl.write_bytes(b"\n".join(lines) + b"\n")
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([work(6), 7, work(8, title="t" * 10_000),
                                  work(9, doi="https://doi.org/10.1/" + "x" * 10_000), work(10)]))
    summary = await import_paths(import_db, [jsonl, listed], batch_size=500)
    assert [(Path(p.path).name, p.where) for p in summary.problems] == [
        ("bytes.jsonl", "line 3"), ("bytes.jsonl", "line 4"), ("bytes.jsonl", "line 5"),
        ("list.json", "line 1 [1]"), ("list.json", "line 1 [3]")]
    reasons = [p.reason for p in summary.problems]
    assert "not UTF-8" in reasons[0] and "invalid JSON" in reasons[1] and "surrogate" in reasons[1]
    assert "invalid JSON" in reasons[2] and "doi" in reasons[4]
    assert summary.malformed == 5 and summary.works == 7
    nodes, _ = await fingerprint(import_db, ["W00960"])
    titles = sorted(t if len(t) < 20 else f"{len(t)} characters" for t in (json.loads(n)[1]["title"] for n in nodes))
    assert titles == ["10000 characters", "Work 1", "Work 10", "Work 2", "Work 4", "Work 5", "Work 6"]


async def test_records_of_shapes_the_mapping_never_expected_do_not_stop_the_import(import_db: Database,
                                                                                   tmp_path: Path) -> None:
    """Odd values (a years number, a country code that is an object or past 64 bits, an array nested
    600 deep, a damaged gzip) were tracebacks: the good records of the batch were lost and every rerun
    stopped at the same record. Now each is left out or reported, and the run ends."""
    def work(n: int, **fields: Any) -> dict:
        return {"id": f"https://openalex.org/W00710000000{n:02d}", "title": f"Work {n}", "authorships": [], **fields}

    inst = {"id": "https://openalex.org/I0071000000001", "display_name": "Odd", "country_code": {"code": "SA"},
            "type": 2**64}
    lines = [json.dumps(work(1)), "[" * 600 + "]" * 600,
             json.dumps({"id": "https://openalex.org/A0071000000001", "display_name": "Odd Years",
                         "affiliations": [{"institution": inst, "years": 2020}]}),
             json.dumps(work(2, authorships=[{"author": {"id": "https://openalex.org/A0071000000002"},
                                              "institutions": [inst]}])),
             json.dumps(work(3))]
    odd = tmp_path / "odd.jsonl"
    odd.write_text("\n".join(lines) + "\n")
    damaged = bytearray(gzip.compress(b"".join(json.dumps(work(10 + i)).encode() + b"\n" for i in range(50)), mtime=0))
    damaged[12] ^= 0xFF  # the deflate block's code lengths: zlib.error, not OSError
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(bytes(damaged))
    deep = tmp_path / "deep.json"
    deep.write_text("[" + json.dumps(work(4)) + ", " + "[" * 950 + "]" * 950 + "]")
    summary = await import_paths(import_db, [odd, broken, odd, deep], batch_size=2)  # odd twice: a rerun's path too
    assert [(Path(p.path).name, p.where) for p in summary.problems] == [
        ("odd.jsonl", "line 2 [0]"), ("broken.jsonl.gz", "file"), ("odd.jsonl", "line 2 [0]"), ("deep.json", "line 1 [1]")]
    assert "nested too deeply" in summary.problems[0].reason and "unreadable" in summary.problems[1].reason
    assert "nested too deeply" in summary.problems[3].reason
    assert summary.works == 7 and summary.authors == 2
    nodes, _ = await fingerprint(import_db, ["W00710", "I00710"])
    stored = {json.loads(n)[1]["id"]: json.loads(n)[1] for n in nodes}
    assert sorted(stored) == ["I0071000000001", "W0071000000001", "W0071000000002", "W0071000000003", "W0071000000004"]
    assert stored["I0071000000001"].get("country") is None and stored["I0071000000001"].get("type") is None


def test_a_record_the_mapping_cannot_take_apart_is_malformed_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever shape the mapping meets next: a TypeError inside it is the record's problem."""
    from bzgraph.ingest import load

    def broken(record: Any) -> Any:
        raise TypeError("'int' object is not iterable")

    monkeypatch.setattr(load, "map_record", broken)
    with pytest.raises(MalformedRecord, match="unexpected shape .TypeError: 'int' object is not iterable"):
        load._map({"id": "W1"})


async def test_one_bad_record_of_an_api_page_loses_only_itself(import_db: Database, tmp_path: Path) -> None:
    """An API page is one JSON document: a NaN or a lone surrogate escape in one of its results made
    the whole page invalid JSON (all its records lost, counted as one). A byte order mark is passed over."""
    def work(n: int, **fields: Any) -> dict:
        return {"id": f"https://openalex.org/W00720000000{n:02d}", "title": f"Work {n}", "authorships": [], **fields}

    page = json.dumps({"meta": {"count": 3}, "results": [work(1), work(2, cited_by_count=float("nan")), work(3), work(4),
                                                          work(7)]})
    page = page.replace("Work 3", "Work \\ud800 3")  # a lone surrogate escape in the third result
    # a byte that is not UTF-8 in the fifth: the whole page was lost ("not UTF-8"), an author's bundle with it
    (tmp_path / "page.json").write_bytes(page.encode().replace(b"Work 7", b"Work \xff7"))
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(work(5)).encode())
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + json.dumps(work(6)).encode() + b"\n")
    summary = await import_paths(import_db, [tmp_path / "page.json", tmp_path / "bom.json", tmp_path / "bom.jsonl"])
    assert [(Path(p.path).name, p.where) for p in summary.problems] == [
        ("page.json", "line 1 results[1]"), ("page.json", "line 1 results[2]"), ("page.json", "line 1 results[4]")]
    assert all("NaN, Infinity, a lone surrogate escape or bytes that are not UTF-8" in p.reason for p in summary.problems)
    assert summary.malformed == 3 and summary.works == 4
    nodes, _ = await fingerprint(import_db, ["W00720"])
    assert sorted(json.loads(n)[1]["title"] for n in nodes) == ["Work 1", "Work 4", "Work 5", "Work 6"]


def test_the_command_prints_a_summary_and_reports_problems(seeded: Database, tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"meta": {}, "results": [
        {"id": "https://openalex.org/W0097000000001", "title": "Via the API", "authorships": []},
        {"id": "nonsense"}]}))
    done = subprocess.run([sys.executable, "-m", "bzgraph.cli", "import", "openalex", str(path), "--quiet"],
                          env=os.environ.copy(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr  # it ran to its end, and skipped a record: a script can tell
    assert f"{path}:line 1 results[1]: not an OpenAlex Work or Author id" in done.stderr
    assert "1 works" in done.stdout and "1 malformed" in done.stdout
    assert re.search(r"nodes: 1 created", done.stdout)


def test_a_folder_with_nothing_to_import_is_refused(tmp_path: Path) -> None:
    """Pointed at the wrong folder (a Parquet copy, say), the import says so: it read nothing, and
    exited 0."""
    (tmp_path / "part-0.parquet").write_bytes(b"PAR1")
    done = subprocess.run([sys.executable, "-m", "bzgraph.cli", "import", "openalex", str(tmp_path), "--quiet"],
                          env=os.environ.copy(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and f"in the folder {tmp_path}" in done.stderr and "Parquet" in done.stderr, done


async def test_a_write_the_database_refuses_is_not_waited_out(settings: Settings) -> None:
    """Credentials refused (an unknown user: no real account's failed logins add up) are the database's
    decision: an import's write stops with SERVICE_UNAVAILABLE at once, not after asking the database
    once a second for up to RECONNECT_SECONDS (120 s)."""
    from pydantic import SecretStr

    from bzgraph.ingest.load import Progress, until_written

    refused = Database(settings.model_copy(update={"neo4j_user": "nobody-here", "neo4j_password": SecretStr("wrong")}))
    attempts = 0

    async def write() -> Any:
        nonlocal attempts
        attempts += 1
        return await refused.write("testing/marker-set", value="x")

    try:
        with pytest.raises(ServiceUnavailable):
            await asyncio.wait_for(until_written(refused, write, Progress()), 30)
    finally:
        await refused.close()
    assert attempts == 1


def test_a_wrong_path_is_said_before_the_database_is_asked(tmp_path: Path) -> None:
    """A path typed wrong is the error, also while the database is down (it was SERVICE_UNAVAILABLE)."""
    env = {**os.environ, "BZGRAPH_NEO4J_URI": "bolt://127.0.0.1:9"}  # nothing listens there
    done = subprocess.run([sys.executable, "-m", "bzgraph.cli", "import", "openalex", str(tmp_path / "typo.jsonl")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (2, f"bzgraph: no such file or folder: {tmp_path / 'typo.jsonl'}\n")
    for option in ("--batch-size", "--refresh-workers"):  # at least 1: 0 is no size
        done = subprocess.run([sys.executable, "-m", "bzgraph.cli", "import", "openalex", option, "0", str(tmp_path)],
                              env=env, capture_output=True, text=True, timeout=120)
        assert (done.returncode, done.stderr) == (2, f"bzgraph: {option} must be at least 1\n")


async def test_a_stream_is_read_as_its_shape_says_and_ctrl_c_stops_it(import_db: Database, tmp_path: Path) -> None:
    """JSON Lines whose first line is cut is that line malformed and the rest read (it was all read as
    one document, and lost); pretty-printed pages one after another (`jq .` over a download) are each
    a document; gzip is recognised however its first bytes arrive; a terminal as standard input is
    refused, and Ctrl-C stops an import waiting on a pipe (it waited for the writer)."""
    import pty

    lines = json.dumps(api_work(11))[:25].encode() + b"\n" + b"".join(json.dumps(api_work(n)).encode() + b"\n" for n in (12, 13))
    done = run_import("-", stdin=lines)
    assert done.returncode == 3 and b"<stdin>:line 1: invalid JSON" in done.stderr, done.stderr
    assert b"3 read (2 works" in done.stdout

    pages = b"".join(json.dumps({"meta": {}, "results": [api_work(n)]}, indent=2).encode() + b"\n" for n in (14, 15))
    done = run_import("-", stdin=pages)
    assert done.returncode == 0 and b"2 read (2 works" in done.stdout, done.stderr
    cut = pages + json.dumps({"meta": {}, "results": [api_work(19)]}, indent=2).encode()[:40]  # the download ended early
    done = run_import("-", stdin=cut)
    assert done.returncode == 3 and b"<stdin>:document 3: invalid JSON" in done.stderr, done.stderr
    assert b"3 read (2 works" in done.stdout  # the pages before the cut are kept

    fifo = tmp_path / "slow.gz"
    os.mkfifo(fifo)
    data = gzip.compress(json.dumps(api_work(16)).encode() + b"\n")
    script = f"import sys, time; out = open({str(fifo)!r}, 'wb', buffering=0); out.write({data[:1]!r}); time.sleep(0.5); out.write({data[1:]!r})"
    writer = subprocess.Popen([sys.executable, "-c", script])
    done = run_import(str(tmp_path / "slow.gz"))
    writer.wait(timeout=30)
    assert done.returncode == 0 and b"1 read (1 works" in done.stdout, done.stderr

    nodes, _ = await fingerprint(import_db, ["W009800000001"])
    assert sorted(json.loads(n)[1]["title"] for n in nodes) == [f"Piped {n}" for n in (12, 13, 14, 15, 16)]

    primary, secondary = pty.openpty()
    try:
        at_terminal = subprocess.run([sys.executable, "-m", "bzgraph.cli", "import", "openalex", "-", "--quiet"],
                                     env=os.environ.copy(), stdin=secondary, capture_output=True, timeout=60)
    finally:
        os.close(primary)
        os.close(secondary)
    assert at_terminal.returncode == 2 and b"standard input, which is this terminal" in at_terminal.stderr

    waiting = subprocess.Popen([sys.executable, "-m", "bzgraph.cli", "import", "openalex", "-", "--quiet"],
                               env=os.environ.copy(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(8)  # started, and waiting for the pipe's first bytes
        waiting.send_signal(signal.SIGINT)
        assert waiting.wait(timeout=10) == 128 + signal.SIGINT  # stopped, though the pipe is still open
        assert b"import stopped" in waiting.stderr.read()
    finally:
        waiting.kill()
        waiting.stdin.close()


async def test_importing_again_cleans_what_an_older_version_stored(import_db: Database, tmp_path: Path) -> None:
    """An older version kept soft hyphens and open isolates in names (the sample's `Al-Khalid
    Oth\u00adman`), and no nameKey; importing the same files again, as docs/import.md says to, left them:
    the stored version held the same text, which sorts after the cleaned one, so the same record lost."""
    tag = f"{int(time.time() * 1000) % 10**9:09d}"
    aid, iid, tid = f"A0094{tag}", f"I0094{tag}", f"T0094{tag}"
    record = {"id": f"https://openalex.org/W0094{tag}", "updated_date": "2025-01-01", "title": "Probe",
              "authorships": [{"author": {"id": f"https://openalex.org/{aid}", "display_name": "Othman Probe"},
                               "institutions": [{"id": f"https://openalex.org/{iid}", "display_name": "University of Probe"}]}],
              "topics": [{"id": f"https://openalex.org/{tid}", "display_name": "Reservoir analysis", "score": 0.5}],
              "primary_location": None}
    path = tmp_path / "probe.jsonl"
    path.write_text(json.dumps(record) + "\n")
    await import_paths(import_db, [path])
    nodes = {n[1]["id"]: n[1] for n in (json.loads(x) for x in (await fingerprint(import_db, [f"A0094{tag}", f"I0094{tag}",
                                                                                                f"T0094{tag}"]))[0])}
    clean = {aid: ("Othman Probe", "Oth\u00adman Probe", "seenVersion"), iid: ("University of Probe", "Uni\u00adversity of Probe",
             "importVersion"), tid: ("Reservoir analysis", "Reservoir \u2068analysis", "importVersion")}
    for node_id, (name, dirty, key) in clean.items():  # as the older version stored them
        await import_db.write("testing/set-properties", id=node_id, props={
            "name": dirty, "nameKey": None, key: nodes[node_id][key].replace(name, dirty)})
    await import_db.write("testing/set-properties", id=f"W0094{tag}", props={"importHash": None})  # it kept none
    await import_paths(import_db, [path])
    after = {n[1]["id"]: n[1] for n in (json.loads(x) for x in (await fingerprint(import_db, [f"A0094{tag}", f"I0094{tag}",
                                                                                                f"T0094{tag}"]))[0])}
    for node_id, (name, _, key) in clean.items():
        assert (after[node_id]["name"], after[node_id]["nameKey"], after[node_id][key]) == (
            name, nodes[node_id]["nameKey"], nodes[node_id][key]), node_id
    assert after[aid]["aliases"] == nodes[aid]["aliases"]  # the old spelling is no alias: cleaned, it is the name


async def test_the_copy_that_wins_does_not_depend_on_order_when_a_value_holds_a_removed_character(
        import_db: Database, tmp_path: Path) -> None:
    """Versions are compared without the characters an import removes: a raw value holding one (an
    ISSN with a soft hyphen) must be so too, or two copies of the same date swapped winners with the
    order they came in."""
    def copy(tag: str, issn: str) -> dict:
        return {"id": f"https://openalex.org/W0095{tag}", "updated_date": "2025-01-01", "title": "Same date",
                "authorships": [], "topics": [], "primary_location": {"source": {
                    "id": f"https://openalex.org/S0095{tag[:-1]}0", "display_name": "Venue", "issn_l": issn}}}

    stored = []
    for run, order in enumerate(((0, 1), (1, 0))):
        tag = f"{int(time.time() * 1000) % 10**8:08d}{run}"
        copies = [copy(tag[:-1] + "1", "1234-567\u00ad1"), copy(tag[:-1] + "2", "1234-5672")]
        for i in order:
            path = tmp_path / f"copy-{run}-{i}.jsonl"
            path.write_text(json.dumps(copies[i]) + "\n")
            await import_paths(import_db, [path])
        nodes, _ = await fingerprint(import_db, [f"S0095{tag[:-1]}0"])
        stored.append([json.loads(n)[1]["issn"] for n in nodes])
    assert stored[0] == stored[1] == ["1234-5672"], stored


def run_import(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "bzgraph.cli", "import", "openalex", *args, "--quiet"],
                          env=os.environ.copy(), input=stdin, capture_output=True, timeout=120)


def api_work(n: int) -> dict:
    return {"id": f"https://openalex.org/W00980000000{n:02d}", "title": f"Piped {n}", "authorships": []}


async def test_standard_input_and_pipes_are_imported(import_db: Database, tmp_path: Path) -> None:
    """``-`` reads standard input (``curl … | bzgraph import openalex -``): JSON Lines, gzipped or not
    (told by its first bytes), or one document over several lines (a pretty-printed API page); a
    pipe given as a path (``<(zcat …)``) is read as well. They were refused as "no such file"."""
    lines = b"".join(json.dumps(api_work(n)).encode() + b"\n" for n in (1, 2))
    done = run_import("-", stdin=gzip.compress(lines))
    assert done.returncode == 0, done.stderr
    assert b"2 read (2 works, 0 authors)" in done.stdout

    page = json.dumps({"meta": {"count": 2}, "results": [api_work(3), api_work(4)]}, indent=2).encode()
    done = run_import("-", stdin=page)
    assert done.returncode == 0 and b"2 read (2 works" in done.stdout, done.stderr

    done = run_import("-", stdin=json.dumps(api_work(5)).encode() + b"\n{not json\n" + json.dumps(api_work(6)).encode())
    assert done.returncode == 3 and b"<stdin>:line 2: invalid JSON" in done.stderr, done.stderr

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"printf '%s\\n' '{json.dumps(api_work(7))}' > {fifo}"])
    done = run_import(str(fifo))
    writer.wait(timeout=30)
    assert done.returncode == 0 and b"1 read (1 works" in done.stdout, done.stderr

    nodes, _ = await fingerprint(import_db, ["W009800000000"])
    assert sorted(json.loads(n)[1]["title"] for n in nodes) == [f"Piped {n}" for n in (1, 2, 3, 4, 5, 6, 7)]

    twice = run_import("-", "-", stdin=b"")
    assert twice.returncode == 2 and b"standard input (-) can be read only once" in twice.stderr


def test_the_progress_bar_shows_on_a_terminal_unless_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    from bzgraph.ingest.progress import RichProgress

    for terminal, quiet, shown in ((True, False, True), (True, True, False), (False, False, False)):
        monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
        assert RichProgress(quiet=quiet).bar.disable is not shown, (terminal, quiet)


def test_the_summary_splits_the_time_it_took() -> None:
    """The time in all, and of it the batches' and the explore refresh's (it used to read as if the
    refresh came on top of a total that already held it)."""
    summary = Summary(records=100, batches=2, seconds=10.0, refresh_seconds=4.0, refreshed=5)
    assert "10.0s in all (10 records/s): 2 batches in 6.0s, then explore lists refreshed for 5 nodes in 4.0s" \
        in summary.lines()[0]


async def test_batch_boundaries_leave_the_same_graph_and_repeated_values_are_no_update(
        import_db: Database, tmp_path: Path) -> None:
    """The same records in batches of one and in one batch: the same graph, bookkeeping included
    (an ORCID a work gave before the Author record arrived leaves no stamp behind), and no node is
    "updated" by a later record that repeats its values (only the import's version stamp moves).
    What the summary calls updated may still depend on the batches where values change between
    records (docs/import.md)."""
    summaries = []
    for family, batch_size in (("0069", 1), ("0068", 10)):
        work = small_work(f"{family}000000001", "2025-01-01", [f"{family}000000001"], f"{family}000000001",
                          f"{family}000000001")
        work["authorships"][0]["author"]["orcid"] = "https://orcid.org/0000-0002-1825-0097"
        record = {"id": f"https://openalex.org/A{family}000000001", "updated_date": "2025-02-01",
                  "display_name": "Person 01", "orcid": "https://orcid.org/0000-0001-5109-3700"}
        again = small_work(f"{family}000000002", "2025-03-01", [f"{family}000000001"], f"{family}000000001",
                           f"{family}000000001")
        path = tmp_path / f"{family}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in (work, record, again)))
        summaries.append(await import_paths(import_db, [path], batch_size=batch_size))
    prints = [await fingerprint(import_db, [f"{k}{f}" for k in OPENALEX_PREFIXES], {f: "0067"}) for f in ("0069", "0068")]
    assert prints[0] == prints[1]
    assert "orcidVersion" not in "".join(prints[0][0])
    for summary in summaries:
        assert summary.created["Topic"] == 1 and summary.updated["Topic"] == 0
        assert summary.updated["Source"] == 0 and summary.updated["Institution"] == 0

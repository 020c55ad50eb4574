"""The foundation: schema.graphql, migrations, the seed graph and its texts."""

from __future__ import annotations

import html
import logging
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from neo4j import AsyncGraphDatabase

from bzgraph import queries
from bzgraph.db import Database, migrate
from bzgraph.schema import changes_since, sdl
from bzgraph.seed import load_seed, read_seed
from bzgraph.settings import PROJECT_ROOT

REFERENCE_PAGE = PROJECT_ROOT.parent / "shared" / "reference" / "000_10539054c638206b.txt"


def test_schema_graphql_equals_generated_sdl() -> None:
    checked_in = (PROJECT_ROOT / "schema.graphql").read_text()
    if checked_in != sdl():
        breaking = changes_since(checked_in).breaking
        pytest.fail("schema.graphql is not the schema the code makes: run `.venv/bin/bzgraph schema > schema.graphql` "
                    "and commit it" + (", and list what breaks clients in docs/ui-clients.md "
                                       f"(\"Changes to the schema\"): {breaking}" if breaking else ""))


def _schema_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bzgraph.cli", "schema", *args], capture_output=True, text=True,
                          timeout=120)


def test_schema_changes_since_an_older_sdl_name_what_breaks_clients(tmp_path: Path) -> None:
    """A field the old schema had and a nullable field it had as non-null break a client; an enum
    value the old one lacked may change what it sees; the command exits 1 for the breaking ones."""
    old = sdl().replace("type Query {\n", "type Query {\n  retired: Int\n", 1)
    old = old.replace("  headline: String\n", "  headline: String!\n", 1)
    old = re.sub(r"(enum TrustTier \{.*?)\n\n  \"\"\"[^\n]*\"\"\"\n  EXEMPLARY\n", r"\1\n", old, count=1, flags=re.S)
    assert old.count("retired") == 1 and "headline: String!" in old and "EXEMPLARY" not in old.split("enum TrustTier")[1]
    (tmp_path / "old.graphql").write_text(old)
    listed = _schema_cli("--changes-since", str(tmp_path / "old.graphql"))
    assert listed.returncode == 1, listed.stderr
    assert listed.stdout.splitlines() == [
        "breaking: Field Query.retired was removed.",
        "breaking: Field Researcher.headline changed type from String! to String.",
        "dangerous: Enum value TrustTier.EXEMPLARY was added.",
    ]
    same = _schema_cli("--changes-since", str(PROJECT_ROOT / "schema.graphql"))
    assert (same.returncode, same.stdout) == (0, "no breaking or dangerous changes\n")
    missing = _schema_cli("--changes-since", str(tmp_path / "absent-rev"))
    assert missing.returncode == 2 and "neither a file nor a git revision" in missing.stderr
    (tmp_path / "not-sdl.graphql").write_text("# notes\ntype Query { x: Unknown }\n")
    for unreadable in (str(tmp_path / "not-sdl.graphql"), "--output=" + str(tmp_path / "written")):
        refused = _schema_cli(f"--changes-since={unreadable}")
        assert refused.returncode == 2 and refused.stderr.startswith("bzgraph schema: cannot read"), refused.stderr
        assert "Traceback" not in refused.stderr
    assert not list(tmp_path.glob("written*")), "a revision is never taken for one of git's options"


async def _fingerprint(db: Database) -> list[tuple]:
    counts = await db.read("graph-counts")
    return sorted((r["kind"], r["name"], r["count"]) for r in counts)


async def test_migrate_twice_is_harmless(seeded: Database) -> None:
    """Migrating a migrated database leaves its schema and its data as they were."""
    await migrate(seeded)
    schema, data = await seeded.read("testing/schema-objects"), await _fingerprint(seeded)
    assert await migrate(seeded) == sum(len(q.statements) for q in queries.migrations())  # each statement counted
    assert await seeded.read("testing/schema-objects") == schema and await _fingerprint(seeded) == data
    names = {row["name"] for row in schema}
    assert {"search_researcher_folded", "search_work_spelled"} <= names, names
    assert all(row["state"] == "ONLINE" for row in schema), schema


async def test_migrations_replace_the_search_indexes_of_older_versions(seeded: Database) -> None:
    """A database made by an older version has search indexes without accent folding; migrating
    drops them and leaves only the folding ones, which `search` reads."""
    await seeded.write("testing/drop-topic-search")  # Neo4j keeps one full-text index per schema
    await seeded.write("testing/legacy-search-index")
    indexes = {r["name"]: r["analyzer"] for r in await seeded.read("testing/fulltext-indexes")}
    assert indexes["search_topic"] == "standard-no-stop-words" and "search_topic_spelled" not in indexes
    await migrate(seeded)
    indexes = {r["name"]: r["analyzer"] for r in await seeded.read("testing/fulltext-indexes")}
    assert {name: analyzer for name, analyzer in indexes.items() if name.startswith("search_")} == {
        "search_researcher_folded": "standard-folding",
        **{f"search_{kind}_spelled": "standard-folding" for kind in ("work", "topic", "institution")}}


async def test_seed_twice_gives_identical_graph(seeded: Database) -> None:
    before = await _fingerprint(seeded)
    await load_seed(seeded)
    after = await _fingerprint(seeded)
    assert before == after
    seed = read_seed()
    ids = [n["id"] for key in ("researchers", "works", "topics") for n in seed[key]]
    found = await seeded.read("node", ids=ids)
    assert sorted(r["id"] for r in found) == sorted(ids)
    authors = await seeded.read("work/authors", ids=[w["id"] for w in seed["works"]], max=1000)
    assert sum(len(r["authors"]) for r in authors) == sum(len(w["authors"]) for w in seed["works"])


def _page_works() -> dict[str, dict]:
    """Title → type, year, venue and abstract, parsed from the reference page."""
    lines = [line for line in REFERENCE_PAGE.read_text().splitlines() if line.strip()]
    start = lines.index("Published work")
    works = {}
    for i, line in enumerate(lines[start:], start):
        match = re.fullmatch(r"(preprint|article)(\d{4})(arXiv)", line)
        if match:
            works[lines[i + 1]] = {"type": match[1], "year": int(match[2]), "venue": match[3],
                                   "abstract": lines[i + 2]}
    return works


def test_seed_file_carries_the_page_texts_decoded() -> None:
    page = _page_works()
    seed = read_seed()
    assert len(page) == 9 and len(seed["works"]) == 9
    for work in seed["works"]:
        expected = page[work["title"]]
        assert work["year"] == expected["year"] and work["type"] == expected["type"]
        assert work["abstract"] == html.unescape(expected["abstract"])
        assert "&#39;" not in work["abstract"] and "&amp;" not in work["abstract"]


async def test_seeded_works_in_the_database_match_the_page(seeded: Database) -> None:
    page = _page_works()
    rows = await seeded.read("testing/works-with-venue")
    assert {r["title"] for r in rows} == set(page)
    for row in rows:
        expected = page[row["title"]]
        assert (row["type"], row["year"], row["venue"]) == (expected["type"], expected["year"], "arXiv")
        assert row["abstract"] == html.unescape(expected["abstract"])
    assert any("gradients' geometrical" in r["abstract"] for r in rows)


async def test_rows_convert_as_record_data_does(seeded: Database, settings) -> None:
    """The database layer's fast conversion gives what the driver's ``Record.data()`` gives."""
    rows = await seeded.read("testing/graph-values", id="bzr-leon-bungert")
    driver = AsyncGraphDatabase.driver(settings.neo4j_uri,
                                       auth=(settings.neo4j_user, settings.neo4j_password_value()))
    try:
        records, _, _ = await driver.execute_query(queries.get("testing/graph-values").text,
                                                   id="bzr-leon-bungert", database_=settings.neo4j_database)
    finally:
        await driver.close()
    assert rows == [record.data() for record in records]
    assert rows[0]["node"]["id"] == "bzr-leon-bungert"
    assert rows[0]["relationship"][1] == "AUTHORED"
    assert [type(x) for x in rows[0]["path"]] == [dict, str, dict]


async def test_local_server_asks_for_no_receive_timeout(seeded: Database) -> None:
    """`bzgraph db start` turns Bolt keep-alive for requests off: the server then sends no receive-timeout
    hint, and the driver reads the socket directly instead of through a timer on every read."""
    settings = {row["name"]: row["value"] for row in await seeded.read("testing/bolt-keep-alive")}
    assert settings["server.bolt.connection_keep_alive_for_requests"] == "OFF"


async def test_warm_up_runs_every_request_query_and_writes_nothing(seeded: Database, caplog) -> None:
    """bzgraph serve plans the queries requests send before /readyz says ready (a cold Neo4j took
    6 s over the profile query, past a request's time): each runs once with its header's example
    parameters, rolled back."""
    from bzgraph import queries
    from bzgraph.warmup import REQUEST_QUERIES, example_parameters, warm_up

    request_queries = [n for n in queries.all_queries() if n.startswith(REQUEST_QUERIES)]
    assert "profile/researchers" in request_queries and "accounts/follow" in request_queries
    assert example_parameters(queries.get("profile/researchers"))["ids"] == ["bzr-leon-bungert"]
    before = await _fingerprint(seeded)
    with caplog.at_level(logging.INFO, logger="bzgraph"):
        warmed = await warm_up(seeded)
    missed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("warm-up:")]
    assert warmed == len(request_queries), (  # every one ran: its example fits it
        f"each query requests send runs at start-up with the parameters of its header's `Example:` line: {missed}")
    assert await _fingerprint(seeded) == before


async def test_a_query_that_fails_to_warm_up_is_logged_and_not_counted(seeded: Database, caplog) -> None:
    from bzgraph.warmup import REQUEST_QUERIES, warm_up

    rehearse = seeded.rehearse

    async def profile_times_out(name: str, /, **kwargs: object) -> None:
        if name == "profile/researchers":
            raise TimeoutError("a cold database")
        await rehearse(name, **kwargs)  # type: ignore[arg-type]

    seeded.rehearse = profile_times_out  # type: ignore[method-assign]
    try:
        with caplog.at_level(logging.INFO, logger="bzgraph"):
            warmed = await warm_up(seeded)
    finally:
        del seeded.rehearse  # the class's method again
    assert warmed == len([n for n in queries.all_queries() if n.startswith(REQUEST_QUERIES)]) - 1
    assert "warm-up: profile/researchers did not run: a cold database" in caplog.text


def test_the_warm_up_plans_the_contract_pages_first() -> None:
    """Requests that arrive during the warm-up find the pages UIs open first already planned."""
    from bzgraph import queries
    from bzgraph.warmup import REQUEST_QUERIES, warm_up_order

    names = list(queries.all_queries())
    order = warm_up_order(names)
    assert sorted(order) == sorted(n for n in names if n.startswith(REQUEST_QUERIES))
    assert order[0] == "profile/researchers"
    assert order.index("explore/neighbourhood") < order.index("search") < order.index("accounts/follow")


async def test_a_cancelled_warm_up_stops(seeded: Database) -> None:
    """Shutting down cancels the warm-up: it must stop, not swallow the cancellation and go on
    running queries on a driver being closed."""
    import asyncio

    from bzgraph.warmup import warm_up

    rehearse, running = seeded.rehearse, asyncio.Event()

    async def rehearsing(*args: object, **kwargs: object) -> None:
        running.set()
        await rehearse(*args, **kwargs)  # type: ignore[arg-type]

    seeded.rehearse = rehearsing  # type: ignore[method-assign]
    try:
        task = asyncio.create_task(warm_up(seeded))
        await asyncio.wait_for(running.wait(), 30)
        task.cancel()  # within its first query (a fixed pause let a quick warm-up finish first)
    finally:
        del seeded.rehearse  # the class's method again
    done, _ = await asyncio.wait({task}, timeout=30)
    assert done and task.cancelled()


async def test_graph_counts_read_the_count_store_for_the_graph_model(seeded: Database) -> None:
    """graphCounts scanned every node and relationship on each call (1.6 M db hits at ten times the
    sample, minutes on a full OpenAlex snapshot); the graph model's labels and types come from the
    count store now, in constant time: the query's db hits do not grow with the graph."""
    import neo4j

    from bzgraph import queries

    async def hits() -> int:
        result = await seeded.driver.execute_query("PROFILE " + queries.get("graph-counts").text,
                                                   routing_=neo4j.RoutingControl.READ)
        total, plans = 0, [result.summary.profile]
        while plans:
            plan = plans.pop()
            total += plan.get("dbHits", 0)
            plans += plan.get("children", [])
        return total

    before = await hits()
    tag = uuid.uuid4().hex[:8]
    works = [{"id": f"t-{tag}-w{i}", "title": f"Counted {i}", "abstract": None, "year": 2020, "date": None, "type": "article",
              "language": "en", "doi": None, "arxivId": None, "citedByCount": 0, "source": None,
              "authors": [{"researcher": f"t-{tag}-r", "position": 1}], "topics": []} for i in range(500)]
    await seeded.write("seed/load", sources=[], topics=[], institutions=[], works=works, affiliations=[], researchers=[
        {"id": f"t-{tag}-r", "name": "Counted", "aliases": [], "orcid": None, "openToCollaborate": False, "bio": None}])
    assert await hits() == before  # 1,000 more nodes and relationships
    counts = {(r["kind"], r["name"]): r["count"] for r in await seeded.read("graph-counts")}
    assert counts[("node", "Work")] >= 500 and counts[("relationship", "AUTHORED")] >= 500

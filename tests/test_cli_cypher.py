"""`bzgraph cypher` runs exactly the named queries the API runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid

import pytest

from bzgraph import queries
from bzgraph.api.profile import ProfileArgs, profile_params
from bzgraph.db import Database
from bzgraph.errors import BadUserInput
from bzgraph.localdb import instance_for


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bzgraph.cli", "cypher", *args],
                          capture_output=True, text=True, env=os.environ.copy(), timeout=120)


def test_list_shows_every_query_with_its_purpose() -> None:
    listed = _cli("--list", "--all").stdout.splitlines()
    for name, query in queries.all_queries().items():
        assert query.purpose, f"{name} has no header"
        assert query.purpose.endswith("."), f"{name}: the purpose is cut short: {query.purpose!r}"
        assert any(line.split()[0] == name and query.purpose in line for line in listed), name
    # a purpose that runs over two header lines is listed whole, and stops before the parameters
    assert queries.get("analytics/coauthor-communities").purpose.endswith("(who would join everyone).")
    assert "Parameters" not in queries.get("schema/003-fulltext").purpose


async def test_list_leaves_the_tests_and_benchmarks_queries_out_unless_asked() -> None:
    """The product's queries by default; `testing/` and `bench/` (some wipe or lock data) with --all."""
    product = {line.split()[0] for line in _cli("--list").stdout.splitlines()}
    everything = {line.split()[0] for line in _cli("--list", "--all").stdout.splitlines()}
    assert everything == set(queries.all_queries())
    assert product == {name for name in everything if not name.startswith(("testing/", "bench/"))}
    assert "profile/researchers" in product and "testing/wipe" not in product and "bench/load-csv-nodes" not in product


async def test_list_says_which_queries_change_data_as_the_database_does(seeded: Database) -> None:
    """`--list` marks each query read or write (a write needs --write); the mark, read from the text,
    agrees with the query type Neo4j's planner gives every query (EXPLAIN runs nothing), but for
    TERMINATE TRANSACTIONS: Neo4j plans it as a read, and it ends other clients' work."""
    listed = {line.split()[0]: line.split()[1] for line in _cli("--list", "--all").stdout.splitlines()}
    migrations = set(queries.migrations())
    for name, query in queries.all_queries().items():
        if query in migrations:
            assert listed[name] == "schema", name
            continue
        async with seeded.driver.session(database=seeded.settings.neo4j_database) as session:
            planned = (await (await session.run("EXPLAIN " + query.text)).consume()).query_type
        ends_others = "TERMINATE TRANSACTIONS" in query.text
        # dbms.queryJmx (health/server-start) reads the server's own JMX data; as a procedure of DBMS mode
        # it is planned as "s", and a read transaction runs it
        dbms_read = "CALL dbms.queryJmx(" in query.text
        if dbms_read:
            assert planned == "s" and not query.writes, (name, planned)
            continue
        assert planned == "r" if ends_others else query.writes == (planned in ("w", "rw", "s")), (name, planned)
        assert query.writes or not ends_others, name
        assert listed[name] == ("write" if query.writes else "read"), name
    assert listed["profile/researchers"] == "read" and listed["accounts/follow"] == "write"


def test_every_query_file_has_a_header_with_an_example() -> None:
    for name, query in queries.all_queries().items():
        header = [line for line in query.text.splitlines() if line.startswith("//")]
        assert any("Example" in line for line in header), name


async def test_profile_query_prints_the_rows_the_api_reads(seeded: Database) -> None:
    params = profile_params(["bzr-leon-bungert"], None, ProfileArgs(works_first=2, collaborators_first=3, topics_first=3))
    result = _cli("profile/researchers", "--json", *[f"--param={k}={json.dumps(v)}" for k, v in params.items()])
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    direct = json.loads(json.dumps(await seeded.read("profile/researchers", **params), default=str))
    assert printed == direct
    assert printed[0]["counts"]["works"] == 9


def test_table_output_and_unknown_name() -> None:
    table = _cli("graph-counts")
    assert table.returncode == 0 and "Researcher" in table.stdout and "row(s)" in table.stdout
    missing = _cli("no/such/query")
    assert missing.returncode == 2 and "no Cypher query named" in missing.stderr



def test_a_table_into_a_pipe_keeps_every_value_whole(seeded: Database) -> None:
    """rich would fit the table to 80 columns and cut long values with an ellipsis."""
    params = profile_params(["bzr-leon-bungert"], None, ProfileArgs(works_first=3, collaborators_first=5, topics_first=5))
    options = [option for k, v in params.items() for option in ("--param", f"{k}={json.dumps(v)}")]
    rows = _cli("profile/researchers", *options)
    assert rows.returncode == 0, rows.stderr
    assert "…" not in rows.stdout
    (profile,) = json.loads(_cli("profile/researchers", "--json", *options).stdout)
    for work in profile["works"]:
        assert work["title"] in rows.stdout


def test_parameters_that_do_not_fit_are_bad_user_input(seeded: Database) -> None:
    missing = _cli("profile/researchers", "--param", 'ids=["bzr-leon-bungert"]')
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.startswith("bzgraph: BAD_USER_INPUT: profile/researchers: Expected parameter(s):")
    assert "worksFirst" in missing.stderr
    malformed = _cli("node", "--param", "ids")
    assert malformed.returncode == 1
    assert malformed.stderr.strip() == "bzgraph: BAD_USER_INPUT: --param takes key=value, got 'ids'"
    for args in (("analytics/top-collaborators", "--param", "id=bzr-leon-bungert", "--param", f"limit={2**63}"),
                 ("node", "--param", f"ids=[{2**64}]")):
        too_big = _cli(*args)
        assert too_big.returncode == 1 and "Traceback" not in too_big.stderr, too_big.stderr
        assert too_big.stderr.startswith("bzgraph: BAD_USER_INPUT:") and "64 bits" in too_big.stderr



def test_a_parameter_is_json_only_when_it_is_json() -> None:
    """NaN, Infinity and 1e400 are no JSON numbers (RFC 8259): they are text, as any value that is
    not JSON, never a float NaN or infinity sent to the query."""
    for raw in ("NaN", "Infinity", "-Infinity", "1e400", "[1, NaN]", "{\"a\": -1e999}"):
        assert queries.parse_param(f"x={raw}") == ("x", raw), raw
    assert queries.parse_param("x=1.5e3") == ("x", 1500.0)
    assert queries.parse_param('x=["a", 2, null]') == ("x", ["a", 2, None])

async def test_a_table_shows_stored_text_as_it_is(seeded: Database) -> None:
    """Brackets are text, not rich markup (which failed on ``[/]`` and ate ``[d]``), and control
    characters are shown as escapes instead of driving the terminal."""
    rid = f"t-{uuid.uuid4().hex[:8]}"
    await seeded.write("testing/researcher-with-works", id=rid, name="Closing [/] Tag \x1b[2J",
                       works=[{"id": f"{rid}-w1", "title": "1H-benzo[d]imidazole [bold]x[/bold]", "year": 2020}])
    for ids in ([rid], [f"{rid}-w1"]):
        done = _cli("node", "--param", f"ids={json.dumps(ids)}")
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert "\x1b" not in done.stdout
    assert '"Closing [/] Tag \\u001b[2J"' in _cli("node", "--param", f'ids=["{rid}"]').stdout  # in the props map
    assert "1H-benzo[d]imidazole [bold]x[/bold]" in _cli("node", "--param", f'ids=["{rid}-w1"]').stdout


def test_a_text_cell_escapes_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    from bzgraph.cli import _print_table

    _print_table([{"name": "Ada [a,b] Interval \x1b]0;pwned\x07", "n": 1}])
    out = capsys.readouterr().out
    assert "Ada [a,b] Interval \\x1b]0;pwned\\x07" in out and "\x1b" not in out and "\x07" not in out


def test_text_that_is_not_unicode_is_bad_user_input(seeded: Database) -> None:
    """A parameter no database string can hold (a byte that is not UTF-8 on the command line, a
    lone surrogate escape in JSON) is refused with a code, not a traceback."""
    for raw in ('ids=["\udcff"]', 'ids=["\\ud800"]', 'ids=[{"k\\ud800": 1}]', '\udcff=1'):  # b'\xff'; \ud800
        done = _cli("node", "--param", raw, *(("--param", 'ids=["x"]') if raw.startswith("\udcff") else ()))
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith("bzgraph: BAD_USER_INPUT: node: a parameter is not valid Unicode text")


async def test_the_database_handle_serves_on_after_text_that_is_not_unicode(seeded: Database) -> None:
    for _ in range(2):
        with pytest.raises(BadUserInput, match="not valid Unicode text"):
            await seeded.read("node", ids=["bzr-leon-bungert\ud800"])
        assert [row["id"] for row in await seeded.read("node", ids=["bzr-leon-bungert"])] == ["bzr-leon-bungert"]


def test_an_install_without_the_cypher_folder_says_so(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(queries, "CYPHER_DIR", tmp_path / "cypher")
    queries.all_queries.cache_clear()
    try:
        with pytest.raises(queries.QueriesNotFound, match="no cypher/ folder at .*pip install -e"):
            queries.get("profile/researchers")
    finally:
        monkeypatch.undo()
        queries.all_queries.cache_clear()
    assert queries.get("profile/researchers").purpose


REFUSED_WITHOUT_WRITE = ("bzgraph: BAD_USER_INPUT: {} changes the data or ends others' transactions; "
                         "run it with --write if you mean to")


async def test_a_query_that_changes_data_runs_only_with_write(seeded: Database) -> None:
    """Without --write a query that writes is refused (and every query runs in a read transaction);
    the analyst is told how to let it run, and nothing is changed."""
    value = f"v-{os.getpid()}"
    refused = _cli("testing/marker-set", "--param", f"value={value}")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert refused.stderr.strip() == REFUSED_WITHOUT_WRITE.format("testing/marker-set")
    assert await seeded.read("testing/marker-get") != [{"value": value}]
    written = _cli("testing/marker-set", "--write", "--param", f"value={value}")
    assert written.returncode == 0, written.stderr
    assert await seeded.read("testing/marker-get") == [{"value": value}]


def test_ending_other_transactions_needs_write_too() -> None:
    """TERMINATE TRANSACTIONS changes no data, and a read transaction allows it; it still ends
    other clients' work, so it is listed as a write and refused without --write."""
    listed = _cli("--list", "--all")
    assert listed.returncode == 0, listed.stderr
    kinds = {line.split()[0]: line.split()[1] for line in listed.stdout.splitlines() if line.strip()}
    assert kinds["testing/terminate-blocked"] == "write"
    refused = _cli("testing/terminate-blocked")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert refused.stderr.strip() == REFUSED_WITHOUT_WRITE.format("testing/terminate-blocked")


async def test_explain_and_profile_print_neo4js_plan(seeded: Database) -> None:
    """--profile runs the query (its rows as usual) and prints the plan with each operator's rows and
    database hits; --explain prints the plan and runs nothing, so a query that writes needs no --write
    there (and changes nothing); --profile of one does, as running it would."""
    args = ("analytics/top-collaborators", "--param", "id=bzr-leon-bungert", "--param", "limit=3")
    plain, profiled = _cli(*args, "--json"), _cli(*args, "--profile")
    assert plain.returncode == 0 and profiled.returncode == 0, profiled.stderr
    assert "3 row(s)" in profiled.stdout and "| Operator" in profiled.stdout and "DB Hits" in profiled.stdout
    assert re.search(r"Total database accesses: \d+", profiled.stdout)
    as_json = json.loads(_cli(*args, "--profile", "--json").stdout)
    assert as_json["rows"] == json.loads(plain.stdout) and as_json["plan"]["operatorType"].startswith("ProduceResults")
    assert "dbHits" in as_json["plan"] and "string-representation" not in as_json["plan"]["args"]

    value = f"explained-{os.getpid()}"
    explained = _cli("testing/marker-set", "--param", f"value={value}", "--explain")
    assert explained.returncode == 0 and "| Operator" in explained.stdout and "DB Hits" not in explained.stdout
    assert "row(s)" not in explained.stdout and "(no rows)" not in explained.stdout
    assert await seeded.read("testing/marker-get") != [{"value": value}]  # planned, not run
    refused = _cli("testing/marker-set", "--param", f"value={value}", "--profile")
    assert refused.stderr.strip() == REFUSED_WITHOUT_WRITE.format("testing/marker-set")
    both = _cli(*args, "--explain", "--profile")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


def test_a_migration_points_to_db_migrate() -> None:
    result = _cli("schema/002-indexes", "--write")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "`bzgraph db migrate` applies it" in result.stderr


def test_a_query_the_database_refuses_to_run_is_one_line(seeded: Database) -> None:
    """`CALL ... IN TRANSACTIONS` needs an implicit transaction, which `bzgraph cypher` does not
    open: the database's refusal is one line naming the query, not a traceback."""
    name = f"cli-{uuid.uuid4().hex[:8]}.csv"
    csv = instance_for(seeded.settings).home / "import" / name
    csv.parent.mkdir(parents=True, exist_ok=True)
    csv.write_text("id,title\nW-cli-1,A title\n")
    try:
        result = _cli("bench/load-csv-nodes", "--write", "--param", f"url=file:///{name}", "--param", "label=Work")
    finally:
        csv.unlink()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("bzgraph: INTERNAL: bench/load-csv-nodes: ") and "implicit transaction" in result.stderr


def test_a_reader_that_goes_away_ends_the_output_quietly() -> None:
    """`bzgraph cypher ... | head -1`: once the pipe's reader has gone, no traceback."""
    process = subprocess.Popen([sys.executable, "-m", "bzgraph.cli", "cypher", "--list"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # before the command has started writing
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1 and b"Traceback" not in stderr and stderr == b"", stderr

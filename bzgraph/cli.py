"""The ``bzgraph`` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bzgraph.settings import Settings, SettingsError, get_settings

if TYPE_CHECKING:
    from rich.text import Text

Handler = Callable[[argparse.Namespace, Settings], int]


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


BULK_TRANSACTION_SECONDS = 120.0  # seed, migrate, import: one transaction may take longer than a request


async def _with_db(settings: Settings, fn: Callable[[Any], Any], bulk: bool = False) -> Any:
    """Run ``fn`` with a database; ``bulk`` lets one transaction run up to BULK_TRANSACTION_SECONDS
    (waits for the database stay bounded by BZGRAPH_NEO4J_TIMEOUT)."""
    from bzgraph.db import Database

    db = Database(settings, transaction_timeout=max(BULK_TRANSACTION_SECONDS, settings.neo4j_timeout * 3)
                  if bulk else None)
    try:
        return await fn(db)
    finally:
        await db.close()


# -- db -------------------------------------------------------------------------------------


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from bzgraph import localdb

    if args.action == "migrate":
        from bzgraph.db import migrate

        count = _run(_with_db(settings, migrate, bulk=True))
        print(f"applied {count} schema statements (all idempotent)")
        return 0
    instance = localdb.instance_for(settings)
    if args.action == "start":
        already = localdb.is_running(instance)
        uri = localdb.start(settings, instance)
        print(f"{'already running' if already else 'started'}: {uri}")
    elif args.action == "stop":
        print("stopped" if localdb.stop(instance) else "not running")
    else:
        print(localdb.status(instance))
        return 0 if localdb.is_running(instance) else 3
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from bzgraph.db import migrate
    from bzgraph.seed import load_seed

    async def go(db: Any) -> dict[str, int]:
        await migrate(db)
        return await load_seed(db)

    summary = _run(_with_db(settings, go, bulk=True))
    print("seeded: " + ", ".join(f"{v} {k}" for k, v in summary.items()))
    return 0


SHUTDOWN_GRACE = 8  # seconds: under the 10 s Docker and Kubernetes give before SIGKILL


class _CancelledAtShutdown(logging.Filter):
    """One line, not a traceback, for a request uvicorn cancels once the shutdown grace is over."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError):
            record.msg, record.args, record.exc_info, record.exc_text = (
                "a request still running when the shutdown grace ended was cancelled", (), None, None)
        return True


# BZGRAPH_LOG_OPERATIONS: the operation log's level (a slow operation's line is at WARNING, others at INFO)
OPERATION_LOG_LEVELS = {"all": logging.INFO, "slow": logging.WARNING, "none": logging.CRITICAL + 1}


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from bzgraph.app import create_app
    from bzgraph.protocol import head_timeout_protocol

    if settings.env == "production" and settings.jwt_secret is None and not settings.jwt_jwks_url:
        print("bzgraph: BZGRAPH_ENV=production: set BZGRAPH_JWT_SECRET (or BZGRAPH_JWT_JWKS_URL for an "
              "identity provider); refusing to serve with a generated secret", file=sys.stderr)
        return 2
    if settings.jwt_secret is None:
        try:  # the development secret, generated once: at start, not as every signed-in request fails
            settings.jwt_secret_value()
        except OSError as exc:
            print(f"bzgraph: cannot keep the development JWT secret in BZGRAPH_STATE_DIR ({settings.state_dir}): "
                  f"{exc.strerror or exc}; choose a writable folder, or set BZGRAPH_JWT_SECRET", file=sys.stderr)
            return 2
    # Our log lines with time, level and source; the driver's own only from warnings up.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.WARNING)
    logging.getLogger("bzgraph.operations").setLevel(OPERATION_LOG_LEVELS[settings.log_operations])
    logging.getLogger("uvicorn.error").addFilter(_CancelledAtShutdown())
    # On SIGTERM, requests still running (or a client still sending its body) get SHUTDOWN_GRACE
    # seconds; a second before it ends those left are answered 503 SERVICE_UNAVAILABLE
    # (bzgraph/shutdown.py), then the server stops cleanly (the driver closed), before an
    # orchestrator's SIGKILL.
    app = create_app(settings, apply_migrations=True)

    class Server(uvicorn.Server):
        """uvicorn's server, also telling the app when a shutdown begins."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            if not self.should_exit:
                app.state.shutdown.begin(answer_after=SHUTDOWN_GRACE - 1)
            super().handle_exit(sig, frame)

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)  # the app started (migrations; the warm-up goes on in the background), the port bound
            for server in self.servers:
                for bound in server.sockets:
                    print(f"bzgraph serving GraphQL at {graphql_url(bound.getsockname())}", flush=True)

    server = Server(uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                                   timeout_graceful_shutdown=SHUTDOWN_GRACE,
                                   http=head_timeout_protocol(settings.header_timeout)))
    server.run()
    return 0 if server.started else 1


def graphql_url(address: tuple[Any, ...]) -> str:
    """The GraphQL URL of a bound address (an IPv6 host in brackets)."""
    host, port = address[0], address[1]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/graphql"


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from graphql import GraphQLError

    from bzgraph.schema import changes_since, sdl

    if args.changes_since is None:
        sys.stdout.write(sdl())
        return 0
    try:
        changes = changes_since(_old_sdl(args.changes_since))
    except (OSError, GraphQLError, TypeError, ValueError) as refused:  # unreadable, or not a schema's SDL
        print(f"bzgraph schema: cannot read the schema at {args.changes_since!r}: {refused}", file=sys.stderr)
        return 2
    for kind, descriptions in (("breaking", changes.breaking), ("dangerous", changes.dangerous)):
        for description in descriptions:
            print(f"{kind}: {description}")
    if not changes.breaking and not changes.dangerous:
        print("no breaking or dangerous changes")
    return 1 if changes.breaking else 0


def _old_sdl(where: str) -> str:
    """The SDL at ``where``: a file, or else ``schema.graphql`` at that git revision of the checkout
    bzgraph runs from (``OSError`` when neither)."""
    path = Path(where)
    if path.is_file():
        return path.read_text(encoding="utf-8")
    shown = subprocess.run(["git", "show", "--end-of-options", f"{where}:schema.graphql"], capture_output=True,
                           text=True, timeout=60, cwd=Path(__file__).resolve().parent.parent)
    if shown.returncode != 0:
        raise OSError(f"neither a file nor a git revision holding schema.graphql ({shown.stderr.strip()})")
    return shown.stdout


def cmd_cypher(args: argparse.Namespace, settings: Settings) -> int:
    from neo4j.exceptions import ClientError, DatabaseError

    from bzgraph import analytics, queries
    from bzgraph.errors import BadUserInput, BzgraphError, ServiceUnavailable

    if args.list or not args.name:
        schema = set(queries.migrations())
        for name, query in queries.all_queries().items():
            if queries.is_support(name) and not args.all:
                continue
            kind = "schema" if query in schema else "write" if query.writes else "read"
            print(f"{name:40} {kind:6} {query.purpose}")
        return 0
    query = queries.get(args.name)
    if query in queries.migrations():
        raise BadUserInput(f"{args.name} is a migration of several statements: `bzgraph db migrate` applies it")
    refusal = f"{args.name} changes the data or ends others' transactions; run it with --write if you mean to"
    # Checked here, not left to the read transaction, which runs TERMINATE TRANSACTIONS; --explain runs nothing.
    if query.writes and not args.write and not args.explain:
        raise BadUserInput(refusal)
    pairs = [_parse_param(p) for p in args.param]
    params = dict(pairs)
    if len(params) < len(pairs):
        twice = sorted({key for key, _ in pairs if [k for k, _ in pairs].count(key) > 1})
        raise BadUserInput(f"--param {', '.join(twice)} is given more than once")
    if args.name.startswith(analytics.PREFIX):
        params = analytics.prepare(args.name, params)  # checked, optional ones filled with null
    else:
        analytics.check_values(args.name, params)

    async def go(db: Any) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        # A read transaction unless --write: the database itself refuses a query that would change data.
        if args.explain or args.profile:
            return await db.execute(lambda tx: tx.plan(args.name, run=args.profile, **params), write=args.write)
        return await (db.write if args.write else db.read)(args.name, **params), None

    try:
        rows, plan = _run(_with_db(settings, go))
    except ClientError as exc:
        if exc.code == "Neo.ClientError.Statement.AccessMode":
            raise BadUserInput(refusal) from exc
        raise BadUserInput(f"{args.name}: {exc.message}") from exc  # parameters that do not fit
    except ServiceUnavailable as exc:
        cause = exc.__cause__
        if isinstance(cause, DatabaseError):  # it refused to run this query (CALL ... IN TRANSACTIONS): say why
            raise BzgraphError(f"{args.name}: {cause.message or cause.code}") from exc
        raise
    if args.json:
        print(json.dumps(rows if plan is None else {"rows": rows, "plan": _plan_tree(plan)},
                         default=str, ensure_ascii=False, indent=2))
        return 0
    if not args.explain:
        _print_table(rows)
    if plan is not None:  # Neo4j's own table of the plan, as cypher-shell prints it
        print(plan.get("args", {}).get("string-representation") or json.dumps(_plan_tree(plan), indent=2))
    return 0


def _plan_tree(plan: dict[str, Any]) -> dict[str, Any]:
    """A plan as the driver gives it, without the text table its root carries (printed apart)."""
    args = {k: v for k, v in plan.get("args", {}).items() if k != "string-representation"}
    return {**plan, "args": args, "children": [_plan_tree(child) for child in plan.get("children", [])]}


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bzgraph.db import migrate
    from bzgraph.ingest.files import UnreadablePaths, expand_paths
    from bzgraph.ingest.load import import_paths
    from bzgraph.ingest.progress import RichProgress

    for option, value in (("--batch-size", args.batch_size), ("--refresh-workers", args.refresh_workers)):
        if value < 1:
            print(f"bzgraph: {option} must be at least 1", file=sys.stderr)
            return 2
    if "-" in args.paths and sys.stdin.isatty():
        print("bzgraph: - reads standard input, which is this terminal: pipe the records in "
              "(curl … | bzgraph import openalex -)", file=sys.stderr)
        return 2
    try:
        expand_paths([Path(p) for p in args.paths])  # a wrong path is said before the database is asked
    except UnreadablePaths as exc:
        print(f"bzgraph: {exc}", file=sys.stderr)
        return 2
    progress = RichProgress(quiet=args.quiet)

    terminated = False

    async def go(db: Any) -> Any:
        # SIGTERM (a service manager, `kill`) stops the import as Ctrl-C does: the work is cancelled where it
        # awaits (a transaction rolled back, the driver closed), never interrupted in the middle of a step.
        task = asyncio.current_task()
        assert task is not None

        def terminate() -> None:
            nonlocal terminated
            terminated = True
            task.cancel()

        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, terminate)
        await migrate(db)
        return await import_paths(db, [Path(p) for p in args.paths], batch_size=args.batch_size,
                                  refresh_workers=args.refresh_workers, progress=progress, rewrite=args.rewrite)

    try:
        summary = _run(_with_db(settings, go, bulk=True))
    except UnreadablePaths as exc:
        print(f"bzgraph: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("bzgraph: import stopped; every batch written so far is kept: run the same command again to resume "
              "(a stream is read again from its start: the records imported already change nothing)", file=sys.stderr)
        return 128 + (signal.SIGTERM if terminated else signal.SIGINT)
    for line in summary.lines():
        print(line)
    return IMPORT_SKIPPED if summary.malformed else 0


# `bzgraph import`'s exit status when it ran to its end but skipped records (malformed, or in a file
# that could not be read whole): what was read is imported, and a script can tell a partial download.
IMPORT_SKIPPED = 3


def _parse_param(raw: str) -> tuple[str, Any]:
    """``key=value``; the value is read as JSON when it parses, else as a string."""
    from bzgraph.errors import BadUserInput
    from bzgraph.queries import parse_param

    parsed = parse_param(raw)
    if parsed is None:
        raise BadUserInput(f"--param takes key=value, got {raw!r}")
    return parsed


def _cell(value: Any) -> Text:
    """A value as the table shows it: plain text (never read as rich markup), other values as JSON,
    control characters written as escapes (they would drive the terminal)."""
    from rich.text import Text

    from bzgraph.text import controls_escaped

    shown = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return Text(controls_escaped(shown))


def _print_table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    if not rows:
        print("(no rows)")
        return
    table = Table()
    for column in rows[0]:
        table.add_column(_cell(column), overflow="fold")  # a value too wide for the terminal wraps, never cut
    for row in rows:
        table.add_row(*(_cell(v) for v in row.values()))
    # Into a pipe or a file, the table is as wide as its values (rich would assume 80 columns).
    console = Console() if sys.stdout.isatty() else Console(width=100_000)
    console.print(table)
    print(f"{len(rows)} row(s)")


def cmd_explore(args: argparse.Namespace, settings: Settings) -> int:
    from bzgraph import neighbours

    if args.pending and args.ids:
        print("bzgraph explore refresh: give ids or --pending, not both", file=sys.stderr)
        return 2

    async def go(db: Any) -> int:
        if args.pending:
            return await neighbours.refresh_marked(db, workers=args.workers)
        if args.ids:
            return await neighbours.refresh_ids(db, args.ids, workers=args.workers)
        return await neighbours.refresh_all(db, workers=args.workers)

    count = _run(_with_db(settings, go, bulk=True))  # a chunk around hubs may take longer than a request
    print(f"refreshed the neighbour lists of {count} node(s)")
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from bzgraph.auth import issue_token

    try:
        token = issue_token(args.sub, args.role, args.ttl, settings, orcid=args.orcid)
    except ValueError as exc:  # the iD's claim is one the token has already
        hint = ": give the iD as --sub" if settings.jwt_orcid_claim == "sub" else ""
        print(f"bzgraph: {exc}{hint}", file=sys.stderr)
        return 2
    if args.orcid is not None and not settings.jwt_orcid_claim:
        print("bzgraph: the server reads the token's `orcid` only with BZGRAPH_JWT_ORCID_CLAIM=orcid", file=sys.stderr)
    print(token)
    return 0


# -- parser ---------------------------------------------------------------------------------


def _orcid(text: str) -> str:
    from bzgraph.identifiers import orcid

    found = orcid(text)
    if found is None:
        raise argparse.ArgumentTypeError("is not an ORCID iD (0000-0000-0000-0000, its check digit valid)")
    return found


def _subject(text: str) -> str:
    from bzgraph.auth import valid_subject

    if not valid_subject(text):
        raise argparse.ArgumentTypeError("must be 1-200 printable characters, without spaces at either end")
    return text


def _token_seconds(text: str) -> int:
    from bzgraph.auth import OWN_TOKEN_MAX_SECONDS

    seconds = _positive_int(text)
    if seconds > OWN_TOKEN_MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be at most {OWN_TOKEN_MAX_SECONDS} ({OWN_TOKEN_MAX_SECONDS // 86_400} days)")
    return seconds


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bzgraph", description="bzgraph: a GraphQL backend for a scholarly knowledge graph on Neo4j. "
                                    "Settings come from BZGRAPH_* environment variables (README).")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="the local Neo4j server: start, stop, status, migrate")
    db.add_argument("action", choices=["start", "stop", "status", "migrate"])
    db.set_defaults(handler=cmd_db)

    seed = sub.add_parser("seed", help="load seeds/ into the database (idempotent)")
    seed.set_defaults(handler=cmd_seed)

    serve = sub.add_parser("serve", help="serve GraphQL over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=cmd_serve)

    schema = sub.add_parser("schema", help="print the GraphQL SDL (equals schema.graphql)")
    schema.add_argument("--changes-since", metavar="FILE_OR_REV",
                        help="instead, list what the schema changed since an older SDL (a file, or else "
                             "schema.graphql at a git revision of the checkout bzgraph runs from) that breaks "
                             "clients or may change what they see; exits 1 when something breaks, 2 when the "
                             "older SDL cannot be read")
    schema.set_defaults(handler=cmd_schema)

    cypher = sub.add_parser("cypher", help="run a named query of cypher/ and print its rows")
    cypher.add_argument("name", nargs="?", help="the query's name: its path under cypher/ without .cypher "
                                                 "(e.g. analytics/top-collaborators); its header says its "
                                                 "parameters")
    cypher.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a query parameter; the value is JSON when it parses")
    cypher.add_argument("--json", action="store_true", help="print rows as JSON")
    cypher.add_argument("--write", action="store_true",
                        help="let a query that changes data run (otherwise it runs read-only and is refused)")
    cypher.add_argument("--list", action="store_true", help="list the named queries")
    cypher.add_argument("--all", action="store_true",
                        help="with --list: the test suite's and the benchmarks' queries too (testing/, bench/)")
    shown = cypher.add_mutually_exclusive_group()
    shown.add_argument("--explain", action="store_true",
                       help="print the query's plan without running it (EXPLAIN: a query that writes needs no --write)")
    shown.add_argument("--profile", action="store_true",
                       help="run the query and print its rows and its plan with each operator's rows and "
                            "database hits (PROFILE)")
    cypher.set_defaults(handler=cmd_cypher)

    importer = sub.add_parser("import", help="import records from an outside source (OpenAlex)")
    importer.add_argument("format", choices=["openalex"])
    importer.add_argument("paths", nargs="+", metavar="PATH",
                          help=".json, .jsonl or .gz files of Work/Author records, folders of them, "
                               "or - for standard input")
    importer.add_argument("--quiet", action="store_true", help="no progress bar (summary only)")
    importer.add_argument("--batch-size", type=int, default=500, metavar="N",
                          help="records per transaction (default 500)")
    importer.add_argument("--refresh-workers", type=int, default=2, metavar="N",
                          help="explore refresh transactions run at a time (default 2)")
    importer.add_argument("--rewrite", action="store_true",
                          help="write also the records whose copy the graph holds already (they are passed over: "
                               "use this once after anything but this version wrote imported data: a hand edit, "
                               "an earlier version of bzgraph)")
    importer.set_defaults(handler=cmd_import)

    explore = sub.add_parser("explore", help="the ranked neighbour lists explore reads (docs/explore.md)")
    # `refresh` a command of its own, so that its options may come before its ids
    refresh = explore.add_subparsers(dest="action", required=True, metavar="{refresh}").add_parser(
        "refresh", help="rebuild the neighbour lists of every node, of some, or of those an import left marked")
    refresh.add_argument("ids", nargs="*", metavar="ID", help="nodes to refresh (default: every node)")
    refresh.add_argument("--pending", action="store_true",
                         help="only the nodes an interrupted import left marked, as its rerun would")
    refresh.add_argument("--workers", type=_positive_int, default=2, metavar="N",
                         help="refresh transactions run at a time (default 2)")
    refresh.set_defaults(handler=cmd_explore)

    token = sub.add_parser("token", help="print a signed token for local use")
    token.add_argument("--sub", required=True, type=_subject, help="the account (token subject)")
    token.add_argument("--role", action="append", default=[], choices=["moderator"])
    token.add_argument("--ttl", type=_token_seconds, default=3600,
                       help="seconds until it expires (at most 30 days: the server refuses longer-lived tokens)")
    token.add_argument("--orcid", type=_orcid, metavar="ID",
                       help="an ORCID iD the account holds, as an identity provider that verified it would say "
                            "(BZGRAPH_JWT_ORCID_CLAIM)")
    token.set_defaults(handler=cmd_token)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from bzgraph.errors import BzgraphError
    from bzgraph.localdb import LocalDbError
    from bzgraph.queries import QueriesNotFound, UnknownQuery

    if args.handler is not cmd_serve:
        # The driver logs every retry (warnings) and every connection lost mid-command (errors)
        # while the database is away; a command's answer to an outage is its one SERVICE_UNAVAILABLE
        # line. The server keeps them for its log.
        logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    try:
        settings = get_settings()
        return args.handler(args, settings)
    except (SettingsError, LocalDbError) as exc:
        print(f"bzgraph: {exc}", file=sys.stderr)
        return 2
    except BzgraphError as exc:
        print(f"bzgraph: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    except (UnknownQuery, QueriesNotFound) as exc:  # a query that is not there
        print(f"bzgraph: {exc.args[0]}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`bzgraph cypher ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Provision and run a local Neo4j 5.26 Community server for ``bzgraph db``.

The jars come from Maven Central through ``neo4j/pom.xml``; each instance keeps its
configuration, data and logs under ``<state_dir>/neo4j/<instance>/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from bzgraph.settings import PROJECT_ROOT, Settings, secret_file

POM = PROJECT_ROOT / "neo4j" / "pom.xml"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class LocalDbError(Exception):
    """Something stops the local server; the message says what to do."""


@dataclass(frozen=True)
class Instance:
    """One local server: where it lives and where it listens."""

    home: Path
    lib: Path
    host: str
    port: int
    heap: str
    pagecache: str
    transaction_memory: str | None = None

    @property
    def uri(self) -> str:
        return f"bolt://{self.host}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "bzgraph-neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"


def instance_for(settings: Settings) -> Instance:
    """The local instance that ``settings.neo4j_uri`` points at."""
    url = urlparse(settings.neo4j_uri)
    host = url.hostname or "127.0.0.1"
    if host not in LOOPBACK:
        raise LocalDbError(
            f"BZGRAPH_NEO4J_URI points at {host}; `bzgraph db` only runs a server on loopback"
        )
    root = settings.state_dir / "neo4j"
    return Instance(
        home=root / settings.db_instance,
        lib=root / "lib",
        host="127.0.0.1" if host == "localhost" else host,
        port=url.port or 7687,
        heap=settings.db_heap,
        pagecache=settings.db_pagecache,
        transaction_memory=settings.db_transaction_memory,
    )


# -- provisioning -------------------------------------------------------------------------


def _require(tool: str, what: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise LocalDbError(f"`{tool}` not found: install {what} (e.g. `apt-get install {what}`)")
    return path


def ensure_jars(instance: Instance) -> None:
    """Copy the Neo4j server jars from Maven Central once (a marker records the pom used)."""
    _require("java", "openjdk-17-jre-headless")
    marker = instance.lib / ".pom"
    pom = POM.read_text()
    if marker.exists() and marker.read_text() == pom:
        return
    mvn = _require("mvn", "maven")
    if instance.lib.exists():
        shutil.rmtree(instance.lib)
    instance.lib.mkdir(parents=True)
    print(f"fetching Neo4j from Maven Central into {instance.lib} (once)...", flush=True)
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
         f"-DoutputDirectory={instance.lib}", "-DincludeScope=runtime"],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise LocalDbError(f"Maven could not fetch Neo4j:\n{tail}")
    marker.write_text(pom)


def _write_config(instance: Instance) -> Path:
    conf = instance.home / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "neo4j.conf").write_text(
        "\n".join([
            "# written by `bzgraph db start`; edit BZGRAPH_DB_* settings instead",
            f"server.default_listen_address={instance.host}",
            f"server.default_advertised_address={instance.host}",
            f"server.bolt.listen_address={instance.host}:{instance.port}",
            "server.bolt.enabled=true",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            f"server.memory.heap.initial_size={instance.heap}",
            f"server.memory.heap.max_size={instance.heap}",
            f"server.memory.pagecache.size={instance.pagecache}",
            "db.transaction.timeout=300s",
            "server.directories.import=import",
            "dbms.security.allow_csv_import_from_file_urls=true",
            "server.bolt.connection_keep_alive_for_requests=OFF",
            *([f"db.memory.transaction.max={instance.transaction_memory}"] if instance.transaction_memory else []),
            "",
        ])
    )
    return conf


def _java_env(instance: Instance, conf: Path) -> dict[str, str]:
    return {**os.environ, "NEO4J_HOME": str(instance.home), "NEO4J_CONF": str(conf)}


def admin(instance: Instance, *args: str) -> str:
    """Run ``neo4j-admin`` (the AdminTool from the same jars) on the instance; return its output."""
    ensure_jars(instance)
    conf = _write_config(instance)
    result = subprocess.run(
        ["java", "-cp", f"{instance.lib}/*", ADMIN_TOOL, *args],
        env=_java_env(instance, conf), capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise LocalDbError(f"neo4j-admin {args[0]} failed: {(result.stdout + result.stderr).strip()[-800:]}")
    return result.stdout


def _set_initial_password(instance: Instance, conf: Path, password: str) -> None:
    admin(instance, "dbms", "set-initial-password", password)


# -- running ------------------------------------------------------------------------------


def _read_pid(instance: Instance) -> int | None:
    try:
        pid = int(instance.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_our_server(pid) else None


def _is_our_server(pid: int) -> bool:
    """True while ``pid`` is a live (not zombie) process of a Java launcher or our server."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
        return False
    # The Java launcher may re-exec itself while starting; accept it as long as it is java.
    return ENTRY_POINT.encode() in cmdline or cmdline.startswith(b"java") or b"/java\0" in cmdline


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _bolt_answers(instance: Instance, password: str) -> bool:
    from neo4j import GraphDatabase
    from neo4j.exceptions import Neo4jError, ServiceUnavailable, DriverError

    try:
        with GraphDatabase.driver(instance.uri, auth=("neo4j", password),
                                  connection_timeout=2) as driver:
            driver.verify_connectivity()
        return True
    except (ServiceUnavailable, DriverError, Neo4jError, OSError):
        return False


def _running_as(instance: Instance) -> Instance:
    """The instance as its server was started: listening where its written configuration says,
    which is not where the settings point when ``BZGRAPH_NEO4J_URI`` changed since."""
    try:
        lines = (instance.home / "conf" / "neo4j.conf").read_text().splitlines()
    except OSError:
        return instance
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() == "server.bolt.listen_address":
            host, _, port = value.strip().rpartition(":")
            if host and port.isdigit():
                return replace(instance, host=host, port=int(port))
    return instance


def _elsewhere(running: Instance, instance: Instance) -> str:
    return (f"instance '{instance.home.name}' runs on {running.uri}, not on {instance.uri} where "
            f"BZGRAPH_NEO4J_URI points: set BZGRAPH_NEO4J_URI={running.uri}, or `bzgraph db stop` it first")


def status(instance: Instance) -> str:
    """A one-line description of the instance (where it really listens, when it runs)."""
    pid = _read_pid(instance)
    if pid is None:
        return f"stopped ({instance.uri}, home {instance.home})"
    running = _running_as(instance)
    state = "running" if _port_open(running.host, running.port) else "starting"
    line = f"{state} (pid {pid}, {running.uri}, home {instance.home})"
    return line if running.uri == instance.uri else f"{line}; {_elsewhere(running, instance)}"


def is_running(instance: Instance) -> bool:
    return _read_pid(instance) is not None


def start(settings: Settings, instance: Instance, timeout: float = 180.0) -> str:
    """Start the instance unless it runs already; return its Bolt URI once Bolt answers."""
    password = settings.neo4j_password_value() if (
        settings.neo4j_password or settings.password_file.exists()) else None
    pid = _read_pid(instance)
    proc: subprocess.Popen[bytes] | None = None
    if pid is not None and (running := _running_as(instance)).uri != instance.uri:
        raise LocalDbError(_elsewhere(running, instance))
    if pid is None:
        if _port_open(instance.host, instance.port):
            raise LocalDbError(
                f"port {instance.port} on {instance.host} is already taken by another program; "
                "stop it or choose another port in BZGRAPH_NEO4J_URI"
            )
        ensure_jars(instance)
        conf = _write_config(instance)
        for sub in ("data", "logs", "run", "import"):
            (instance.home / sub).mkdir(parents=True, exist_ok=True)
        if password is None:
            import secrets

            password = secret_file(settings.password_file, secrets.token_urlsafe(18))
        if not (instance.home / "data" / "dbms" / "auth.ini").exists() and not (
            instance.home / "data" / "databases" / "system").exists():
            _set_initial_password(instance, conf, password)
        with instance.console_log.open("ab") as log:
            proc = subprocess.Popen(
                ["java", f"-Xms{instance.heap}", f"-Xmx{instance.heap}", "-XX:+UseG1GC",
                 "-Dfile.encoding=UTF-8", "-cp", f"{instance.lib}/*", ENTRY_POINT,
                 f"--home-dir={instance.home}", f"--config-dir={conf}"],
                env=_java_env(instance, conf), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        instance.pid_file.write_text(str(proc.pid))
        pid = proc.pid
    assert password is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # While the java launcher re-execs itself /proc may not show it: ask the Popen we hold.
        exited = proc.poll() is not None if proc is not None else _read_pid(instance) is None
        if exited:
            tail = _tail(instance.console_log) or _tail(instance.home / "logs" / "neo4j.log")
            raise LocalDbError(f"Neo4j exited while starting; last log lines:\n{tail}")
        if _port_open(instance.host, instance.port) and _bolt_answers(instance, password):
            return instance.uri
        time.sleep(0.5)
    raise LocalDbError(f"Neo4j did not answer on {instance.uri} within {timeout:.0f}s "
                       f"(pid {pid}); see {instance.home / 'logs'}")


def stop(instance: Instance, timeout: float = 60.0) -> bool:
    """Stop the instance gracefully (SIGTERM, then SIGKILL after ``timeout``). True if it ran."""
    pid = _read_pid(instance)
    if pid is None:
        instance.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _read_pid(instance) is not None:
        time.sleep(0.2)
    if _read_pid(instance) is not None:
        os.kill(pid, signal.SIGKILL)
        while _read_pid(instance) is not None:
            time.sleep(0.1)
    instance.pid_file.unlink(missing_ok=True)
    return True


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""

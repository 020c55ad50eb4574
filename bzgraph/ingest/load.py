"""Batched, idempotent, resumable writes of OpenAlex records, with progress and a summary.

Records read by :mod:`bzgraph.ingest.files` (``.json``, ``.jsonl`` and ``.gz`` files, folders of
them, standard input) are mapped by :mod:`bzgraph.ingest.openalex`, grouped into batches and written
one batch per transaction with the named queries ``cypher/ingest/*`` (UNWIND over parameters). The
same transaction refreshes the derived counts and the trust of what it touched (trust is never stale,
not even during an import), marks it for an explore refresh (done once per node at the end) and
records a per-file checkpoint, so an interrupted import resumes after the last committed batch. A
malformed record is reported and skipped before anything of it is written; a copy the graph holds
already is passed over (:func:`fingerprint`).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import orjson

from bzgraph import neighbours, queries
from bzgraph.db import PROBE_INTERVAL, Database, Tx, decided
from bzgraph.errors import ServiceUnavailable
from bzgraph.ingest.files import InputFile, Item, expand_paths, read_items
from bzgraph.ingest.openalex import MalformedRecord, Rows, map_record
from bzgraph.neighbours import refresh_marked
from bzgraph.text import REMOVED_AT_IMPORT

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """A malformed record: where it is and why it was skipped."""

    path: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.where}: {self.reason}"


@dataclass
class Summary:
    """What an import did: records read and skipped, nodes and relationships created/updated/deleted."""

    records: int = 0
    works: int = 0
    authors: int = 0
    resumed: int = 0
    superseded: int = 0  # copies of a work or Author record left out: a newer copy was imported
    unchanged: int = 0  # records left out: the graph holds this very copy, imported by this importer
    malformed: int = 0
    batches: int = 0
    seconds: float = 0.0
    refresh_seconds: float = 0.0  # of which: the explore refresh after the batches
    refreshed: int = 0
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def add_counts(self, counts: list[dict[str, Any]]) -> None:
        for item in counts:
            self.created[item["kind"]] += item.get("created", 0)
            self.updated[item["kind"]] += item.get("updated", 0)
            self.deleted[item["kind"]] += item.get("deleted", 0) or 0

    def total(self, counter: Counter[str], nodes: bool) -> int:
        return sum(v for k, v in counter.items() if k[0].isupper() and (k[1].islower() == nodes))

    @property
    def relationships_written(self) -> int:
        return self.total(self.created, nodes=False) + self.total(self.updated, nodes=False)

    def lines(self) -> list[str]:
        rate = self.records / self.seconds if self.seconds else 0.0
        return [f"records: {self.records} read ({self.works} works, {self.authors} authors), "
                f"{self.malformed} malformed and skipped, {self.resumed} skipped as already imported, "
                f"{self.superseded} superseded by a newer copy of the same record, "
                f"{self.unchanged} unchanged (the graph holds the same copy); "
                f"{self.seconds:.1f}s in all ({rate:.0f} records/s): {self.batches} batches in "
                f"{self.seconds - self.refresh_seconds:.1f}s, then explore lists refreshed for {self.refreshed} "
                f"nodes in {self.refresh_seconds:.1f}s",
                f"nodes: {self.total(self.created, True)} created, {self.total(self.updated, True)} updated, "
                f"{self.total(self.deleted, True)} deleted", *self._per_kind(nodes=True),
                f"relationships: {self.total(self.created, False)} created, "
                f"{self.total(self.updated, False)} updated, {self.total(self.deleted, False)} deleted",
                *self._per_kind(nodes=False)]

    def _per_kind(self, nodes: bool) -> list[str]:
        """One line per node label (``nodes``) or relationship type: +created ~updated -deleted."""
        kinds = sorted(k for k in set(self.created) | set(self.updated) | set(self.deleted)
                       if k[0].isupper() and k[1].islower() == nodes)
        return [f"  {k}: +{self.created[k]} ~{self.updated[k]}" + (f" -{self.deleted[k]}" if self.deleted[k] else "")
                for k in kinds]


def _map(record: Any) -> Rows:
    """:func:`map_record`, with the record's :func:`fingerprint` added to its row (the work's, or the
    Author record's researcher's); a record of a shape the mapping does not expect (a ``TypeError`` deep
    inside, say) is malformed too: one odd record must not stop the import, nor every rerun of it."""
    try:
        rows = map_record(record)
        digest = fingerprint(rows)
    except MalformedRecord:
        raise
    except (TypeError, AttributeError, ValueError, KeyError, IndexError, RecursionError) as exc:
        raise MalformedRecord(f"unexpected shape ({type(exc).__name__}: {exc})") from exc
    for row in _records(rows):
        row["hash"] = digest
    return rows


# The queries that write what a record's rows say, and what follows from them (trust, explore lists); with
# write_batch, they decide the graph a record gives.
WRITERS = ("ingest/versions", "ingest/entities", "ingest/researchers", "ingest/works", "ingest/citations",
           "ingest/affiliations", "ingest/orphans", "ingest/derived", "trust/recompute", "ingest/mark-pending",
           "explore/refresh")


@cache
def importer() -> bytes:
    """A digest of what turns rows into the graph (:data:`WRITERS`, :class:`Batch` and
    :func:`write_batch`): an upgrade that writes rows differently writes every record again, though
    its rows are the same; one that changes, say, the summary's wording does not."""
    digest = hashlib.blake2b(digest_size=16)
    for code in (Batch, _records, _add_researcher, write_batch):
        digest.update(inspect.getsource(code).encode())
    for name in WRITERS:
        digest.update(queries.get(name).text.encode())
    digest.update(repr(REMOVED_AT_IMPORT).encode())  # a parameter of the writers
    return digest.digest()


def fingerprint(rows: Rows) -> str:
    """What a record gives the graph, as a short digest: its mapped rows (every value the record
    contributes, its version included) and :func:`importer`. A copy whose fingerprint the graph holds
    (``importHash``, ``recordHash``) is passed over: written again, it would change nothing."""
    data = orjson.dumps(rows, option=orjson.OPT_SORT_KEYS)  # a dataclass: its fields in their order
    return hashlib.blake2b(data, digest_size=16, key=importer()).hexdigest()


# -- batching -------------------------------------------------------------------------------


class Batch:
    """Mapped records in record order: the parameters of one transaction.

    Where copies of a work or an Author record meet, in the batch or against the graph, the newest
    wins (OpenAlex's ``updated_date``, ``openalex.record_version``; of copies with the same one, the
    one imported last): any other copy contributes nothing. A venue, topic, institution or author
    named in several records takes its properties from the newest of them (``openalex.versioned``).
    """

    def __init__(self) -> None:
        self.entries: list[Rows] = []
        self.positions: dict[InputFile, int] = {}
        self.records = 0

    def add(self, rows: Rows) -> None:
        self.entries.append(rows)

    def mark(self, item: Item) -> None:
        self.positions[item.source] = item.ordinal + 1

    @property
    def work_ids(self) -> list[str]:
        return list(dict.fromkeys(w["id"] for rows in self.entries for w in rows.works))

    @property
    def author_ids(self) -> list[str]:
        """The researchers of the batch's Author records."""
        return list(dict.fromkeys(r["id"] for rows in self.entries for r in rows.researchers if r["authoritative"]))

    def params(self, stored: dict[str, tuple[str, str | None]] | None = None) -> dict[str, Any]:
        """The merged rows, without the copies of works and Author records that a newer copy
        supersedes: one in the batch, or the one the graph holds (``stored``: id -> version and
        fingerprint), nor those the graph holds already (the same :func:`fingerprint`)."""
        stored = stored or {}
        taken: dict[str, tuple[str, int]] = {id_: (version, -1) for id_, (version, _) in stored.items()}
        for index, rows in enumerate(self.entries):
            for record in _records(rows):
                if record["version"] >= taken.get(record["id"], ("", -1))[0]:
                    taken[record["id"]] = (record["version"], index)  # the newest, and the last of those
        # the copy taken is the one the graph holds: it gives nothing new, not even its ORCIDs
        held = {index for index, rows in enumerate(self.entries)
                if all(stored.get(r["id"]) == (r["version"], r.get("hash")) and taken[r["id"]][1] == index
                       for r in _records(rows))}
        for index in held:
            for record in _records(self.entries[index]):
                taken[record["id"]] = (record["version"], -1)
        entities: dict[str, dict[str, dict[str, Any]]] = {"sources": {}, "topics": {}, "institutions": {}}
        works: dict[str, dict[str, Any]] = {}
        researchers: dict[str, dict[str, Any]] = {}
        orcids: dict[str, dict[str, Any]] = {}
        superseded = unchanged = 0
        for index, rows in enumerate(self.entries):
            if index in held:
                unchanged += 1
                continue
            for row in rows.researchers:  # any copy of a work, superseded or not, may tell an author's ORCID
                if not row["authoritative"] and row["orcid"] and row["version"] >= orcids.get(row["id"], {"version": ""})["version"]:
                    orcids[row["id"]] = {"id": row["id"], "orcid": row["orcid"], "version": row["version"]}
            if any(taken[record["id"]][1] != index for record in _records(rows)):
                superseded += 1
                continue  # a superseded copy: it contributes nothing else
            for name, target in entities.items():
                for row in getattr(rows, name):
                    if row["id"] not in target or row["version"] >= target[row["id"]]["version"]:
                        target[row["id"]] = row
            for work in rows.works:
                works.pop(work["id"], None)  # keep record order: the copy taken goes last
                works[work["id"]] = work
            for row in rows.researchers:
                _add_researcher(researchers, row, rows.affiliations if row["authoritative"] else [])
        return {
            **{name: list(rows.values()) for name, rows in entities.items()},
            "researchers": list(researchers.values()),
            "orcids": list(orcids.values()),
            "works": list(works.values()),
            "superseded": superseded,  # copies a newer one (or a later one of the same date) replaced
            "unchanged": unchanged,  # copies the graph holds already
        }


def _records(rows: Rows) -> list[dict[str, Any]]:
    """The record ``rows`` were mapped from: its work, or its Author record's researcher."""
    return rows.works or [r for r in rows.researchers if r["authoritative"]]


def _add_researcher(researchers: dict[str, dict[str, Any]], row: dict[str, Any],
                    affiliations: list[dict[str, Any]]) -> None:
    """Merge ``row`` into the batch's researcher: every spelling of the name, and the newest copy
    of each kind of source (an Author record, with its affiliations; the author lists of works)."""
    known = researchers.setdefault(row["id"], {"id": row["id"], "names": [], "record": None, "seen": None})
    known["names"] += [n for n in row["names"] if n not in known["names"]]
    kind = "record" if row["authoritative"] else "seen"
    if known[kind] is None or row["version"] >= known[kind]["version"]:
        known[kind] = {"name": row["name"], "key": row["nameKey"], "orcid": row["orcid"], "version": row["version"],
                       "hash": row.get("hash"),
                       "affiliations": [{"institution": a["institution"], "years": a["years"]}
                                        for a in affiliations if a["researcher"] == row["id"]]}


async def write_batch(db: Database, batch: Batch, summary: Summary, *, rewrite: bool = False) -> None:
    """Write one batch, its derived counts, its researchers' trust, explore marks and checkpoints in
    one transaction (which holds the locks of what it wrote, so trust reads only committed signals);
    ``rewrite``: also the records the graph holds already."""
    checkpoints = [{"key": s.key, "path": str(s.path), "position": pos} for s, pos in batch.positions.items()
                   if not s.is_stream]

    async def work(tx: Tx) -> tuple[list[list[dict[str, Any]]], int, int]:
        stored = (await tx.run("ingest/versions", works=batch.work_ids, authors=batch.author_ids))[0]
        # rewrite: every copy as if the graph held none of them (the newest still wins)
        p = batch.params({v["id"]: (v["version"], None if rewrite else v["hash"]) for v in stored["works"] + stored["authors"]})
        if not any(p[rows] for rows in ("sources", "topics", "institutions", "researchers", "orcids", "works")):
            # every copy passed over or superseded (importing the same files again): nothing to write or follow up
            await tx.run("ingest/checkpoint-save", files=checkpoints)
            return [], p["superseded"], p["unchanged"]
        counts = []
        counts.append((await tx.run("ingest/entities", sources=p["sources"], topics=p["topics"],
                                    institutions=p["institutions"], removed=REMOVED_AT_IMPORT))[0]["counts"])
        counts.append((await tx.run("ingest/researchers", researchers=p["researchers"], orcids=p["orcids"],
                                    removed=REMOVED_AT_IMPORT))[0]["counts"])
        written = (await tx.run("ingest/works", works=p["works"]))[0] if p["works"] else None
        stale_researchers: list[str] = []
        stale_topics: list[str] = []
        stale_sources: list[str] = []
        uncited: list[str] = []
        if written is not None:
            counts.append(written["counts"])
            stale_researchers, stale_topics = written["staleResearchers"], written["staleTopics"]
            stale_sources = written["staleSources"]
            refs = [{"id": w["id"], "references": w["references"]} for w in p["works"]]
            cited = (await tx.run("ingest/citations", works=refs))[0]
            counts.append(cited["counts"])
            uncited = cited["uncited"]
        researchers = sorted({r["id"] for r in p["researchers"]} | set(stale_researchers))
        records = [{"researcher": r["id"], "version": r["record"]["version"], "affiliations": r["record"]["affiliations"]}
                   for r in p["researchers"] if r["record"] is not None]
        affiliated = (await tx.run("ingest/affiliations", records=records, researchers=researchers))[0]
        counts.append(affiliated["counts"])
        orphans = (await tx.run("ingest/orphans", researchers=stale_researchers, sources=stale_sources,
                                topics=stale_topics, institutions=affiliated["institutions"]))[0]
        counts.append(orphans["counts"])
        gone = set(orphans["deleted"])
        researchers = [r for r in researchers if r not in gone]
        topics = sorted(({t["id"] for t in p["topics"]} | set(stale_topics)) - gone)
        institutions = sorted(({i["id"] for i in p["institutions"]} | set(affiliated["institutions"])) - gone)
        await tx.run("ingest/derived", researchers=researchers, topics=topics, institutions=institutions)
        # a researcher's signals are its own edges, and its ORCID (which an older copy of a work may give)
        await tx.run("trust/recompute", ids=sorted(set(researchers) | ({o["id"] for o in p["orcids"]} - gone)))
        works = [w["id"] for w in p["works"]]
        await tx.run("ingest/mark-pending", ids=researchers + topics + institutions + works + uncited)
        await tx.run("ingest/checkpoint-save", files=checkpoints)
        return counts, p["superseded"], p["unchanged"]

    counted, superseded, unchanged = await db.execute(work, write=True)
    for counts in counted:
        summary.add_counts(counts)
    summary.superseded += superseded
    summary.unchanged += unchanged
    summary.batches += 1


# -- the import -----------------------------------------------------------------------------


class Progress:
    """What the importer reports as it goes; the CLI shows it as a rich progress bar."""

    def start(self, total_bytes: int | None) -> None: ...  # None: a stream of unknown size
    def advance(self, nbytes: int, records: int) -> None: ...
    def problem(self, problem: Problem) -> None: ...
    def note(self, text: str) -> None: ...  # what the import is waiting for
    def stop(self) -> None: ...


# How long an import waits for a database lost (or too busy) in its middle to answer again, asking it once a
# second, before it stops (run it again to resume). Each write waits this long at most.
RECONNECT_SECONDS = 120.0


async def until_written(db: Database, write: Callable[[], Awaitable[T]], progress: Progress) -> T:
    """``write()``; when it fails with ``SERVICE_UNAVAILABLE`` because the database is lost, restarting
    or too busy (not for what the database decided, :func:`~bzgraph.db.decided`), the same write again
    once the database answers, for up to :data:`RECONNECT_SECONDS`. Every write of an import may be done
    twice: a batch is committed whole or not at all, and written again it gives the same graph; the
    explore refresh and the checkpoints' clearing go on from where they are."""
    loop = asyncio.get_running_loop()
    gives_up: float | None = None
    while True:
        try:
            return await write()
        except ServiceUnavailable as exc:
            gives_up = gives_up or loop.time() + RECONNECT_SECONDS
            if decided(exc) or loop.time() >= gives_up:  # refused credentials, an operator's TERMINATE: not waited out
                raise
            progress.note(f"{exc.message}: trying again once the database answers "
                          f"(for up to {RECONNECT_SECONDS:.0f} s; Ctrl-C stops, and a run again resumes)")
            while not await db.ping():
                if loop.time() >= gives_up:
                    raise
                await asyncio.sleep(PROBE_INTERVAL)
            progress.note("the database answers: going on")


@dataclass
class _Read:
    """A batch read and mapped, with what reading it found (tallied into the summary when written)."""

    batch: Batch = field(default_factory=Batch)
    nbytes: int = 0
    problems: list[Problem] = field(default_factory=list)
    tally: Counter[str] = field(default_factory=Counter)


def _read_batches(sources: list[InputFile], skips: dict[InputFile, int], batch_size: int) -> Iterator[_Read]:
    """The batches of ``sources`` in order, skipping the records checkpoints mark as imported."""
    read = _Read()

    def on_bytes(n: int) -> None:
        read.nbytes += n

    for source in sources:
        skip = skips[source]
        for item in read_items(source, on_bytes):
            if item.ordinal < skip:
                read.tally["resumed"] += 1
                continue
            read.tally["records"] += 1
            read.batch.mark(item)
            try:
                if item.problem is not None:
                    raise MalformedRecord(item.problem)
                rows = _map(item.record)
            except MalformedRecord as exc:
                read.problems.append(Problem(source.name, item.where, str(exc)))
                read.tally["malformed"] += 1
                continue
            read.tally["works" if rows.works else "authors"] += 1
            read.batch.add(rows)
            read.batch.records += 1
            if read.batch.records >= batch_size:
                yield read
                read = _Read()
    yield read


def _in_thread(function: Callable[[], T]) -> asyncio.Future[T]:
    """``function()`` in a daemon thread of its own: a read waiting on a pipe never holds up the
    process's end (the threads of an executor are waited for: Ctrl-C waited for the pipe's writer)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: Any, failed: bool) -> None:
        if not future.done():
            (future.set_exception if failed else future.set_result)(value)

    def run() -> None:
        try:
            outcome: Any = function()
            failed = False
        except BaseException as exc:  # handed to the awaiting task, as an executor would
            outcome, failed = exc, True
        try:
            loop.call_soon_threadsafe(settle, outcome, failed)
        except RuntimeError:  # the loop is closed: nobody awaits it any more
            pass

    threading.Thread(target=run, name="bzgraph-import-read", daemon=True).start()
    return future


async def import_paths(db: Database, paths: list[Path], *, batch_size: int = 500,
                       refresh_workers: int = neighbours.WORKERS, refresh_chunk: int = neighbours.CHUNK,
                       progress: Progress | None = None, rewrite: bool = False) -> Summary:
    """Import every record of ``paths``; resume files an interrupted run left half done.

    The next batch is read and mapped in a thread of its own while the current one is written; the
    final refresh runs ``refresh_workers`` transactions of ``refresh_chunk`` nodes at a time.
    ``rewrite``: write also the records whose copy the graph holds already (after anything but this
    version wrote imported data)."""
    progress = progress or Progress()
    sources = expand_paths(paths)
    keys = {s: key for s in sources if (key := s.key) is not None}
    done = {row["key"]: row["position"]
            for row in await db.read("ingest/checkpoint-load", keys=list(keys.values()))}
    summary = Summary()
    started = time.perf_counter()
    sizes = [s.size for s in sources]
    progress.start(None if None in sizes else sum(size or 0 for size in sizes))
    reader = _read_batches(sources, {s: done.get(keys.get(s), 0) for s in sources}, batch_size)
    try:
        ahead = _in_thread(lambda: next(reader, None))
        while (read := await ahead) is not None:
            ahead = _in_thread(lambda: next(reader, None))
            for name, value in read.tally.items():
                setattr(summary, name, getattr(summary, name) + value)
            summary.problems += read.problems
            for problem in read.problems:
                progress.problem(problem)
            if read.batch.records or read.batch.positions:
                batch = read.batch
                await until_written(db, lambda: write_batch(db, batch, summary, rewrite=rewrite), progress)
            progress.advance(read.nbytes, read.batch.records)
        refresh_started = time.perf_counter()
        summary.refreshed = await until_written(
            db, lambda: refresh_marked(db, chunk=refresh_chunk, workers=refresh_workers), progress)
        summary.refresh_seconds = time.perf_counter() - refresh_started
        await until_written(db, lambda: db.write("ingest/checkpoint-clear", keys=list(keys.values())), progress)
    finally:
        progress.stop()
        summary.seconds = time.perf_counter() - started
    return summary

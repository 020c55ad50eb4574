"""What an import reads: files, folders, streams and the JSON documents in them, as located records.

``.jsonl`` (and ``.gz``) inputs hold one JSON value per line, ``.json`` inputs one document; a stream
(standard input, a pipe) is read as lines unless its first line is a bracket alone. Each record comes with
its place (``line 3 results[0]``), or with the reason it cannot be read: one bad line or record never stops
the rest (:func:`read_items`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import re
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from bzgraph.ingest.openalex import MalformedRecord, records_of
from bzgraph.text import is_unicode, scalars

BOM = b"\xef\xbb\xbf"  # the UTF-8 byte order mark some tools write first
SUFFIXES = (".json", ".jsonl", ".gz")
STDIN = Path("-")  # the path that names standard input
GZIP_MAGIC = b"\x1f\x8b"


class UnreadablePaths(Exception):
    """The paths given cannot be imported as they are (nothing is read)."""


@dataclass(frozen=True)
class InputFile:
    """One input: a file, with the key its checkpoint is stored under, or a stream (standard input
    given as ``-``, or a pipe such as ``<(zcat …)``), read once from its start."""

    path: Path

    @property
    def is_stream(self) -> bool:
        """Standard input or a pipe: it has no size, and it cannot be read again, so it has no
        checkpoint (an interrupted import of it is run again whole, which the import allows)."""
        return self.path == STDIN or not self.path.is_file()

    @property
    def key(self) -> str | None:
        if self.is_stream:
            return None
        stat = self.path.stat()
        ident = f"{self.path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        return hashlib.sha256(ident.encode()).hexdigest()[:32]

    @property
    def size(self) -> int | None:
        return None if self.is_stream else self.path.stat().st_size

    @property
    def name(self) -> str:
        """The name problems are reported under."""
        return "<stdin>" if self.path == STDIN else str(self.path)

    @property
    def is_document(self) -> bool:
        """A ``.json`` file holds one JSON document; anything else is one JSON value per line (a
        stream is read as lines unless its first line is a bracket alone: see :func:`read_items`)."""
        name = self.path.name.lower().removesuffix(".gz")
        return not self.is_stream and name.endswith(".json")


def expand_paths(paths: list[Path]) -> list[InputFile]:
    """The inputs to read: the paths given, standard input for ``-``, and the importable files
    inside folders, in name order."""
    sources: list[InputFile] = []
    if paths.count(STDIN) > 1:
        raise UnreadablePaths("standard input (-) can be read only once: give it once")
    for path in paths:
        if path == STDIN:
            sources.append(InputFile(path))
        elif path.is_dir():
            found = [InputFile(p) for p in sorted(path.rglob("*")) if p.is_file() and p.name.lower().endswith(SUFFIXES)]
            if not found:
                raise UnreadablePaths(f"no {', '.join(SUFFIXES)} file in the folder {path} (OpenAlex's JSON records: "
                                      "other formats, such as Parquet or CSV, are not read)")
            sources += found
        elif path.is_file() or path.is_fifo() or path.is_char_device():  # a pipe: <(zcat …), /dev/stdin
            sources.append(InputFile(path))
        else:
            raise UnreadablePaths(f"no such file or folder: {path}")
    return sources


@dataclass(frozen=True)
class Item:
    """One record (or the reason it cannot be read) with its position in its file."""

    source: InputFile
    ordinal: int
    where: str
    record: Any = None
    problem: str | None = None


class _Counted(io.RawIOBase):
    """A binary input that counts the bytes read from it, for the progress bar (a pipe cannot say
    where it is), and can be looked into before it is read (:meth:`head`)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._head = b""  # read by head() and not given out yet
        self.count = 0

    def readable(self) -> bool:
        return True

    def _read(self, size: int) -> bytes:
        read = getattr(self._raw, "read1", self._raw.read)  # what is there, without waiting for more
        data = read(size)
        self.count += len(data)
        return data

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes (fewer at the end of the input), waiting for them as a pipe
        delivers them; reading then starts with them."""
        while len(self._head) < size and (data := self._read(size - len(self._head))):
            self._head += data
        return self._head[:size]

    def readinto(self, buffer: Any) -> int:
        if self._head:
            data, self._head = self._head[:len(buffer)], self._head[len(buffer):]
        else:
            data = self._read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _decompressed(source: InputFile, counted: _Counted) -> io.BufferedIOBase:
    """The input, gunzipped if it is a ``.gz`` file or a stream that starts as gzip does."""
    gzipped = source.path.name.lower().endswith(".gz") or (source.is_stream and counted.head(2) == GZIP_MAGIC)
    buffered = io.BufferedReader(counted, buffer_size=1 << 16)
    return gzip.GzipFile(fileobj=buffered) if gzipped else buffered


def _parse(data: bytes) -> Any:
    """One JSON value; ``ValueError`` saying "not UTF-8" or "invalid JSON" and why. A UTF-8 byte
    order mark before it is passed over, as JSON readers may."""
    data = data.removeprefix(BOM)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as undecodable:
            raise ValueError(f"not UTF-8: {undecodable}") from None
        raise ValueError(f"invalid JSON: {exc}") from None


def _parse_document(data: bytes) -> list[tuple[str, Any]]:
    """The records of a whole ``.json`` document. Where strict JSON fails only because of values no
    database can hold (NaN, Infinity, a lone surrogate escape), the document is read leniently and
    just the records holding such a value are malformed, so that one bad record of an API page
    does not lose the page."""
    try:
        return _records_of(_parse(data))
    except ValueError as strict:
        try:
            # bytes that are not UTF-8 read as lone surrogates: only the records holding them are malformed
            document = json.loads(data.removeprefix(BOM).decode("utf-8", "surrogateescape"))
        except (ValueError, RecursionError):
            raise strict from None
    return _holdable(_records_of(document))


def _parse_documents(data: bytes) -> list[tuple[str, Any]]:
    """The records of one JSON document, or of several one after another (``jq .`` over pages of
    an API download, piped in), each record located by its document (``document 2 results[0]``); a
    document that does not parse ends the input, one malformed record, after those before it."""
    try:
        return _parse_document(data)
    except ValueError as exc:
        single = exc  # what one document's reading says, if the input is not several either
    text = data.removeprefix(BOM).decode("utf-8", "surrogateescape")  # as _parse_document reads bytes not UTF-8
    decoder, at, number = json.JSONDecoder(), 0, 0
    located: list[Any] = []
    while (at := _SPACE.match(text, at).end()) < len(text):  # type: ignore[union-attr]
        try:
            value, at = decoder.raw_decode(text, at)
        except (ValueError, RecursionError) as exc:
            if not located:  # not even the first document: the input is no such sequence
                raise single from None
            # a document cut short (a download ended early): the ones before it are kept, the rest is one problem
            located.append((f"document {number + 1}", MalformedRecord(f"invalid JSON: {exc}")))
            break
        number += 1
        located += _holdable([(f"document {number} {where}".strip(), record) for where, record in _records_of(value)])
    return located


def _holdable(located: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """``located`` with each record that holds a value no database can hold made malformed."""
    return [(where, MalformedRecord(_UNHOLDABLE) if not isinstance(record, MalformedRecord) and _unholdable(record)
             else record) for where, record in located]


_SPACE = re.compile(r"\s*")
_UNHOLDABLE = ("invalid JSON: NaN, Infinity, a lone surrogate escape or bytes that are not UTF-8, which no "
               "database value can hold")


def _unholdable(value: Any) -> bool:
    """Whether ``value`` holds a float that is not finite, or text that is not valid Unicode."""
    return any((isinstance(item, float) and not math.isfinite(item)) or (isinstance(item, str) and not is_unicode(item))
               for item in scalars(value))


def read_items(source: InputFile, on_bytes: Callable[[int], None] = lambda n: None) -> Iterator[Item]:
    """Every record of an input in order, numbered from 0; unreadable ones carry a ``problem``.

    A ``.jsonl`` line that is not UTF-8 or not JSON is reported with its number and skipped; the
    lines around it are read as usual. A ``.json`` document is parsed as a whole, and so is a
    stream whose first line is a bracket alone (pretty-printed: one document or several). JSON is read
    strictly (orjson): ``NaN`` and a lone surrogate escape such as ``\\ud800``, which no database
    string can hold, make a line invalid."""
    ordinal = 0
    with _opened(source) as raw:
        counted = _Counted(raw)
        stream = _decompressed(source, counted)
        consumed = 0

        def progress() -> None:
            nonlocal consumed
            on_bytes(counted.count - consumed)
            consumed = counted.count

        def items(located: list[tuple[str, Any]]) -> Iterator[Item]:
            nonlocal ordinal
            for where, record in located:
                if isinstance(record, MalformedRecord):
                    yield Item(source, ordinal, where, problem=str(record))
                else:
                    yield Item(source, ordinal, where, record)
                ordinal += 1

        def document(data: bytes) -> Iterator[Item]:
            located = _parse_document(data) if source.is_document else _parse_documents(data)
            progress()
            line = "line 1 " if source.is_document else ""  # a stream's documents are numbered instead
            yield from items([(f"{line}{where}".strip() or "document 1", rec) for where, rec in located])

        try:
            if source.is_document:
                yield from document(stream.read())
                return
            first = True
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    located = [(f"line {number} {where}".strip(), rec)
                               for where, rec in _records_of(_parse(line))]
                except ValueError as exc:
                    if first and source.is_stream and line.removeprefix(BOM).strip() in (b"{", b"["):
                        # a bracket alone on the first line: pretty-printed (`jq .`), one document or several
                        yield from document(line + stream.read())
                        return
                    located = [(f"line {number}", MalformedRecord(str(exc)))]
                first = False
                yield from items(located)
                progress()
        except (OSError, EOFError, UnicodeDecodeError, ValueError, zlib.error) as exc:  # a damaged gzip: zlib.error
            yield Item(source, ordinal, "file", problem=f"unreadable: {exc}")
        progress()


def _opened(source: InputFile) -> IO[bytes]:
    """The input's bytes: standard input (left open when done) or the file or pipe opened."""
    if source.path == STDIN:
        return open(sys.stdin.buffer.fileno(), "rb", closefd=False)
    return source.path.open("rb")


def _records_of(document: Any) -> list[tuple[str, Any]]:
    """:func:`records_of`; a value nested too deeply to walk is one malformed record (``ValueError``),
    or, as an item of a list, that item alone."""
    try:
        return records_of(document)
    except RecursionError:
        if not isinstance(document, list):
            raise ValueError("nested too deeply to hold records") from None
    located: list[tuple[str, Any]] = []
    for i, item in enumerate(document):
        try:
            located += [(f"[{i}]{'.' + where if where else ''}", record) for where, record in records_of(item)]
        except RecursionError:
            located.append((f"[{i}]", MalformedRecord("nested too deeply to hold records")))
    return located

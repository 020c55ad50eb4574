"""What an import reads (bzgraph/ingest/files.py), without a database: folders, suffixes, blank
lines, what a checkpoint's key follows, pipes, and values no database can hold."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bzgraph.ingest.files import InputFile, expand_paths, read_items


def _items(path: Path) -> list[tuple[str, object, str | None]]:
    return [(item.where, item.record, item.problem) for item in read_items(InputFile(path))]


def test_a_folder_is_read_with_its_subfolders_and_suffixes_in_any_case(tmp_path: Path) -> None:
    """A snapshot keeps its files in `updated_date=…/` folders beside files of its own."""
    (tmp_path / "updated_date=2025-01-01").mkdir()
    for name in ("top.jsonl", "updated_date=2025-01-01/part_000.GZ", "UPPER.JSON", "notes.txt", "data.parquet"):
        (tmp_path / name).write_bytes(b"")
    assert sorted(source.path.relative_to(tmp_path).as_posix() for source in expand_paths([tmp_path])) == [
        "UPPER.JSON", "top.jsonl", "updated_date=2025-01-01/part_000.GZ"]


def test_blank_lines_are_no_records_and_no_problems(tmp_path: Path) -> None:
    path = tmp_path / "works.jsonl"
    path.write_text('\n{"id": "W1"}\n\n   \n{"id": "W2"}\n\n')
    assert _items(path) == [("line 2", {"id": "W1"}, None), ("line 5", {"id": "W2"}, None)]


def test_a_files_checkpoint_key_changes_when_it_is_rewritten_even_at_the_same_size(tmp_path: Path) -> None:
    """A checkpoint says how far a file was read: a file replaced by another of the same size (its
    records are others) must not resume past records never read."""
    path = tmp_path / "works.jsonl"
    path.write_text('{"id": "W1"}\n')
    before = InputFile(path).key
    path.write_text('{"id": "W2"}\n')
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert before is not None and InputFile(path).key not in (None, before)


def test_a_pipe_is_a_stream_with_no_checkpoint_and_no_size(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    source = InputFile(fifo)
    assert source.is_stream and source.key is None and source.size is None
    assert expand_paths([fifo]) == [source]


def test_a_record_holding_infinity_in_a_document_loses_only_itself(tmp_path: Path) -> None:
    """A .json document (an API page) is read leniently, as Python's JSON reads it; a record holding
    Infinity or NaN, which no database value can hold, is malformed, and the others are read."""
    path = tmp_path / "page.json"
    path.write_text('{"meta": {}, "results": [{"id": "W1", "x": Infinity}, {"id": "W2"}, {"id": "W3", "y": NaN}]}')
    items = _items(path)
    assert [(where, record) for where, record, problem in items if problem is None] == [("line 1 results[1]", {"id": "W2"})]
    assert [where for where, _, problem in items if problem and "NaN, Infinity" in problem] == [
        "line 1 results[0]", "line 1 results[2]"]
    json.loads('{"x": Infinity}')  # Python's reader takes it: the check is bzgraph's

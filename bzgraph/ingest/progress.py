"""The terminal face of an import: a rich progress bar with records/s, problems and the summary."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from bzgraph.ingest.load import Problem
from bzgraph.ingest.load import Progress as ImportProgress


class RichProgress(ImportProgress):
    """A bar over the input bytes, with the records written and their rate; problems on stderr."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.bar = Progress(
            TextColumn("importing"), BarColumn(), DownloadColumn(),
            TextColumn("{task.fields[records]} records, {task.fields[rate]:.0f} records/s"),
            TimeElapsedColumn(), console=Console(stderr=True), transient=False,
            disable=quiet or not sys.stderr.isatty())
        self.records = 0
        self.started = time.perf_counter()
        self.task = self.bar.add_task("import", total=None, records=0, rate=0.0)

    def start(self, total_bytes: int | None) -> None:
        self.started = time.perf_counter()
        self.bar.update(self.task, total=total_bytes)
        self.bar.start()

    def advance(self, nbytes: int, records: int) -> None:
        self.records += records
        rate = self.records / max(time.perf_counter() - self.started, 1e-9)
        self.bar.update(self.task, advance=nbytes, records=self.records, rate=rate)

    def problem(self, problem: Problem) -> None:
        self._say(f"skipped malformed record: {problem}")

    def note(self, text: str) -> None:
        self._say(f"bzgraph: {text}")

    def _say(self, line: str) -> None:
        if self.bar.live.is_started:
            self.bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=sys.stderr)

    def stop(self) -> None:
        self.bar.stop()

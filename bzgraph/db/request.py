"""What the queries of one request share, each in a context variable set for the request's scope:
the round-trip counter, the deadline, the share of the heavy-query slots, and the commits of its
writes (what a cut-off request may have saved)."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bzgraph.db.slots import Slots


@dataclass
class RoundTrips:
    """How many Cypher queries were sent, and which, within one scope (a request, a test)."""

    count: int = 0
    names: list[str] = field(default_factory=list)  # in the order sent (the operation log names them)


_current: contextvars.ContextVar[RoundTrips | None] = contextvars.ContextVar("round_trips", default=None)


@contextmanager
def count_round_trips(join: bool = False) -> Iterator[RoundTrips]:
    """Count the queries sent inside this block (asyncio tasks started in it share the counter);
    with ``join``, inside a block that counts already, count on with that block's counter."""
    counter = _current.get() if join else None
    if counter is not None:
        yield counter
        return
    counter = RoundTrips()
    token = _current.set(counter)
    try:
        yield counter
    finally:
        _current.reset(token)


def record_query(name: str) -> None:
    """One query sent: counted in the scope's counter, if any."""
    counter = _current.get()
    if counter is not None:
        counter.count += 1
        counter.names.append(name)


_share: contextvars.ContextVar[Slots | None] = contextvars.ContextVar("heavy_share", default=None)


def current_share() -> Slots | None:
    """The heavy-query share of the request under way (:func:`request_share`), if any."""
    return _share.get()


@contextmanager
def request_share(slots: int) -> Iterator[None]:
    """Inside this block (a request), at most ``slots`` of its heavy queries hold or wait for the
    process's slots at once; the rest wait behind them, so that one request of many heavy aliases
    does not queue them all ahead of the requests that come after it."""
    token = _share.set(Slots(slots))
    try:
        yield
    finally:
        _share.reset(token)


@dataclass
class Commits:
    """What one request's write transactions came to: ``saved``, how many were committed;
    ``unsure``, from the moment a write's work is done (the driver sends the commit next) until the
    commit is answered: cut off then, its change may or may not be saved. ``grace``: the bound of a
    write given more time for its commit (``Database._bounded``); should the commit fail and the
    driver try the work again, that attempt gets none of it. ``cut``: the write's time ran out
    before its work was done; its commit is not sent."""

    saved: int = 0
    unsure: bool = False
    grace: asyncio.Timeout | None = None
    cut: bool = False


_commits: contextvars.ContextVar[Commits | None] = contextvars.ContextVar("commits", default=None)


def current_commits() -> Commits | None:
    """The commits tracked for the request under way (:func:`track_commits`), if any."""
    return _commits.get()


@contextmanager
def track_commits() -> Iterator[Commits]:
    """Track the commits of the writes sent inside this block (a request; see ``bzgraph/shutdown.py``)."""
    commits = Commits()
    token = _commits.set(commits)
    try:
        yield commits
    finally:
        _commits.reset(token)


def commit_under_way() -> bool:
    """Whether a write of the current request has sent its commit and awaits the answer (cutting
    it off now would leave nobody able to tell whether it was saved)."""
    commits = _commits.get()
    return commits is not None and commits.unsure


def work_done(done: bool) -> None:
    """A write transaction's work is done (its commit comes next), or an attempt begins (the first,
    or a retry after a failed commit: one given more time for its commit ends at once).

    Work done after its write was cut off raises ``TimeoutError``: the commit is not sent, and the
    change is surely not saved, rather than cut off in the middle of its commit. (A cut lands at the
    task's next wait, and the work may end before that: its last answer came in the same turn of the
    event loop as the cut, or its rows had all arrived with the first.)"""
    commits = _commits.get()
    if commits is None:
        return
    if done and commits.cut:
        raise TimeoutError
    commits.unsure = done
    if not done and commits.grace is not None:  # a retry of a write given more time for its commit
        commits.cut = True
        commits.grace.reschedule(asyncio.get_running_loop().time())


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


def request_deadline() -> float | None:
    """When the request under way must end (the event loop's time), if it has a :func:`deadline`."""
    return _deadline.get()


def deadline_within(seconds: float) -> bool:
    """Whether the request's deadline, if any, is less than ``seconds`` away."""
    ends = _deadline.get()
    return ends is not None and ends - asyncio.get_running_loop().time() < seconds


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every query sent inside this block (a request) ends within ``seconds`` of its start, all
    together: past the deadline, ``SERVICE_UNAVAILABLE`` (a write whose commit was sent by then
    gets more time for the commit's answer, :meth:`Database._bounded`)."""
    token = _deadline.set(asyncio.get_running_loop().time() + seconds)
    extended = _extended.set(False)
    try:
        yield
    finally:
        _extended.reset(extended)
        _deadline.reset(token)


_extended: contextvars.ContextVar[bool] = contextvars.ContextVar("deadline_extended", default=False)


def extend_deadline_once(seconds: float) -> None:
    """The rest of the request (its :func:`deadline`, if it has one) ends at least ``seconds`` from now:
    a change saved late in the request's time still gets that long to read back what it answers with.
    Once a request: a second change saved does not extend it again. Called where the request's own
    context is (a mutation's resolver, which graphql-core awaits in the request's task), so that what
    the answer reads after it, in tasks of its own, has the time too."""
    ends = _deadline.get()
    if ends is None or _extended.get():
        return
    _extended.set(True)
    _deadline.set(max(ends, asyncio.get_running_loop().time() + seconds))

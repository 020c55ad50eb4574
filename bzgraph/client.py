"""The notebook client: a bzgraph GraphQL endpoint (and, optionally, its Neo4j) from Python.

    from bzgraph.client import Client
    bz = Client("http://127.0.0.1:8000")
    bz.profile("bzr-leon-bungert").works.items.to_pandas()
    bz.explore("bzr-leon-bungert", depth=2).to_networkx()
    bz.search("nonlinear power").to_pandas()
    bz.cypher("analytics/top-collaborators", id="bzr-leon-bungert").to_pandas()

:class:`AsyncClient` has the same methods as coroutines. The requests are the UI's own operations
(``bzgraph/operations/*.graphql``: copies of the contract's, its Search with paging, and its ResearchGraph with
``crossEdges``). ``cypher`` runs a read-only analyst
query of ``cypher/analytics/`` through the API, or, with ``neo4j_uri=``, straight against Neo4j with
the official driver (any named query, always in a read transaction). pandas and networkx come with
the ``notebook`` extra and are imported only when ``to_pandas`` / ``to_networkx`` are called.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import orjson

from bzgraph import analytics, queries
from bzgraph.db import driver_errors, unsendable_text
from bzgraph.errors import BzgraphError, Forbidden, NotFound

if TYPE_CHECKING:
    import networkx
    import pandas

T = TypeVar("T")
Data = dict[str, Any]


class TruncatedWarning(UserWarning):
    """An answer was cut at the API's limit: an analyst query's rows (``Rows.truncated``), a
    neighbourhood's cross edges (``Neighbourhood.cross_edges_total`` above their number)."""


class APIError(Exception):
    """The endpoint answered with GraphQL errors; ``code`` is the first error's ``extensions.code``."""

    def __init__(self, errors: list[Data]) -> None:
        self.errors = errors
        self.code = (errors[0].get("extensions") or {}).get("code", "INTERNAL") if errors else "INTERNAL"
        super().__init__(f"{self.code}: {errors[0].get('message') if errors else 'no data'}")


@cache
def operation(name: str) -> str:
    """The text of a bundled GraphQL operation (``bzgraph/operations/NAME.graphql``)."""
    return resources.files("bzgraph").joinpath("operations", f"{name}.graphql").read_text(encoding="utf-8")


class Records(list[T]):
    """A list of results that turns into a DataFrame: one row per item, one column per field of
    ``of`` (a dataclass) or per name of ``columns`` (for dicts), present even when there are no
    rows; integers that may be missing are pandas' nullable ``Int64``, so a year stays a whole number."""

    def __init__(self, items: Iterable[T] = (), of: type | None = None, columns: list[str] | None = None) -> None:
        super().__init__(items)
        self.of = of
        self.columns = columns

    def to_pandas(self) -> pandas.DataFrame:
        import pandas as pd

        if self.of is None:
            return _frame([x for x in self], self.columns)  # type: ignore[misc]
        frame = pd.DataFrame([asdict(x) for x in self],  # type: ignore[call-overload]
                             columns=[f.name for f in fields(self.of)])
        return frame.astype({f.name: _DTYPES[f.type] for f in fields(self.of) if f.type in _DTYPES})


_DTYPES = {"int": "int64", "int | None": "Int64", "float": "float64", "float | None": "float64"}


def _frame(rows: list[Data], columns: list[str] | None) -> pandas.DataFrame:
    """Rows of dicts as a DataFrame; a column of whole numbers with some missing is ``Int64``
    (pandas would make it floats)."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns)
    for name in frame.columns:
        raw = [row.get(name) for row in rows]
        present = [v for v in raw if v is not None]
        if present and len(present) < len(raw) \
                and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
            frame[name] = pd.array(raw, dtype="Int64")
    return frame


# -- typed results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    id: str
    type: str | None
    year: int | None
    venue: str | None
    title: str | None
    abstract: str | None


@dataclass(frozen=True)
class WorksPage:
    total_count: int
    has_next_page: bool
    end_cursor: str | None
    items: Records[Work]

    def to_pandas(self) -> pandas.DataFrame:
        return self.items.to_pandas()


@dataclass(frozen=True)
class Affiliation:
    id: str
    name: str
    country: str | None


@dataclass(frozen=True)
class Counts:
    works: int
    followers: int
    topics: int
    close_collaborators: int


@dataclass(frozen=True)
class Trust:
    score: int
    tier: str
    verification_level: str


@dataclass(frozen=True)
class ViewerState:
    is_following: bool
    can_claim: bool
    can_invite: bool


@dataclass(frozen=True)
class Profile:
    """A researcher's profile page (the ProfilePage operation)."""

    id: str
    name: str
    headline: str | None
    open_to_collaborate: bool
    claimed: bool
    affiliation: Affiliation | None
    counts: Counts
    trust: Trust
    viewer_state: ViewerState | None
    works: WorksPage

    @classmethod
    def from_data(cls, r: Data) -> Profile:
        works = r["works"]
        aff, trust, viewer = r["affiliation"], r["trust"], r["viewerState"]
        return cls(
            id=r["id"], name=r["name"], headline=r["headline"], open_to_collaborate=r["openToCollaborate"],
            claimed=r["claimed"], affiliation=Affiliation(**aff) if aff else None,
            counts=Counts(works=r["counts"]["works"], followers=r["counts"]["followers"],
                          topics=r["counts"]["topics"], close_collaborators=r["counts"]["closeCollaborators"]),
            trust=Trust(score=trust["score"], tier=trust["tier"], verification_level=trust["verificationLevel"]),
            viewer_state=ViewerState(is_following=viewer["isFollowing"], can_claim=viewer["canClaim"],
                                     can_invite=viewer["canInvite"]) if viewer else None,
            works=WorksPage(total_count=works["totalCount"], has_next_page=works["pageInfo"]["hasNextPage"],
                            end_cursor=works["pageInfo"]["endCursor"],
                            items=Records((Work(**e["node"]) for e in works["edges"]), of=Work)))


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    label: str
    weight: float | None = None


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str
    weight: float


@dataclass(frozen=True)
class KindTotal:
    kind: str
    total: int
    shown: int


@dataclass(frozen=True)
class Neighbourhood:
    """A bounded subgraph around a center node (the ResearchGraph operation)."""

    center: Node
    nodes: Records[Node]
    edges: Records[Edge]
    totals: Records[KindTotal]
    truncated: bool
    cross_edges: Records[Edge] = field(default_factory=lambda: Records(of=Edge))  # asked for with cross_edges=True
    cross_edges_total: int | None = None  # how many there are (more than cross_edges holds: cut at the API's 1,000)

    @classmethod
    def from_data(cls, g: Data) -> Neighbourhood:
        return cls(center=Node(**g["center"]), nodes=Records((Node(**n) for n in g["nodes"]), of=Node),
                   edges=Records((Edge(**e) for e in g["edges"]), of=Edge),
                   totals=Records((KindTotal(**t) for t in g["totals"]), of=KindTotal), truncated=g["truncated"],
                   cross_edges=Records((Edge(**e) for e in g.get("crossEdges", ())), of=Edge),
                   cross_edges_total=g.get("crossEdgesTotal"))

    def to_networkx(self) -> networkx.DiGraph:
        """A directed graph: nodes keep ``kind``, ``label``, ``weight`` and ``center``; edges ``kind`` and ``weight``
        (the cross edges too, when they were asked for)."""
        import networkx as nx

        graph = nx.DiGraph(center=self.center.id, truncated=self.truncated)
        for node in (self.center, *self.nodes):
            graph.add_node(node.id, kind=node.kind, label=node.label, weight=node.weight,
                           center=node.id == self.center.id)
        for edge in (*self.edges, *self.cross_edges):
            graph.add_edge(edge.source, edge.target, kind=edge.kind, weight=edge.weight)
        return graph

    def to_pandas(self) -> pandas.DataFrame:
        """The nodes (the center first) as a DataFrame."""
        return Records([self.center, *self.nodes], of=Node).to_pandas()


@dataclass(frozen=True)
class SearchHit:
    score: float
    id: str
    kind: str
    label: str
    year: int | None = None


@dataclass(frozen=True)
class SearchResults:
    """A page of full-text search hits, ranked by relevance (the contract's Search, with paging:
    pass ``end_cursor`` as ``after`` for the next page). ``truncated``: a kind had more hits than
    the API ranks (1,000), so the last page is not the last hit; more words narrow the search."""

    total_count: int
    hits: Records[SearchHit]
    has_next_page: bool = False
    end_cursor: str | None = None
    truncated: bool = False

    @classmethod
    def from_data(cls, s: Data) -> SearchResults:
        hits = Records((SearchHit(score=h["score"], id=h["node"]["id"], kind=h["node"]["__typename"].upper(),
                                  label=h["node"].get("name") or h["node"].get("title") or h["node"]["id"],
                                  year=h["node"].get("year")) for h in s["hits"]), of=SearchHit)
        return cls(total_count=s["totalCount"], hits=hits, has_next_page=s["pageInfo"]["hasNextPage"],
                   end_cursor=s["pageInfo"]["endCursor"], truncated=s["truncated"])

    def __iter__(self) -> Iterator[SearchHit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def to_pandas(self) -> pandas.DataFrame:
        return self.hits.to_pandas()


@dataclass(frozen=True)
class Rows:
    """The rows of a named Cypher query, one dict per row."""

    name: str
    columns: list[str]
    rows: Records[Data] = field(default_factory=Records)
    truncated: bool = False

    def __iter__(self) -> Iterator[Data]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> Data:
        return self.rows[index]

    def to_pandas(self) -> pandas.DataFrame:
        return _frame(list(self.rows), self.columns)


# -- requests, shared by both clients ----------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    """One GraphQL operation and how to shape its ``data``."""

    document: str
    variables: Data
    shape: Callable[[Data], Any]


def _kinds(kinds: list[str] | str | None) -> list[str] | None:
    if kinds is None:
        return None
    return [k.upper() for k in ([kinds] if isinstance(kinds, str) else kinds)]


def _maybe(key: str, shape: Callable[[Data], T]) -> Callable[[Data], T | None]:
    return lambda data: shape(data[key]) if data[key] is not None else None


def _profile(id: str, works_first: int, works_after: str | None) -> _Call:
    return _Call(operation("ProfilePage"), {"id": id, "worksFirst": works_first, "worksAfter": works_after},
                 _maybe("researcher", Profile.from_data))


def _explore(id: str, depth: int, kinds: list[str] | str | None, limit: int, cross_edges: bool) -> _Call:
    def shape(g: Data) -> Neighbourhood:
        hood = Neighbourhood.from_data(g)
        if hood.cross_edges_total is not None and hood.cross_edges_total > len(hood.cross_edges):
            warnings.warn(f"{id}: the API lists the first {len(hood.cross_edges):,} of {hood.cross_edges_total:,} cross "
                          "edges, those of the center and the highest-ranked nodes (for more, up to 10,000, send a "
                          "document with crossEdges(first: N) to execute())",
                          TruncatedWarning, stacklevel=4)
        return hood

    return _Call(operation("ExploreGraph" if cross_edges else "ResearchGraph"),
                 {"id": id, "depth": depth, "kinds": _kinds(kinds), "limit": limit}, _maybe("explore", shape))


def _search(text: str, kinds: list[str] | str | None, first: int, after: str | None) -> _Call:
    return _Call(operation("SearchPage"), {"q": text, "kinds": _kinds(kinds), "first": first, "after": after},
                 lambda data: SearchResults.from_data(data["search"]))


def _cypher(name: str, params: Data) -> _Call:
    def shape(data: Data) -> Rows:
        c = data["cypher"]
        if c["truncated"]:
            warnings.warn(f"{name}: the API answers at most {len(c['rows'])} rows and this query has more; "
                          "pass a smaller limit, or run it directly (Client(..., neo4j_uri=...)) for every row",
                          TruncatedWarning, stacklevel=4)
        return Rows(name=c["name"], columns=c["columns"], rows=Records(c["rows"], columns=c["columns"]),
                    truncated=c["truncated"])

    return _Call(operation("AnalystQuery"), {"name": name, "params": params}, shape)


def _plain(value: Any) -> Any:
    """``value`` with numpy numbers and arrays, pandas arrays and series (what a data frame gives:
    ``df.col.to_numpy()``, ``.values``, ``.unique()``, text columns included) as Python's own
    numbers, text and lists, as they arrive through the API after JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if type(value).__module__.split(".")[0] in ("numpy", "pandas") and hasattr(value, "tolist"):
        return _plain(value.tolist())  # a numpy scalar's is a Python number, an array's a (nested) list
    return value


def _direct(name: str, params: Data) -> tuple[str, Data]:
    """The text and parameters of a named query for a direct run, checked as the API checks them:
    numpy values made plain, NaN and infinities refused, integers within 64 bits, analyst queries'
    declared parameters."""
    params = _plain(params)
    if _not_finite(params):
        raise APIError([{"message": "a parameter is NaN or infinite, which the API (JSON) cannot hold either",
                         "extensions": {"code": "BAD_USER_INPUT"}}])
    with _direct_errors():
        analytics.check_values(name, params)
        if name.startswith(analytics.PREFIX):
            params = analytics.prepare(name, params)
        try:
            query = queries.get(name)
        except queries.UnknownQuery as exc:
            raise NotFound(str(exc), argument="name") from None
        if query.writes:  # a read transaction refuses most of these, but not TERMINATE TRANSACTIONS
            raise Forbidden("this query changes data or ends others' transactions; direct runs are read-only")
        return query.text, params


@contextmanager
def _direct_errors() -> Iterator[None]:
    """Errors of a direct run as ``APIError`` with the codes the API would give."""
    import neo4j.exceptions

    def api_error(code: str, message: str) -> APIError:
        return APIError([{"message": message, "extensions": {"code": code}}])

    try:
        with driver_errors():
            try:
                yield
            except neo4j.exceptions.ClientError as exc:
                if "TransactionTimedOut" in (exc.code or ""):  # the query ran past the client's timeout
                    raise api_error("SERVICE_UNAVAILABLE", "the query did not finish within the client's timeout "
                                                           "(Client(..., timeout=SECONDS))") from exc
                raise
    except BzgraphError as exc:
        raise api_error(exc.code, exc.message) from exc
    except neo4j.exceptions.ClientError as exc:
        if exc.code == "Neo.ClientError.Statement.AccessMode":
            raise api_error("FORBIDDEN", "this query changes data; direct runs are read-only") from exc
        raise api_error("BAD_USER_INPUT", exc.message or str(exc)) from exc
    except neo4j.exceptions.DatabaseError as exc:
        raise api_error("INTERNAL", exc.message or str(exc)) from exc


def _driver_options(timeout: float) -> Data:
    """Driver settings that bound the waits of a direct run by the client's ``timeout`` (the query
    itself is bounded by its transaction timeout), quietly. A failed run is not retried: the
    driver's retries wait a back-off past their time budget, so they would overrun the timeout."""
    return {"connection_timeout": timeout, "connection_acquisition_timeout": timeout,
            "max_transaction_retry_time": 0, "notifications_min_severity": "OFF"}


def _rows(name: str, keys: list[str], records: list[Any]) -> Rows:
    return Rows(name=name, columns=list(keys),
                rows=Records((analytics.jsonable(r.data()) for r in records), columns=list(keys)))


_JSON = {"content-type": "application/json"}


def _not_finite(value: Any) -> bool:
    """Whether ``value`` holds NaN or an infinity (JSON has neither; orjson would send null)."""
    if isinstance(value, dict):
        return any(_not_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_not_finite(v) for v in value)
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return not math.isfinite(value)
    return False


def _body(document: str, variables: Data | None) -> bytes:
    """The request's JSON (numpy numbers and arrays, as a data frame gives them, included);
    ``APIError`` (``BAD_USER_INPUT``) for what JSON cannot hold (NaN or an infinity, a lone
    surrogate, an object): a missing value must not arrive as null, which can mean "clear it"."""
    variables = _plain(variables or {})
    if _not_finite(variables):
        raise APIError([{"message": "the request cannot be sent: a variable is NaN or infinite, which JSON cannot hold",
                         "extensions": {"code": "BAD_USER_INPUT"}}])
    try:
        return orjson.dumps({"query": document, "variables": variables})
    except orjson.JSONEncodeError as exc:
        raise APIError([{"message": f"the request cannot be sent: {exc}",
                         "extensions": {"code": "BAD_USER_INPUT"}}]) from None


@contextmanager
def _transport_errors(url: str) -> Iterator[None]:
    """A server out of reach (refused, timed out, the connection lost) or slower than the client's
    timeout as ``APIError`` ``SERVICE_UNAVAILABLE``, as a direct run reports a database out of reach."""
    try:
        yield
    except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
        raise APIError([{"message": f"the bzgraph server at {url} did not answer within the client's timeout "
                                    "(Client(..., timeout=SECONDS))", "extensions": {"code": "SERVICE_UNAVAILABLE"}}]
                       ) from exc
    except httpx.TransportError as exc:
        raise APIError([{"message": f"the bzgraph server at {url} cannot be reached: {exc!r}",
                         "extensions": {"code": "SERVICE_UNAVAILABLE"}}]) from exc


def _graphql_url(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/graphql") else url + "/graphql"


def _data(response: httpx.Response) -> Data:
    """The ``data`` of an answer; ``APIError`` for GraphQL errors, also when they come with an
    HTTP error status (a refused body, an unknown path)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not ("errors" in body or "data" in body):
        response.raise_for_status()
        raise APIError([{"message": f"not a GraphQL answer (HTTP {response.status_code})"}])
    if body.get("errors") or body.get("data") is None:
        raise APIError(body.get("errors") or [])
    return body["data"]


class _Base:
    def __init__(self, url: str, *, token: str | None = None, neo4j_uri: str | None = None,
                 neo4j_auth: tuple[str, str] | None = None, neo4j_database: str = "neo4j",
                 timeout: float = 30.0) -> None:
        self.url = _graphql_url(url)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = timeout
        self.neo4j_uri, self.neo4j_auth, self.neo4j_database = neo4j_uri, neo4j_auth, neo4j_database


# -- the clients -----------------------------------------------------------------------------


class Client(_Base):
    """A bzgraph endpoint, synchronously. ``url`` may end in ``/graphql`` or be the server's root."""

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, **options)
        self._http = httpx.Client(timeout=self.timeout, headers=self.headers)
        self._driver: Any = None

    def execute(self, document: str, variables: Data | None = None) -> Data:
        """Send any GraphQL document; return its ``data`` (``APIError`` on errors)."""
        content = _body(document, variables)
        with _transport_errors(self.url):
            return _data(self._http.post(self.url, content=content, headers=_JSON))

    def _run(self, call: _Call) -> Any:
        return call.shape(self.execute(call.document, call.variables))

    def profile(self, id: str, works_first: int = 10, works_after: str | None = None) -> Profile | None:
        return self._run(_profile(id, works_first, works_after))

    def explore(self, id: str, depth: int = 1, kinds: list[str] | str | None = None,
                limit: int = 50, cross_edges: bool = False) -> Neighbourhood | None:
        """The neighbourhood ``explore`` draws; ``cross_edges`` adds the other edges among its nodes."""
        return self._run(_explore(id, depth, kinds, limit, cross_edges))

    def search(self, text: str, kinds: list[str] | str | None = None, first: int = 10,
               after: str | None = None) -> SearchResults:
        return self._run(_search(text, kinds, first, after))

    def cypher(self, name: str, **params: Any) -> Rows:
        """Rows of a named query: an analyst query through the API, or any query on ``neo4j_uri``."""
        if self.neo4j_uri is None:
            return self._run(_cypher(name, params))
        import neo4j

        if self._driver is None:
            self._driver = neo4j.GraphDatabase.driver(self.neo4j_uri, auth=self.neo4j_auth,
                                                      **_driver_options(self.timeout))
        text, params = _direct(name, params)
        with _direct_errors(), unsendable_text(name, params):
            result = self._driver.execute_query(neo4j.Query(text, timeout=self.timeout), params,
                                                database_=self.neo4j_database, routing_=neo4j.RoutingControl.READ)
        return _rows(name, result.keys, result.records)

    def close(self) -> None:
        self._http.close()
        if self._driver is not None:
            self._driver.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_Base):
    """A bzgraph endpoint, with every method a coroutine (``await bz.profile(...)``)."""

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, **options)
        self._http = httpx.AsyncClient(timeout=self.timeout, headers=self.headers)
        self._driver: Any = None

    async def execute(self, document: str, variables: Data | None = None) -> Data:
        """Send any GraphQL document; return its ``data`` (``APIError`` on errors)."""
        content = _body(document, variables)
        with _transport_errors(self.url):
            return _data(await self._http.post(self.url, content=content, headers=_JSON))

    async def _run(self, call: _Call) -> Any:
        return call.shape(await self.execute(call.document, call.variables))

    async def profile(self, id: str, works_first: int = 10, works_after: str | None = None) -> Profile | None:
        return await self._run(_profile(id, works_first, works_after))

    async def explore(self, id: str, depth: int = 1, kinds: list[str] | str | None = None,
                      limit: int = 50, cross_edges: bool = False) -> Neighbourhood | None:
        """The neighbourhood ``explore`` draws; ``cross_edges`` adds the other edges among its nodes."""
        return await self._run(_explore(id, depth, kinds, limit, cross_edges))

    async def search(self, text: str, kinds: list[str] | str | None = None, first: int = 10,
                     after: str | None = None) -> SearchResults:
        return await self._run(_search(text, kinds, first, after))

    async def cypher(self, name: str, **params: Any) -> Rows:
        """Rows of a named query: an analyst query through the API, or any query on ``neo4j_uri``."""
        if self.neo4j_uri is None:
            return await self._run(_cypher(name, params))
        import neo4j

        if self._driver is None:
            self._driver = neo4j.AsyncGraphDatabase.driver(self.neo4j_uri, auth=self.neo4j_auth,
                                                           **_driver_options(self.timeout))
        text, params = _direct(name, params)
        with _direct_errors(), unsendable_text(name, params):
            result = await self._driver.execute_query(neo4j.Query(text, timeout=self.timeout), params,
                                                      database_=self.neo4j_database,
                                                      routing_=neo4j.RoutingControl.READ)
        return _rows(name, result.keys, result.records)

    async def close(self) -> None:
        """Close the HTTP client and the driver (:class:`Client`'s ``close``, awaited)."""
        await self._http.aclose()
        if self._driver is not None:
            await self._driver.close()

    aclose = close  # httpx's name for it

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

"""``Client`` and ``AsyncClient``: the same methods, synchronous and as coroutines."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from bzgraph.client import calls, direct, http
from bzgraph.client.results import Data, Neighbourhood, Profile, Records, Rows, SearchHit, SearchResults, Work
from bzgraph.db import unsendable_text


class _Base:
    def __init__(self, url: str, *, token: str | None = None, neo4j_uri: str | None = None,
                 neo4j_auth: tuple[str, str] | None = None, neo4j_database: str = "neo4j",
                 timeout: float = 30.0) -> None:
        self.url = http.graphql_url(url)
        self.headers = {"Authorization": f"Bearer {http.checked_token(token)}"} if token else {}
        self.timeout = timeout
        self.neo4j_uri, self.neo4j_auth, self.neo4j_database = direct.checked_uri(neo4j_uri), neo4j_auth, neo4j_database


class Client(_Base):
    """A bzgraph endpoint, synchronously. ``url`` may end in ``/graphql`` or be the server's root."""

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, **options)
        self._http = httpx.Client(timeout=self.timeout, headers=self.headers)
        self._driver: Any = None

    def execute(self, document: str, variables: Data | None = None) -> Data:
        """Send any GraphQL document; return its ``data`` (``APIError`` on errors)."""
        content = http.request_body(document, variables)
        with http.transport_errors(self.url):
            return http.answer_data(self._http.post(self.url, content=content, headers=http.JSON_HEADERS))

    def _run(self, call: calls.Call) -> Any:
        return call.shape(self.execute(call.document, call.variables))

    def profile(self, id: str, works_first: int = 10, works_after: str | None = None) -> Profile | None:
        return self._run(calls.profile(id, works_first, works_after))

    def explore(self, id: str, depth: int = 1, kinds: list[str] | str | None = None,
                limit: int = 50, cross_edges: bool = False) -> Neighbourhood | None:
        """The neighbourhood ``explore`` draws; ``cross_edges`` adds the other edges among its nodes."""
        return self._run(calls.explore(id, depth, kinds, limit, cross_edges))

    def search(self, text: str, kinds: list[str] | str | None = None, first: int = 10,
               after: str | None = None) -> SearchResults:
        return self._run(calls.search(text, kinds, first, after))

    def all_works(self, id: str, page_size: int = calls.PAGE_MAX) -> Records[Work] | None:
        """Every work of a researcher, newest first, ``page_size`` a request; None for an unknown id."""
        pages = calls.Pages()
        while pages.more:
            pages.add_works(self.profile(id, works_first=page_size, works_after=pages.after))
        return pages.works()

    def all_hits(self, text: str, kinds: list[str] | str | None = None,
                 page_size: int = calls.PAGE_MAX) -> Records[SearchHit]:
        """Every hit of a search, ranked, ``page_size`` a request (at most 1,000 of a kind are ranked:
        a ``TruncatedWarning`` says when there were more)."""
        pages = calls.Pages()
        while pages.more:
            pages.add_hits(self.search(text, kinds, first=page_size, after=pages.after), text)
        return pages.hits()

    def cypher(self, name: str, **params: Any) -> Rows:
        """Rows of a named query: an analyst query through the API, or any query on ``neo4j_uri``."""
        if self.neo4j_uri is None:
            return self._run(calls.cypher(name, params))
        import neo4j

        if self._driver is None:
            self._driver = neo4j.GraphDatabase.driver(self.neo4j_uri, auth=self.neo4j_auth,
                                                      **direct.driver_options(self.timeout))
        text, params = direct.prepare(name, params)
        with direct.errors(), unsendable_text(name, params):
            result = self._driver.execute_query(neo4j.Query(text, timeout=self.timeout), params,
                                                database_=self.neo4j_database, routing_=neo4j.RoutingControl.READ)
        return direct.rows(name, result.keys, result.records)

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
        self._loop: asyncio.AbstractEventLoop | None = None  # the event loop the connections belong to

    def _on_this_loop(self) -> None:
        """Connections for the running event loop: a script's second ``asyncio.run`` runs another one,
        and the first one's connections died with it (they are dropped, not closed: their loop is)."""
        loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop:
            self._http = httpx.AsyncClient(timeout=self.timeout, headers=self.headers)
            self._driver = None
        self._loop = loop

    async def execute(self, document: str, variables: Data | None = None) -> Data:
        """Send any GraphQL document; return its ``data`` (``APIError`` on errors)."""
        content = http.request_body(document, variables)
        self._on_this_loop()
        with http.transport_errors(self.url):
            return http.answer_data(await self._http.post(self.url, content=content, headers=http.JSON_HEADERS))

    async def _run(self, call: calls.Call) -> Any:
        return call.shape(await self.execute(call.document, call.variables))

    async def profile(self, id: str, works_first: int = 10, works_after: str | None = None) -> Profile | None:
        return await self._run(calls.profile(id, works_first, works_after))

    async def explore(self, id: str, depth: int = 1, kinds: list[str] | str | None = None,
                      limit: int = 50, cross_edges: bool = False) -> Neighbourhood | None:
        """The neighbourhood ``explore`` draws; ``cross_edges`` adds the other edges among its nodes."""
        return await self._run(calls.explore(id, depth, kinds, limit, cross_edges))

    async def search(self, text: str, kinds: list[str] | str | None = None, first: int = 10,
                     after: str | None = None) -> SearchResults:
        return await self._run(calls.search(text, kinds, first, after))

    async def all_works(self, id: str, page_size: int = calls.PAGE_MAX) -> Records[Work] | None:
        """:meth:`Client.all_works`, awaited."""
        pages = calls.Pages()
        while pages.more:
            pages.add_works(await self.profile(id, works_first=page_size, works_after=pages.after))
        return pages.works()

    async def all_hits(self, text: str, kinds: list[str] | str | None = None,
                       page_size: int = calls.PAGE_MAX) -> Records[SearchHit]:
        """:meth:`Client.all_hits`, awaited."""
        pages = calls.Pages()
        while pages.more:
            pages.add_hits(await self.search(text, kinds, first=page_size, after=pages.after), text)
        return pages.hits()

    async def cypher(self, name: str, **params: Any) -> Rows:
        """Rows of a named query: an analyst query through the API, or any query on ``neo4j_uri``."""
        if self.neo4j_uri is None:
            return await self._run(calls.cypher(name, params))
        import neo4j

        self._on_this_loop()
        if self._driver is None:
            self._driver = neo4j.AsyncGraphDatabase.driver(self.neo4j_uri, auth=self.neo4j_auth,
                                                           **direct.driver_options(self.timeout))
        text, params = direct.prepare(name, params)
        with direct.errors(), unsendable_text(name, params):
            result = await self._driver.execute_query(neo4j.Query(text, timeout=self.timeout), params,
                                                      database_=self.neo4j_database,
                                                      routing_=neo4j.RoutingControl.READ)
        return direct.rows(name, result.keys, result.records)

    async def close(self) -> None:
        """Close the HTTP client and the driver (:class:`Client`'s ``close``, awaited)."""
        self._on_this_loop()  # on another loop than the last call's, its connections died with it
        await self._http.aclose()
        if self._driver is not None:
            await self._driver.close()

    aclose = close  # httpx's name for it

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

"""The floor under any HTTP API on this stack: the profile query behind a bare Starlette endpoint.

It runs `profile/researchers` through bzgraph's database layer and answers the rows as JSON, on
uvicorn with the settings `bzgraph serve` uses (its HTTP protocol, with the request-head deadline): no GraphQL, no request checks, no extensions.
`bench/profile_bench.py` starts it beside `bzgraph serve` and times both, so that one run shows
what HTTP itself costs on this machine and what GraphQL adds on top.

    python bench/http_floor.py --port 8765     # POST /rows with the query's parameters as JSON
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bzgraph.db import Database
from bzgraph.protocol import head_timeout_protocol
from bzgraph.settings import get_settings


def floor_app() -> Starlette:
    db: Database | None = None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal db
        db = Database(get_settings())
        yield
        await db.close()

    async def rows(request: Request) -> Response:
        params = orjson.loads(await request.body())
        return Response(orjson.dumps(await db.read("profile/researchers", **params)),
                        media_type="application/json")

    return Starlette(routes=[Route("/rows", rows, methods=["POST"])], lifespan=lifespan)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(floor_app(), host="127.0.0.1", port=args.port, log_level="warning", access_log=False,
                http=head_timeout_protocol(get_settings().header_timeout))

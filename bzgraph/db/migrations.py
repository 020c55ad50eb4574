"""The schema (constraints and indexes) applied from ``cypher/schema/``."""

from __future__ import annotations

import asyncio

from bzgraph import queries
from bzgraph.db.database import Database
from bzgraph.db.errors import driver_errors
from bzgraph.db.request import record_query


async def migrate(db: Database) -> int:
    """Apply every ``cypher/schema/*`` statement (all idempotent: ``IF NOT EXISTS``, ``IF EXISTS``, awaiting indexes); return how many.

    Schema statements run as auto-commit queries (they cannot share a transaction with data)."""
    applied = 0
    with driver_errors():
        for query in queries.migrations():
            for statement in query.statements:
                record_query(query.name)
                async with db.driver.session(database=db.settings.neo4j_database) as session, \
                        asyncio.timeout(db.call_timeout):
                    await (await session.run(statement)).consume()
                applied += 1
    return applied

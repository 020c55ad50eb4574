"""GraphQL over HTTP media types: which one a client's ``Accept`` prefers, and the status an answer
without data gets in ``application/graphql-response+json``."""

from __future__ import annotations

import mimeparse

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# With application/graphql-response+json, an answer without data (the request failed before
# execution) carries a 4xx or 5xx status; with application/json it is always 200.
STATUS_WITHOUT_DATA = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "RATE_LIMITED": 429,
                       "INTERNAL": 500, "SERVICE_UNAVAILABLE": 503}


def prefers_graphql_response(accept: str | None) -> bool:
    """Whether ``Accept`` names ``application/graphql-response+json`` with at least the quality of
    ``application/json``. ``*/*`` alone, no header or a malformed one mean JSON; media types are
    compared ignoring case."""
    accept = (accept or "").lower()
    if GRAPHQL_RESPONSE not in accept:  # most requests: nothing to parse
        return False
    try:
        ranges = [mimeparse.parse_media_range(part) for part in accept.split(",") if part.strip()]
    except (mimeparse.MimeTypeParseException, ValueError):
        return False
    quality, fitness = mimeparse.quality_and_fitness_parsed(GRAPHQL_RESPONSE, ranges)
    json_quality, _ = mimeparse.quality_and_fitness_parsed(JSON, ranges)
    named = fitness >= 110  # type and subtype matched without wildcards (mimeparse's scoring)
    return named and quality > 0 and quality >= json_quality


def content_type_for(accept: str | None) -> str:
    """The ``Content-Type`` of an answer to a request with this ``Accept``."""
    return f"{GRAPHQL_RESPONSE}; charset=utf-8" if prefers_graphql_response(accept) else JSON

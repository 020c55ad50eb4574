"""Depth and alias limits (bzgraph/limits.py): what Strawberry's limiters refuse, without walking
every path through the fragments."""

from __future__ import annotations

import time

import httpx
import pytest
from graphql import parse, validate
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from support import codes, contract, gql

from bzgraph.limits import alias_limit, depth_limit
from bzgraph.schema import default_schema

DOCUMENTS = [
    contract("ProfilePage"), contract("ResearchGraph"), contract("Collaborators"), contract("Search"),
    '{ a: researcher(id: "x") { b: closeCollaborators { researcher { c: id } } } }',
    'query Q { researcher(id: "x") { ...R ...R } } fragment R on Researcher { x: id y: name '
    "closeCollaborators { researcher { ...S } } } fragment S on Researcher { z: id works { edges { node { id } } } }",
    '{ researcher(id: "x") { ... on Researcher { a: id closeCollaborators { researcher { b: id } } } } }',
    '{ __schema { types { name fields { name type { name ofType { name } } } } } }',
    'query A { graphCounts { name } } query B { a: graphCounts { b: name } researcher(id: "x") { c: id } }',
]


def _messages(rule: type, document: str) -> set[str]:
    """The distinct messages (Strawberry's depth rule repeats one for every node past the limit)."""
    return {e.message for e in validate(default_schema()._schema, parse(document), [rule])}


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("limit", [0, 1, 2, 3, 4, 12])
def test_the_same_documents_are_refused_as_by_strawberrys_limiters(document: str, limit: int) -> None:
    """Strawberry's rules are the oracle: same documents refused, with the same messages (once each)."""
    (theirs_depth,) = QueryDepthLimiter(max_depth=limit).validation_rules
    (theirs_aliases,) = MaxAliasesLimiter(max_alias_count=limit).validation_rules
    assert _messages(depth_limit(limit), document) == _messages(theirs_depth, document)
    assert _messages(alias_limit(limit), document) == _messages(theirs_aliases, document)


def _fan_out(spreads: int, levels: int) -> str:
    """Fragment Fi spreads F(i+1) ``spreads`` times; a few hundred bytes that expand to spreads**levels paths."""
    fragments = [f"fragment F{i} on Query {{ {' '.join([f'...F{i + 1}'] * spreads)} }}" for i in range(levels)]
    fragments.append(f"fragment F{levels} on Query {{ __typename a: __typename }}")
    return "{ ...F0 } " + " ".join(fragments)


def test_a_fragment_fan_out_is_measured_without_expanding_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each selection set is measured once, however often its fragment is spread (8**7 = 2 million paths)."""
    from bzgraph import limits

    calls = {"depth": 0, "aliases": 0}
    for name in calls:
        measure = getattr(limits, f"_{name}")

        def counted(*args, _measure=measure, _name=name):
            calls[_name] += 1
            return _measure(*args)

        monkeypatch.setattr(limits, f"_{name}", counted)
    errors = validate(default_schema()._schema, parse(_fan_out(spreads=8, levels=7)), [depth_limit(12), alias_limit(30)])
    assert [e.message for e in errors] == [f"{8 ** 7} aliases found. Allowed: 30"]
    assert calls == {"depth": 9, "aliases": 9}  # the operation and its 8 fragments


def _zero_sized_fan_out(branch: int, levels: int, first: int = 0) -> str:
    """Fragments of researchers each spreading the level below ``branch`` times under
    ``closeCollaborators(first: first)``: a kilobyte whose paths number branch**levels."""
    fragments = ["fragment F0 on Researcher { name }"]
    for level in range(1, levels + 1):
        spreads = " ".join([f"...F{level - 1}"] * branch)
        fragments.append(f"fragment F{level} on Researcher {{ closeCollaborators(first: {first}) "
                         f"{{ researcher {{ {spreads} }} }} }}")
    return f'query Q {{ researcher(id: "bzr-leon-bungert") {{ ...F{levels} }} }} ' + " ".join(fragments)


@pytest.mark.parametrize("first", [0, 1])
def test_the_cost_of_a_fragment_fan_out_is_worked_out_once_per_fragment(monkeypatch: pytest.MonkeyPatch,
                                                                        first: int) -> None:
    """The cost rule walked every spread again: five levels of 25 spreads (1.2 KB, cost 2 when each
    list asks for 0 items) took 17 s of the event loop. Now each fragment is walked once for each
    type and size it is spread under; with `first: 0` the lists' selections are not walked at all."""
    from bzgraph import cost
    from bzgraph.schema import build_schema

    visits = 0
    field = cost._Estimate.field

    def counted(self: object, *args: object) -> int:
        nonlocal visits
        visits += 1
        return field(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cost._Estimate, "field", counted)
    schema = build_schema()._schema
    rule = cost.query_cost_limit(20_000, {"first": 100, "limit": 500})
    errors = validate(schema, parse(_zero_sized_fan_out(branch=25, levels=5, first=first)), [rule])
    assert visits < 50, visits  # fields walked: a few per fragment, not 25**5
    if first == 0:
        assert errors == []  # each list resolves nothing: cheap, and allowed
    else:
        assert [e.extensions["code"] for e in errors] == ["QUERY_TOO_COMPLEX"]  # 25**5 researchers


async def test_a_fragment_fan_out_is_refused_at_once_over_http(api: httpx.AsyncClient) -> None:
    started = time.perf_counter()
    body = await gql(api, _fan_out(spreads=8, levels=7))
    assert time.perf_counter() - started < 5  # it took 11 s, holding every other request
    assert "QUERY_TOO_COMPLEX" in codes(body)


async def test_a_fragment_that_spreads_itself_is_bad_user_input(api: httpx.AsyncClient) -> None:
    """A cycle of fragments is graphql-core's to report; the limits measure it as nothing more (they
    must not follow it for ever)."""
    for document in ("query Q { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
                     "query Q { a: __typename ...A } fragment A on Query { b: __typename ...A }"):
        body = await gql(api, document)
        assert codes(body) == ["BAD_USER_INPUT"] and "data" not in body, body
        assert any("Cannot spread fragment" in e["message"] for e in body["errors"]), body


async def test_the_document_cache_is_bounded_by_the_length_of_what_it_holds(api: httpx.AsyncClient,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Distinct long documents cannot fill memory: a parsed document takes about 75 times its text,
    so the cache counts characters, not documents; refused documents are not kept at all (their
    errors take far more than their text). The same text again is a hit: the same parsed document,
    validated once."""
    from collections import OrderedDict

    from bzgraph.extensions import DocumentCache

    monkeypatch.setattr(DocumentCache, "budget", 40_000)
    monkeypatch.setattr(DocumentCache, "_cache", OrderedDict())
    monkeypatch.setattr(DocumentCache, "_size", 0)
    refused = [f"query Q{i} {{ " + "a: __typename " * 600 + "}" for i in range(5)]  # too many aliases
    for document in refused:
        assert codes(await gql(api, document)) == ["QUERY_TOO_COMPLEX"]
    assert not DocumentCache._cache and DocumentCache._size == 0
    documents = [f"query Q{i} {{ __typename }} # " + "x" * 8_000 for i in range(12)]  # ~8 KB each, valid
    for document in documents:
        assert (await gql(api, document))["data"] == {"__typename": "Query"}
    fits = max(n for n in range(len(documents)) if sum(map(len, documents[-n:])) <= 40_000)
    assert 1 < fits < len(documents) and DocumentCache._size == sum(map(len, documents[-fits:]))
    assert [key[0] for key in DocumentCache._cache] == documents[-fits:]  # the least recently used went first
    (kept,) = [c for key, c in DocumentCache._cache.items() if key[0] == documents[-1]]
    assert (await gql(api, documents[-1]))["data"] == {"__typename": "Query"}
    assert DocumentCache._cache[next(reversed(DocumentCache._cache))] is kept and len(kept.results) == 1


@pytest.mark.parametrize("document, cost", [
    ('{ researcher(id: "x") { id } }', 2),  # a field costs 1, plus its selection
    # a list without a size argument counts LIST_FACTOR (10) items: 1 + (1 + 10 × (1 + 1))
    ('{ researcher(id: "x") { affiliations { institution { id } } } }', 22),
    # its items leaves too (the years of each of 10 affiliations): 1 + (1 + 10 × (1 + 10))
    ('{ researcher(id: "x") { affiliations { years } } }', 112),
    # a size argument multiplies its selection instead, per item (edge, node, id): 1 + (1 + 3 × 3)
    ('{ researcher(id: "x") { works(first: 3) { edges { node { id } } } } }', 1 + 1 + 3 * 3),
])
def test_the_cost_estimate_is_the_one_its_rules_describe(document: str, cost: int) -> None:
    """The estimate by the rules of `bzgraph/cost.py`'s docstring, worked out by hand."""
    from graphql import parse, validate

    from bzgraph.cost import query_cost_limit
    from bzgraph.schema import default_schema

    errors = validate(default_schema()._schema, parse(document), [query_cost_limit(1, {"first": 100, "limit": 500})])
    assert [e.extensions["cost"] for e in errors] == [cost], document

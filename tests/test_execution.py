"""Planned completion (``bzgraph.execution``) answers exactly as graphql-core's own executor.

Each document runs twice, once with Strawberry's stock execution context and once with ours, and
the answers (data and errors, with their paths) must be equal. The plans must also really be used.
"""

from __future__ import annotations

import gc
import json
import warnings
from collections.abc import Awaitable
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import FieldExtension, ParserCache
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from support import contract

from bzgraph import execution
from bzgraph.context import Context
from bzgraph.db import Database
from bzgraph.schema import build_schema


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    name: str


class Shout(FieldExtension):
    """A field extension on a field without a resolver: the plan must leave such fields to Strawberry."""

    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs).upper()


@strawberry.type
class Leaf(Named):
    name: str
    loud: str = strawberry.field(default="quiet", extensions=[Shout()])
    size: int | None
    colour: Colour
    tags: list[str]
    scores: list[int | None] | None


@strawberry.type
class Box:
    label: str
    leaves: list[Leaf]
    first: Leaf | None
    named: list[Named]


async def _later(value: int) -> int:
    return value


COUNTED: list[int] = []  # each call of Shelf.count: a plan that gives an object back to graphql-core calls it twice


@strawberry.type
class Shelf:
    """Pure resolvers (``execution.PURE``), which the plan calls itself."""

    books: strawberry.Private[list[str]]
    loaded: strawberry.Private[bool] = True

    @strawberry.field(metadata=execution.PURE)
    def titles(self, first: int = 2, prefix: str | None = None) -> list[str]:
        if first > 3:
            raise ValueError("`first` must be at most 3")
        return [f"{prefix or ''}{book}" for book in self.books[:first]]

    @strawberry.field(graphql_type=int, metadata=execution.PURE)
    def count(self) -> Awaitable[int] | int:
        """The value at once when loaded, else an awaitable (the plan gives the object back)."""
        COUNTED.append(len(self.books))
        return len(self.books) if self.loaded else _later(len(self.books))

    @strawberry.field(metadata=execution.PURE)
    def asks_info(self, info: Info) -> str:
        """Pure, but asks for ``info``: the plan cannot call it as Strawberry would."""
        return info.field_name

    @strawberry.field
    def unmarked(self) -> str:
        return "unmarked"


@strawberry.type
class Query:
    @strawberry.field
    def shelves(self, loaded: bool = True) -> list[Shelf]:
        return [Shelf(books=["a", "b", "c", "d"][:n], loaded=loaded or n != 2) for n in range(4)]

    @strawberry.field
    def box(self, broken: str = "") -> Box:
        leaves = [Leaf(name=f"leaf {i}", size=i, colour=Colour.RED if i % 2 else Colour.BLUE,
                       tags=["a", "b"][: i % 3], scores=[i, None]) for i in range(4)]
        if broken == "null":  # a null where the schema says non-null
            leaves[2].name = None  # type: ignore[assignment]
        if broken == "type":  # a value that does not coerce to Int
            leaves[1].size = "many"  # type: ignore[assignment]
        if broken == "list":  # not a list where a list is due
            leaves[3].tags = 5  # type: ignore[assignment]
        if broken == "attribute":  # reading the attribute fails
            del leaves[1].size
        if broken == "big":  # an int beyond GraphQL's 32-bit Int
            leaves[1].size = 2**40
        if broken == "bool":  # a bool where an Int is due: graphql-core coerces it to 1
            leaves[1].size = True  # type: ignore[assignment]
        return Box(label="box", leaves=leaves, first=leaves[0], named=list(leaves))


DOCUMENTS = {
    "plain": "{ box { label leaves { name size colour tags scores } first { name } } }",
    "aliases and typename": "{ b: box { __typename l: label leaves { n: name __typename s1: size s2: size } } }",
    "fragments": """
        query { box { ...B leaves { ... on Leaf { colour } ...L } } }
        fragment B on Box { label first { ...L } }
        fragment L on Leaf { name tags }""",
    "directives": """
        query ($with: Boolean!) { box { label leaves { name size @include(if: $with) colour @skip(if: $with) } } }""",
    "interface": "{ box { named { name ... on Leaf { size } } } }",
    "non-null violated": '{ box(broken: "null") { label leaves { name size } } }',
    "coercion failed": '{ box(broken: "type") { leaves { name size } } }',
    "list expected": '{ box(broken: "list") { leaves { name tags } } }',
    "attribute missing": '{ box(broken: "attribute") { leaves { name size } } }',
    "int out of range": '{ box(broken: "big") { leaves { name size } } }',
    "bool as int": '{ box(broken: "bool") { leaves { name size } } }',
    "field extension": "{ box { leaves { name loud } first { loud } } }",
    "pure resolvers": """
        query ($n: Int, $p: String) {
          shelves { count titles t1: titles(first: 1) t2: titles(first: $n, prefix: $p) } }""",
    "pure resolver raising": "{ shelves { count titles(first: 4) } }",
    "pure resolver awaiting": "{ shelves(loaded: false) { count titles } }",
    "pure resolver asking for info": "{ shelves { count asksInfo } }",
    "unmarked resolver": "{ shelves { count unmarked } }",
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
@pytest.mark.parametrize("include", [True, False])
async def test_planned_completion_answers_as_graphql_core(name: str, include: bool) -> None:
    planned = strawberry.Schema(query=Query, execution_context_class=execution.PlannedExecutionContext)
    stock = strawberry.Schema(query=Query)
    variables = {"with": include} if name == "directives" else None
    if name == "pure resolvers":
        variables = {"n": 3, "p": ">"} if include else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = await planned.execute(DOCUMENTS[name], variable_values=variables)
        theirs = await stock.execute(DOCUMENTS[name], variable_values=variables)
        gc.collect()
    assert json.dumps(ours.data) == json.dumps(theirs.data)  # the same keys in the same order, true ≠ 1
    assert [e.formatted for e in ours.errors or []] == [e.formatted for e in theirs.errors or []]
    if name.startswith(("non-null", "coercion", "list", "attribute", "int out", "pure resolver raising")):
        assert ours.errors, "the broken value must be reported"
    # an awaitable a pure resolver returned and the plan dropped is closed, never left unawaited
    assert not [w for w in caught if "never awaited" in str(w.message)]


def _plans_for(document: str) -> list[Any]:
    """The cached plans (None: not plannable) of the objects selected by ``document``."""
    return [plan for (_, *nodes), plan in execution.PLANS._plans.values()
            if nodes[0].loc and nodes[0].loc.source.body == document]


async def test_plain_subtrees_are_planned_once_and_reused() -> None:
    planned = strawberry.Schema(query=Query, execution_context_class=execution.PlannedExecutionContext,
                                extensions=[ParserCache])
    document = "{ box { label leaves { name size } } }"
    await planned.execute(document)
    plans = _plans_for(document)
    assert len(plans) == 1 and plans[0] is not None
    again = await planned.execute(document)
    assert _plans_for(document) == plans
    assert again.data["box"]["leaves"][3] == {"name": "leaf 3", "size": 3}


async def test_pure_resolvers_are_planned_and_others_are_not() -> None:
    planned = strawberry.Schema(query=Query, execution_context_class=execution.PlannedExecutionContext,
                                extensions=[ParserCache])
    pure = "query ($n: Int) { shelves { count titles(first: $n) } }"
    for n in (1, 3):  # one plan, whatever the variables, and the plan answers: no shelf given back
        COUNTED.clear()
        result = await planned.execute(pure, variable_values={"n": n})
        assert result.data["shelves"][3] == {"count": 3, "titles": ["a", "b", "c"][:n]}
        assert COUNTED == [0, 1, 2, 3]
    assert len(_plans_for(pure)) == 1 and _plans_for(pure)[0] is not None
    for document in ("{ shelves { count asksInfo } }", "{ shelves { count unmarked } }"):
        assert not (await planned.execute(document)).errors
        assert _plans_for(document) and all(plan is None for plan in _plans_for(document))


async def test_a_field_extension_keeps_the_object_off_the_plan() -> None:
    planned = strawberry.Schema(query=Query, execution_context_class=execution.PlannedExecutionContext,
                                extensions=[ParserCache])
    document = "{ box { label first { name loud } } }"
    result = await planned.execute(document)
    assert result.data["box"]["first"] == {"name": "leaf 0", "loud": "QUIET"}
    assert _plans_for(document) and all(plan is None for plan in _plans_for(document))


async def test_a_directive_below_keeps_the_subtree_off_the_plan() -> None:
    planned = strawberry.Schema(query=Query, execution_context_class=execution.PlannedExecutionContext,
                                extensions=[ParserCache])
    document = "query ($w: Boolean!) { box { label leaves { name @include(if: $w) } } }"
    on = await planned.execute(document, variable_values={"w": True})
    assert _plans_for(document) and all(plan is None for plan in _plans_for(document))
    off = await planned.execute(document, variable_values={"w": False})
    assert on.data["box"]["leaves"][0] == {"name": "leaf 0"}
    assert off.data == {"box": {"label": "box", "leaves": [{}, {}, {}, {}]}}


@pytest.mark.parametrize("operation, variables", [
    ("ProfilePage", {"id": "bzr-leon-bungert", "worksFirst": 5}),
    ("TrustSnapshot", {"id": "bzr-leon-bungert"}),
    ("Collaborators", {"id": "bzr-leon-bungert"}),
    ("ResearchGraph", {"id": "bzr-leon-bungert"}),
    ("Search", {"q": "optimal transport"}),
])
async def test_contract_operations_answer_as_with_graphql_core(
        seeded: Database, operation: str, variables: dict[str, Any]) -> None:
    document = contract(operation)
    answers = []
    for schema in (build_schema(), build_schema(execution_context_class=None)):
        result = await schema.execute(document, variable_values=variables,
                                      context_value=Context(request=None, db=seeded))
        assert not result.errors, result.errors
        answers.append(result.data)
    assert answers[0] == answers[1]
    assert any(answers[0].values())


async def test_the_profile_page_researcher_is_planned_whole(seeded: Database) -> None:
    """Its fields are pure resolvers reading the looked-ahead profile row: one plan covers them."""
    schema = build_schema()
    document = contract("ProfilePage")
    result = await schema.execute(document, variable_values={"id": "bzr-leon-bungert"},
                                  context_value=Context(request=None, db=seeded))
    assert not result.errors and result.data["researcher"]["works"]["edges"]
    researcher = schema._schema.type_map["Researcher"]
    plans = [plan for (object_type, *nodes), plan in execution.PLANS._plans.values()
             if object_type is researcher and nodes[0].loc and nodes[0].loc.source.body == document]
    assert len(plans) == 1 and plans[0] is not None


def test_every_field_marked_pure_in_the_schema_can_be_planned() -> None:
    """A field marked PURE that the plan cannot call (one asking for `info`, say) silently falls
    back to graphql-core, and with it the whole object it belongs to."""
    from bzgraph.schema import default_schema

    marked = [(type_name, name, field) for type_name, type_ in default_schema()._schema.type_map.items()
              for name, field in (getattr(type_, "fields", None) or {}).items()
              if getattr((field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF), "metadata", {})
              .get("bzgraph.pure")]
    assert len(marked) >= 10
    for type_name, name, field in marked:
        assert execution._pure_resolver(field) is not None, f"{type_name}.{name} is marked PURE but cannot be planned"



def test_the_plan_cache_is_bounded_by_the_text_of_the_documents_its_plans_keep() -> None:
    """A plan keeps its field nodes, and a node keeps its whole document (source and tokens): 1,024
    plans of documents of 50,000 characters kept 470 MB alive (a load review), past the document
    cache's bound. The plans now keep at most the budget's worth of text, each document counted once."""
    from graphql import parse

    from bzgraph.execution import _PlanCache

    def fields(text: str) -> list:
        document = parse(text)
        return list(document.definitions[0].selection_set.selections)

    cache = _PlanCache(size=100, budget=100)
    first = fields("{ a b } # " + "x" * 40)
    cache.put(("t", 1), ["type", first[0]], None)
    cache.put(("t", 2), ["type", first[1]], None)  # the same document: counted once
    assert cache.chars == len("{ a b } # " + "x" * 40) and len(cache._plans) == 2
    second = fields("{ c } # " + "y" * 50)
    cache.put(("t", 3), ["type", second[0]], None)  # 108 characters in all: the oldest document goes
    assert cache.get(("t", 1)) is None and cache.get(("t", 2)) is None and cache.get(("t", 3)) is not None
    assert cache.chars == len("{ c } # " + "y" * 50) and list(cache._sources) == [id(second[0].loc.source)]
    many = _PlanCache(size=2, budget=10**9)
    for k in range(3):
        many.put(("t", k), ["type", fields("{ z }")[0]], None)
    assert len(many._plans) == 2 and len(many._sources) == 2  # the count bound still holds

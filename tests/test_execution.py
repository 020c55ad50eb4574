"""Planned completion (``bzgraph.execution``) answers exactly as graphql-core's own executor.

Each document runs twice, once with Strawberry's stock execution context and once with ours, and
the answers (data and errors, with their paths) must be equal. The plans must also really be used.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import FieldExtension, ParserCache
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


@strawberry.type
class Query:
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
    "field extension": "{ box { leaves { name loud } first { loud } } }",
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
@pytest.mark.parametrize("include", [True, False])
async def test_planned_completion_answers_as_graphql_core(name: str, include: bool) -> None:
    planned = strawberry.Schema(query=Query, execution_context_class=execution.PlannedExecutionContext)
    stock = strawberry.Schema(query=Query)
    variables = {"with": include} if name == "directives" else None
    ours = await planned.execute(DOCUMENTS[name], variable_values=variables)
    theirs = await stock.execute(DOCUMENTS[name], variable_values=variables)
    assert ours.data == theirs.data
    assert [e.formatted for e in ours.errors or []] == [e.formatted for e in theirs.errors or []]
    if name.startswith(("non-null", "coercion", "list", "attribute")):
        assert ours.errors, "the broken value must be reported"


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

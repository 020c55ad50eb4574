"""Null for a size reads as the size's declared default, in one place (``bzgraph.defaults``).

A resolver, the plan's call of a pure resolver and a look-ahead all take the default from the
schema's declaration; the answers over HTTP are in ``test_errors`` (a size sent as null).
"""

from __future__ import annotations

from typing import Annotated

import pytest
import strawberry
from graphql import GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType, Undefined, get_nullable_type

from bzgraph import defaults, execution
from bzgraph.api.inputs import size_argument
from bzgraph.schema import build_schema

SIZES = ("first", "limit", "depth", "maxHops")


@strawberry.type
class Shelf:
    books: strawberry.Private[list[str]]

    @strawberry.field(metadata=execution.PURE)
    def titles(self, first: Annotated[int, size_argument("how many")] = 2) -> list[str]:
        """Pure: the plan calls it itself, not through the field's resolve."""
        return self.books[:first]


@strawberry.type
class Query:
    @strawberry.field
    def sync(self, first: Annotated[int, size_argument("how many")] = 7, after: str | None = None) -> str:
        return f"{first} {after}"

    @strawberry.field
    async def later(self, limit: Annotated[int, size_argument("how many")] = 3) -> int:
        return limit

    @strawberry.field
    def shelf(self) -> Shelf:
        return Shelf(books=["a", "b", "c", "d"])

    @strawberry.field
    def note(self, text: str | None) -> str:
        """Nullable without a default: the client must name it, and null is its value."""
        return repr(text)


def _schema() -> strawberry.Schema:
    schema = strawberry.Schema(query=Query, execution_context_class=execution.PlannedExecutionContext)
    defaults.apply_to_schema(schema._schema)
    return schema


@pytest.mark.parametrize("document, variables", [
    ("{ sync later shelf { titles } }", None),
    ("{ sync(first: null) later(limit: null) shelf { titles(first: null) } }", None),
    ("query ($n: Int, $a: String) { sync(first: $n, after: $a) later(limit: $n) shelf { titles(first: $n) } }",
     {"n": None, "a": None}),
])
async def test_null_reads_as_the_declared_default_for_every_kind_of_resolver(document: str, variables: dict | None) -> None:
    result = await _schema().execute(document, variable_values=variables)
    assert result.errors is None
    # an argument whose default is null stays null; the pure resolver is called by the plan
    assert result.data == {"sync": "7 None", "later": 3, "shelf": {"titles": ["a", "b"]}}


async def test_a_size_given_is_taken_as_given() -> None:
    result = await _schema().execute("query ($n: Int) { sync(first: 0, after: \"x\") later(limit: $n) "
                                     "shelf { titles(first: $n) } }", variable_values={"n": 4})
    assert result.data == {"sync": "0 x", "later": 4, "shelf": {"titles": ["a", "b", "c", "d"]}}


async def test_an_argument_without_a_declared_default_receives_the_null_itself() -> None:
    """Only a declared default stands in for null: an argument that declares none gets None, not
    graphql-core's Undefined (which its resolver would take for a value)."""
    result = await _schema().execute("query ($t: String) { note(text: null) given: note(text: $t) }",
                                     variable_values={"t": None})
    assert result.errors is None and result.data == {"note": "None", "given": "None"}


def test_without_the_mechanism_a_resolver_would_receive_null() -> None:
    """The test above tells the mechanism apart: graphql-core alone passes the null on."""
    schema = strawberry.Schema(query=Query)
    result = schema.execute_sync("{ sync(first: null) }")
    assert result.data == {"sync": "None None"}


def test_every_size_of_the_schema_is_nullable_with_a_default_its_resolver_receives_for_null() -> None:
    schema = build_schema()._schema
    sizes = 0
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            for argument_name in set(SIZES) & set(field.args):
                argument = field.args[argument_name]
                where = f"{named.name}.{name}({argument_name})"
                assert not isinstance(argument.type, GraphQLNonNull), where
                assert get_nullable_type(argument.type).name == "Int", where
                assert isinstance(defaults.declared_default(argument), int), where
                assert argument_name in defaults.defaults_for_null(field), where
                assert getattr(field.resolve, "__wrapped__", None) is not None, f"{where} not wrapped"
                sizes += 1
    assert sizes >= 20  # every list and bound of the schema (a guard against finding none)


def test_no_input_field_declares_a_default_the_mechanism_would_not_give_for_null() -> None:
    """The mechanism reads arguments, not the fields of input objects: until it does, no nullable input
    field may declare a default other than null (its resolver would receive the null itself)."""
    schema = build_schema()._schema
    inputs = [named for named in schema.type_map.values() if isinstance(named, GraphQLInputObjectType)]
    assert inputs, "the schema has input objects (ClaimEvidenceInput): the check must see them"
    for named in inputs:
        for name, field in named.fields.items():
            default = field.default_value
            assert isinstance(field.type, GraphQLNonNull) or default is Undefined or default is None, \
                f"{named.name}.{name} declares a default for null"

"""Null for an argument with a default reads as that default, in one place.

GraphQL gives a resolver the null a client sent even where the argument declares a default
(``works(first: null)``, or ``$worksFirst: Int = 10`` sent as null): only an argument left out takes
its default. Our sizes are nullable as Relay's ``first`` is, null meaning "no preference", so every
reader of an argument — a resolver, the execution plan's call of a pure resolver, a look-ahead
that reads a nested list's size for its parent's query, the cost rule — must read null as the
declared default. They all take it from the schema's declaration through this module; no resolver
repeats a default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from graphql import GraphQLArgument, GraphQLField, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, Undefined


def declared_default(argument: GraphQLArgument) -> Any:
    """The value ``argument`` takes when left out or given as null: its declared default (None when
    it declares none)."""
    default = argument.default_value
    return None if default is Undefined else default


def defaults_for_null(field: GraphQLField) -> dict[str, Any]:
    """The arguments of ``field`` whose null reads as a default, by GraphQL name: the nullable ones
    that declare a default other than null."""
    return {name: declared_default(argument) for name, argument in field.args.items()
            if not isinstance(argument.type, GraphQLNonNull) and declared_default(argument) is not None}


def with_defaults(defaults: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (coerced arguments by GraphQL name) with each null in ``defaults`` replaced by its
    default."""
    for name, default in defaults.items():
        if name in values and values[name] is None:
            values[name] = default
    return values


def apply_to_schema(schema: GraphQLSchema) -> None:
    """Make every resolver of ``schema`` that has such arguments receive the default for a null
    (wrapping the resolvers once, when the schema is built)."""
    for named_type in schema.type_map.values():
        if isinstance(named_type, GraphQLObjectType) and not named_type.name.startswith("__"):
            for field in named_type.fields.values():
                defaults = defaults_for_null(field)
                if defaults and field.resolve is not None:
                    field.resolve = _resolving_with(defaults, field.resolve)


def _resolving_with(defaults: Mapping[str, Any], resolve: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(resolve)
    def resolver(source: Any, info: Any, **arguments: Any) -> Any:
        return resolve(source, info, **with_defaults(defaults, arguments))

    return resolver

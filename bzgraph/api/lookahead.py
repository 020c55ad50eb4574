"""Looking ahead at a field's selection: which fields under it are asked for, with which arguments.

A resolver that answers a whole subtree from one query (a researcher's profile, the viewer's
account) reads the list arguments of the fields below it before running that query. Only the
fields directly under the current one are read (graphql-core's nodes, which Strawberry's
``selected_fields`` also reads, without converting the whole subtree).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import GraphQLBoolean, GraphQLResolveInfo, Undefined, get_named_type, value_from_ast
from graphql.execution.values import VariableValues
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionNode
from strawberry.types import Info

from bzgraph.api.inputs import MAX_PAGE
from bzgraph.defaults import declared_default


def selected_fields(info: Info[Any, Any], names: set[str]) -> dict[str, FieldNode]:
    """The first field of each of ``names`` selected directly under the current field (looking
    through fragments, leaving out what ``@skip`` and ``@include`` remove)."""
    raw = info._raw_info
    found: dict[str, FieldNode] = {}
    for node in raw.field_nodes:
        if node.selection_set:
            _find_fields(node.selection_set.selections, raw.fragments, names, _variables(raw), found)
    return found


def selected_below(info: Info[Any, Any], field: FieldNode, names: set[str]) -> dict[str, FieldNode]:
    """The first field of each of ``names`` selected directly under ``field``, a field selected under
    the current one (as :func:`selected_fields` reads them)."""
    raw = info._raw_info
    found: dict[str, FieldNode] = {}
    if field.selection_set:
        _find_fields(field.selection_set.selections, raw.fragments, names, _variables(raw), found)
    return found


def argument(info: Info[Any, Any], field: FieldNode | None, name: str, unselected: Any) -> Any:
    """The value of argument ``name`` of ``field``, a field of the current field's type, coerced to
    the argument's type: its declared default when it is not given or null (:mod:`bzgraph.defaults`),
    ``unselected`` when the field is not selected. A ``first`` out of range reads as the default: the
    field's own resolver refuses it, so that the error names that field and the rest of the answer
    is still given."""
    if field is None:
        return unselected
    raw = info._raw_info
    definition = get_named_type(raw.return_type).fields[field.name.value].args[name]  # type: ignore[attr-defined]
    default = value = declared_default(definition)
    for given in field.arguments or ():
        if given.name.value == name:
            coerced = value_from_ast(given.value, definition.type, _variables(raw))
            value = default if coerced is None or coerced is Undefined else coerced
    if name == "first" and not 0 <= value <= MAX_PAGE:
        return default
    return value


def _variables(raw: GraphQLResolveInfo) -> dict[str, Any]:
    """The request's variables by name: Strawberry's execution gives graphql-core's resolve info a
    dict, which graphql-core 3.3 types as its ``VariableValues``."""
    values: Any = raw.variable_values
    return values.coerced if isinstance(values, VariableValues) else values


def _find_fields(selections: Iterable[SelectionNode], fragments: dict[str, Any], names: set[str],
                 variables: dict[str, Any], found: dict[str, FieldNode]) -> None:
    for selection in selections:
        if not _included(selection, variables):
            continue
        if isinstance(selection, FieldNode):
            if selection.name.value in names:
                found.setdefault(selection.name.value, selection)
        elif isinstance(selection, InlineFragmentNode):
            _find_fields(selection.selection_set.selections, fragments, names, variables, found)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            _find_fields(fragments[selection.name.value].selection_set.selections, fragments, names, variables, found)


def _included(selection: SelectionNode, variables: dict[str, Any]) -> bool:
    """False when ``@skip(if: true)`` or ``@include(if: false)`` is on ``selection``."""
    for directive in selection.directives or ():
        name = directive.name.value
        if name in ("skip", "include"):
            condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
            value = value_from_ast(condition, GraphQLBoolean, variables) if condition else None
            if (name == "skip" and value is True) or (name == "include" and value is False):
                return False
    return True

"""Depth and alias limits on GraphQL documents, as validation rules that read each fragment once.

They refuse what Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` refuse, with the same
messages (so the same code, ``QUERY_TOO_COMPLEX``). Those walk every path through the fragments: a
fragment spread eight times, whose fragment spreads another eight times, and so on seven levels
down, is a 556-byte document they took 11 s to walk, holding the event loop (and every other
request) the whole time. Here a fragment's depth and alias count are worked out once and reused
wherever it is spread, so the cost follows the document's size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from graphql.language import VisitorAction
from graphql.language.visitor import SKIP


def _per_fragment(document: DocumentNode, measure: Callable[[SelectionSetNode, Callable[[str], int]], int]
                  ) -> Callable[[str], int]:
    """``measure`` of each fragment's selection, computed once; a fragment inside itself (a cycle,
    which graphql-core reports) counts 0."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    known: dict[str, int] = {}
    entered: set[str] = set()

    def of(name: str) -> int:
        if name in known:
            return known[name]
        fragment = fragments.get(name)
        if fragment is None or name in entered:
            return 0
        entered.add(name)
        known[name] = measure(fragment.selection_set, of)
        entered.discard(name)
        return known[name]

    return of


def _depth(selection_set: SelectionSetNode, fragment: Callable[[str], int]) -> int:
    """Nested levels of fields with a selection (introspection fields left out), fragments inlined."""
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set and not selection.name.value.startswith("__"):
                deepest = max(deepest, 1 + _depth(selection.selection_set, fragment))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragment))
        elif isinstance(selection, FragmentSpreadNode):
            deepest = max(deepest, fragment(selection.name.value))
    return deepest


def _aliases(selection_set: SelectionSetNode, fragment: Callable[[str], int]) -> int:
    """Aliased fields, each spread of a fragment counting its aliases again."""
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode) and selection.alias:
            total += 1
        if isinstance(selection, (FieldNode, InlineFragmentNode)) and selection.selection_set:
            total += _aliases(selection.selection_set, fragment)
        elif isinstance(selection, FragmentSpreadNode):
            total += fragment(selection.name.value)
    return total


def depth_limit(max_depth: int) -> type[ValidationRule]:
    """The rule class: refuse an operation nested deeper than ``max_depth`` levels."""

    class DepthLimit(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> VisitorAction:
            fragment = _per_fragment(node, _depth)
            for operation in node.definitions:
                if isinstance(operation, OperationDefinitionNode) \
                        and _depth(operation.selection_set, fragment) > max_depth:
                    name = operation.name.value if operation.name else "anonymous"
                    self.report_error(GraphQLError(f"'{name}' exceeds maximum operation depth of {max_depth}",
                                                   operation))
            return SKIP

    return DepthLimit


def alias_limit(max_aliases: int) -> type[ValidationRule]:
    """The rule class: refuse a document whose operations hold more than ``max_aliases`` aliases."""

    class AliasLimit(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> VisitorAction:
            fragment = _per_fragment(node, _aliases)
            total = sum(_aliases(d.selection_set, fragment) for d in node.definitions
                        if isinstance(d, OperationDefinitionNode))
            if total > max_aliases:
                self.report_error(GraphQLError(f"{total} aliases found. Allowed: {max_aliases}"))
            return SKIP

    return AliasLimit

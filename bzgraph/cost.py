"""Query cost: a validation rule that refuses documents whose answer could be too large.

Depth, alias and token limits bound a document's *text*; a short document can still ask for a
huge answer by nesting sized lists (five levels of ``closeCollaborators(first: 100)`` is up to
100⁵ researchers). The rule estimates, before anything runs, how many fields an operation could
resolve at most, and refuses it with ``QUERY_TOO_COMPLEX`` above the limit:

- every field costs 1, plus the cost of its selection;
- a field with a size argument (``first``, ``limit``, or a list of ``ids``) multiplies its selection
  by that size: the literal given (the number of ids a literal list holds), the argument's default
  when it is left out or null, or the largest size allowed when it comes from a variable
  (validation runs once per document, before variables are known; a field may allow more than its
  argument's name does elsewhere: ``field_max_sizes``);
- a list field without a size argument multiplies by ``LIST_FACTOR``, unless it sits directly
  inside a sized object (a connection's ``edges``, a subgraph's ``nodes``): the size counts there;
  a list with a size argument of its own inside a sized object (a subgraph's ``crossEdges(first:)``)
  counts its own size, once, not again for each of the object's;
  a list the server bounds itself (``list_sizes``: an analyst query's rows) by that bound;
- a list counts its items, leaves too (a list of 5,000 JSON rows costs 5,000).

``__schema`` and ``__type`` cost what answering them could resolve: ``INTROSPECTION_PER_ITEM``
fields (a name, a description, a type reference nested a few levels) for every type, field,
argument, enum value and directive of the schema, whatever is selected (about 4,300 for today's
schema).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    get_nullable_type,
)
from graphql.language import VisitorAction
from graphql.language.visitor import SKIP

from bzgraph.defaults import declared_default

LIST_FACTOR = 10
INTROSPECTION_PER_ITEM = 10
# Nested sizes multiply, so a short document can estimate past any number a JSON integer holds (64
# bits): an answer reports at most this, as "more than".
REPORTED_COST_MAX = 10**15


def query_cost_limit(max_cost: int, max_sizes: Mapping[str, int],
                     list_sizes: Mapping[str, int] | None = None,
                     field_max_sizes: Mapping[str, int] | None = None) -> type[ValidationRule]:
    """The rule class: refuse operations above ``max_cost``; ``max_sizes`` maps each size argument
    name to the largest value the schema accepts for it, ``field_max_sizes`` maps ``Type.field`` to
    the largest its size argument accepts where that differs; ``list_sizes`` maps ``Type.field`` to
    the most items a list without a size argument can hold."""

    class QueryCostLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> VisitorAction:
            root = self.context.schema.get_root_type(node.operation)
            if root is not None:
                estimate = _Estimate(self.context, max_sizes, max_cost, list_sizes or {}, field_max_sizes or {})
                cost = estimate.selection(node.selection_set, root, 1)
                if cost > max_cost:
                    name = f"'{node.name.value}' " if node.name else ""
                    amount = f"up to {cost:,}" if cost <= REPORTED_COST_MAX else f"more than {REPORTED_COST_MAX:,}"
                    self.report_error(GraphQLError(
                        f"The operation {name}could resolve {amount} fields; the limit is {max_cost:,}."
                        " Ask for smaller pages or fewer nested lists.",
                        node, extensions={"code": "QUERY_TOO_COMPLEX", "cost": min(cost, REPORTED_COST_MAX),
                                          "maxCost": max_cost}))
            return SKIP

    return QueryCostLimit


class _Estimate:
    """One operation's cost. It stops adding once past the limit, does not enter a fragment within
    itself (a cycle, which another rule reports), and works out each named fragment once for each
    place it can be spread in (its type and the size multiplying it): a document that spreads
    fragments into fragments, each many times, costs time linear in its text to estimate, not the
    product of its branchings (a 1.2 KB document of five such levels took 17 s). A field of size 0
    costs 1, its selection unwalked."""

    def __init__(self, context: ValidationContext, max_sizes: Mapping[str, int], limit: int,
                 list_sizes: Mapping[str, int], field_max_sizes: Mapping[str, int]) -> None:
        self.context, self.max_sizes, self.limit, self.list_sizes = context, max_sizes, limit, list_sizes
        self.field_max_sizes = field_max_sizes
        self.entered: set[str] = set()
        self.fragments: dict[tuple[str, str, int], int] = {}  # (fragment, type spread on, size) -> cost

    def selection(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, parent_size: int) -> int:
        """The cost of a selection on ``parent``, an object its field multiplies by ``parent_size``."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, parent_size)
            else:
                if isinstance(selection, InlineFragmentNode):
                    fragment_set, condition = selection.selection_set, selection.type_condition
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.context.get_fragment(selection.name.value)
                    if fragment is None or fragment.name.value in self.entered:
                        continue
                    fragment_set, condition = fragment.selection_set, fragment.type_condition
                else:
                    continue
                fragment_type = self.context.schema.get_type(condition.name.value) if condition else parent
                if isinstance(selection, FragmentSpreadNode):
                    key = (selection.name.value, parent.name, parent_size)
                    if key not in self.fragments:
                        self.entered.add(key[0])
                        self.fragments[key] = self.selection(fragment_set, fragment_type or parent, parent_size)
                        self.entered.discard(key[0])
                    total += self.fragments[key]
                else:
                    total += self.selection(fragment_set, fragment_type or parent, parent_size)
            if total > self.limit:
                break
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType, parent_size: int) -> int:
        name = node.name.value
        if name in ("__schema", "__type"):
            return introspection_cost(self.context.schema)
        fields = getattr(parent, "fields", None)
        definition: GraphQLField | None = fields.get(name) if fields and not name.startswith("__") else None
        if definition is None:  # __typename, or unknown (another rule reports it)
            return 1
        own_size = self.size(node, definition, self.field_max_sizes.get(f"{parent.name}.{name}"))
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        size = own_size
        if size is None:
            bound = self.list_sizes.get(f"{parent.name}.{name}")
            size = bound if bound is not None else LIST_FACTOR if is_list and parent_size == 1 else 1
        if size == 0:
            return 1  # nothing under it resolves
        named = get_named_type(definition.type)
        inner = self.selection(node.selection_set, named,
                               size if size > 1 and not is_list and isinstance(named, GraphQLObjectType) else 1)
        cost = 1 + size * (max(inner, 1) if is_list else inner)
        if own_size is not None and parent_size > 1:
            return -(-cost // parent_size)  # its own size, not again per the parent's: the parent multiplies
        return cost

    def size(self, node: FieldNode, definition: GraphQLField, field_largest: int | None) -> int | None:
        """The field's size argument: given, defaulted, or its largest allowed value for a variable."""
        for name, largest in self.max_sizes.items():
            if name not in definition.args:
                continue
            largest = field_largest if field_largest is not None else largest
            given = next((a.value for a in node.arguments or () if a.name.value == name), None)
            if given is None or isinstance(given, NullValueNode):  # left out, or null: the default
                default = declared_default(definition.args[name])
                return default if isinstance(default, int) else largest
            if isinstance(given, IntValueNode):
                return max(0, min(int(given.value), largest))  # out of range fails at execution
            if isinstance(given, ListValueNode):  # a list of keys (`nodes(ids:)`): as many as it holds
                return min(len(given.values), largest)
            return largest
        return None


@cache
def introspection_cost(schema: GraphQLSchema) -> int:
    """What one ``__schema`` (or ``__type``) could resolve at most, ``INTROSPECTION_PER_ITEM`` for
    every type, field, argument, enum value and directive of ``schema``."""
    items = len(schema.type_map)
    for named in schema.type_map.values():
        for field in (getattr(named, "fields", None) or {}).values():
            items += 1 + len(getattr(field, "args", None) or {})
        items += len(getattr(named, "values", None) or {})
    items += sum(1 + len(d.args) for d in schema.directives)
    return INTROSPECTION_PER_ITEM * items

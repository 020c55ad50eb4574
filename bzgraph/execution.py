"""Precompiled completion of plain-data subtrees, inside graphql-core's executor.

graphql-core completes every field of a result one by one: it builds a resolve info, looks up
the resolver, checks for awaitables and coerces the value, about 20 µs a field here. Most of a
profile page is plain data under a resolver (a page of works: edges, cursors, titles, years) whose
fields only read an attribute. For such a subtree — every field selected below an object is a
Strawberry field without a resolver, and no directive applies — this module builds a plan once per
document and replays it on every request: attribute reads and the types' own ``coerce_output_value``.

A resolver can join the plan too, when its field says it is pure (``metadata=PURE``): it takes no
``info``, only built-in scalar arguments, and computes its value from its parent and arguments
without side effects. The plan then calls it as Strawberry would (the parent as ``self``, the
arguments coerced from the document and this request's variables). A pure resolver may return an
awaitable when its parent does not hold the value; the plan then closes that awaitable unstarted and
gives the object back to graphql-core, which calls the resolver again and awaits it.

Anything the plan does not expect (a null in a non-null position, a value that does not coerce, an
exception raised or given as a value, an awaitable) makes it give the object back to graphql-core,
which completes it as usual and reports any error with its path. Fields with other resolvers,
abstract types, directives and middleware always go the usual way.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Coroutine
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
    get_argument_values,
    get_nullable_type,
)
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from bzgraph.defaults import defaults_for_null, with_defaults

Completer = Callable[[Any, "PlannedExecutionContext"], Any]
Arguments = Callable[["PlannedExecutionContext"], dict[str, Any]]
PLAN_CACHE_SIZE = 1024
PLAN_CACHE_CHARS = 500_000  # the documents' text the plans may keep alive, as the document cache's budget

#: Field metadata for a pure resolver, one the plan may call: ``strawberry.field(metadata=PURE)``.
PURE = MappingProxyType({"bzgraph.pure": True})

# Arguments a pure resolver receives as graphql-core coerced them (Strawberry converts these as is).
_PLAIN_ARGUMENT_TYPES = (GraphQLInt, GraphQLFloat, GraphQLString, GraphQLBoolean, GraphQLID)

# The Python types whose values these scalars' output coercion returns unchanged (Int: in range).
_UNCHANGED: dict[GraphQLLeafType, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}
_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1


class _Unplanned(Exception):
    """Raised inside a plan: graphql-core must complete this object itself."""


class _PlanCache:
    """Plans by (object type, the field nodes they complete), least recently used evicted.

    The type and nodes are kept with their plan, so the ids in a key cannot be reused while it is
    cached. A node keeps its whole document alive (its location holds the source and the tokens), so
    the cache is bounded by the text of the documents its plans keep, as the document cache is, as
    well as by its number of plans: a plan per document of 50,000 characters kept 1,024 of them.
    """

    def __init__(self, size: int = PLAN_CACHE_SIZE, budget: int = PLAN_CACHE_CHARS) -> None:
        self.size, self.budget = size, budget
        self.chars = 0  # the text of the documents the plans keep, each counted once
        self._plans: OrderedDict[tuple[Any, ...], tuple[list[Any], Completer | None]] = OrderedDict()
        self._sources: dict[int, list[Any]] = {}  # id(source) -> [source, plans keeping it]

    def get(self, key: tuple[Any, ...]) -> tuple[list[Any], Completer | None] | None:
        entry = self._plans.get(key)
        if entry is not None:
            self._plans.move_to_end(key)
        return entry

    def put(self, key: tuple[Any, ...], kept: list[Any], plan: Completer | None) -> None:
        if key in self._plans:
            return
        self._plans[key] = (kept, plan)
        self._keep(_source(kept), +1)
        while len(self._plans) > self.size or (self.chars > self.budget and len(self._plans) > 1):
            _, (evicted, _) = self._plans.popitem(last=False)
            self._keep(_source(evicted), -1)

    def _keep(self, source: Any, change: int) -> None:
        if source is None:
            return
        entry = self._sources.setdefault(id(source), [source, 0])
        entry[1] += change
        if change > 0 and entry[1] == 1:
            self.chars += len(source.body)
        elif entry[1] == 0:
            self.chars -= len(source.body)
            del self._sources[id(source)]


def _source(kept: list[Any]) -> Any:
    """The source text of the document a plan's field nodes belong to (None without locations)."""
    for node in kept[1:]:
        if getattr(node, "loc", None) is not None:
            return node.loc.source
    return None


PLANS = _PlanCache()


class PlannedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, completing plain-data objects by a cached plan."""

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        if not (self.middleware_manager and self.middleware_manager.middlewares):
            plan = self._plan(return_type, field_details_list)
            if plan is not None:
                try:
                    return plan(result, self)
                except _Unplanned:
                    pass
        return super().complete_object_value(return_type, field_details_list, info, path, result,
                                             position_context)

    def _plan(self, return_type: GraphQLObjectType, field_details_list: Any) -> Completer | None:
        nodes = [details.node for details in field_details_list]
        key = (id(return_type), *map(id, nodes))
        entry = PLANS.get(key)
        if entry is None:
            plannable = _plannable(nodes, {name: f.definition for name, f in self.fragments.items()})
            plan = self._build_object(return_type, field_details_list) if plannable else None
            PLANS.put(key, [return_type, *nodes], plan)
            return plan
        return entry[1]

    def _build_object(self, object_type: GraphQLObjectType, field_details_list: Any) -> Completer | None:
        grouped, defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if defer_usages:
            return None
        # (response key, read the value from the source, its arguments (None: an attribute), complete)
        fields: list[tuple[str, Callable[..., Any], Arguments | None, Completer]] = []
        for response_key, details in grouped.items():
            name = details[0].node.name.value
            if name == "__typename":
                fields.append((response_key, _constant(object_type.name), None, _constant(object_type.name)))
                continue
            field_def = object_type.fields.get(name)
            if field_def is None:
                return None
            read, arguments = _reader(field_def), None
            if read is None:
                read = _pure_resolver(field_def)
                arguments = _arguments(field_def, details[0].node) if read is not None else None
            complete = self._build_value(field_def.type, details) if read is not None else None
            if read is None or complete is None:
                return None
            fields.append((response_key, read, arguments, complete))

        is_type_of = object_type.is_type_of

        def complete_object(source: Any, executor: PlannedExecutionContext) -> dict[str, Any]:
            if is_type_of is not None and not _is_type_of(is_type_of, source):
                raise _Unplanned
            out: dict[str, Any] = {}
            for response_key, read, arguments, complete in fields:
                try:
                    value = read(source) if arguments is None else read(source, **arguments(executor))
                except Exception:
                    raise _Unplanned from None  # graphql-core reports it, with its path
                if arguments is not None and executor.is_awaitable(value):
                    _discard(value)
                    raise _Unplanned  # graphql-core calls the resolver again and awaits it
                out[response_key] = complete(value, executor)
            return out

        return complete_object

    def _build_value(self, value_type: GraphQLOutputType, field_details_list: Any) -> Completer | None:
        if isinstance(value_type, GraphQLNonNull) and isinstance(value_type.of_type, GraphQLLeafType):
            return _leaf(value_type.of_type, nullable=False)
        if isinstance(value_type, GraphQLNonNull):
            inner = self._build_value(value_type.of_type, field_details_list)
            return None if inner is None else _non_null(inner)
        if isinstance(value_type, GraphQLList):
            item = self._build_value(value_type.of_type, field_details_list)
            return None if item is None else _nullable(_list_of(item))
        if isinstance(value_type, GraphQLLeafType):
            return _leaf(value_type, nullable=True)
        if isinstance(value_type, GraphQLObjectType):
            inner = self._build_object(value_type, field_details_list)
            return None if inner is None else _nullable(inner)
        return None  # interfaces and unions: graphql-core resolves the runtime type


def _reader(field_def: GraphQLField) -> Callable[[Any], Any] | None:
    """How to read a field without a resolver from its source: Strawberry's default resolver
    (``getattr`` unless configured otherwise) on the Python attribute. None for anything else
    (a resolver, arguments, field extensions, a field Strawberry did not define)."""
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (definition is None or field_def.args or not getattr(field_def.resolve, "_is_default", False)
            or not getattr(definition, "is_basic_field", False)):
        return None
    python_name, default_resolver = definition.python_name, definition.default_resolver
    if default_resolver is getattr:
        return attrgetter(python_name)
    return lambda source: default_resolver(source, python_name)


def _pure_resolver(field_def: GraphQLField) -> Callable[..., Any] | None:
    """How Strawberry calls the resolver of a field marked ``PURE``: ``resolver(source, **arguments)``
    (or without the source, for a resolver that does not take ``self``). None for any other field,
    and for a pure one the plan cannot call as Strawberry would: ``async``, asking for ``info``,
    ``root`` or ``parent``, with field extensions, or with arguments other than built-in scalars."""
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    resolver = getattr(definition, "base_resolver", None)
    if (definition is None or resolver is None or not definition.metadata.get("bzgraph.pure") or definition.extensions
            or resolver.is_async or resolver.info_parameter or resolver.root_parameter
            or resolver.parent_parameter):
        return None
    if any(get_nullable_type(arg.type) not in _PLAIN_ARGUMENT_TYPES for arg in field_def.args.values()):
        return None
    func = resolver.wrapped_func
    if resolver.self_parameter:
        return func
    return lambda source, **arguments: func(**arguments)


def _arguments(field_def: GraphQLField, node: FieldNode) -> Arguments:
    """The Python keyword arguments of a pure resolver for this request, as Strawberry passes them
    (a null for an argument with a default read as the default, as for any resolver)."""
    python_names = {name: getattr(arg.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF), "python_name",
                                  name) for name, arg in field_def.args.items()}
    if not python_names:
        return _no_arguments

    defaults = defaults_for_null(field_def)

    def arguments(executor: PlannedExecutionContext) -> dict[str, Any]:
        values = with_defaults(defaults, get_argument_values(field_def, node, executor.variable_values))
        return {python_names[name]: value for name, value in values.items()}

    return arguments


def _no_arguments(executor: PlannedExecutionContext) -> dict[str, Any]:
    return {}


def _discard(awaitable: Any) -> None:
    """Drop an awaitable a pure resolver returned: a coroutine is closed before it ever ran."""
    if isinstance(awaitable, Coroutine):
        awaitable.close()


def _plannable(nodes: list[FieldNode], fragments: dict[str, Any]) -> bool:
    """No directive anywhere below ``nodes``: what the plan selects cannot depend on variables."""
    seen: set[str] = set()

    def clean(selection_set: SelectionSetNode | None) -> bool:
        for selection in selection_set.selections if selection_set else ():
            if selection.directives:
                return False
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen:
                    continue
                seen.add(name)
                fragment = fragments.get(name)
                if fragment is None or fragment.directives or not clean(fragment.selection_set):
                    return False
            elif isinstance(selection, (FieldNode, InlineFragmentNode)):
                if not clean(selection.selection_set):
                    return False
        return True

    return all(clean(node.selection_set) for node in nodes)


def _is_type_of(is_type_of: Callable[[Any, Any], Any], source: Any) -> bool:
    """Strawberry's ``is_type_of`` checks the Python class; anything else is graphql-core's to run."""
    try:
        answer = is_type_of(source, None)
    except Exception:
        return False
    return answer is True


def _constant(value: Any) -> Callable[..., Any]:
    return lambda *_: value


def _non_null(inner: Completer) -> Completer:
    def complete(value: Any, executor: PlannedExecutionContext) -> Any:
        completed = inner(value, executor)
        if completed is None:
            raise _Unplanned
        return completed

    return complete


def _nullable(inner: Completer) -> Completer:
    def complete(value: Any, executor: PlannedExecutionContext) -> Any:
        if value is None:
            return None
        if isinstance(value, Exception):
            raise _Unplanned
        return inner(value, executor)

    return complete


def _list_of(item: Completer) -> Completer:
    def complete(value: Any, executor: PlannedExecutionContext) -> list[Any]:
        if not isinstance(value, (list, tuple)):
            raise _Unplanned
        return [item(v, executor) for v in value]

    return complete


def _leaf(leaf_type: GraphQLLeafType, nullable: bool) -> Completer:
    """A scalar or enum value: the type's ``coerce_output_value``, except for the values that
    coercion gives back unchanged (a ``str`` for String and ID, a ``bool`` for Boolean, an ``int``
    in range for Int), which are passed through at once."""
    coerce = leaf_type.coerce_output_value
    unchanged = _UNCHANGED.get(leaf_type)
    is_int = leaf_type is GraphQLInt

    def complete(value: Any, executor: PlannedExecutionContext) -> Any:
        kind = type(value)
        if kind is unchanged or (is_int and kind is int and _MIN_INT <= value <= _MAX_INT):
            return value
        if value is None:
            if nullable:
                return None
            raise _Unplanned
        if isinstance(value, Exception):
            raise _Unplanned
        try:
            coerced = coerce(value)
        except Exception:
            raise _Unplanned from None
        if coerced is None or coerced is Undefined:
            raise _Unplanned
        return coerced

    return complete

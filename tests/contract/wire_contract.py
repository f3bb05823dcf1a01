"""Hold the client's wire types against the server's OpenAPI document.

Both sides become the same small description of a JSON value (a set of alternatives:
string with its enum, integer, number, boolean, null, array of, object of, or a named
component), so a mismatch reads the same whichever side moved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from portal_client.core.wire import field_types

#: One alternative of a JSON value: ("string", enum values or None), ("integer",),
#: ("number",), ("boolean", values or None), ("null",), ("array", Shape),
#: ("object", Shape), ("ref", component name) or ("any",).
Alternative = tuple[Any, ...]
Shape = frozenset[Alternative]
ANY: Shape = frozenset({("any",)})


def _merge(alternatives: Iterable[Alternative]) -> Shape:
    """Join string (and boolean) alternatives into one, uniting their enum values."""
    merged: dict[str, frozenset[Any] | None] = {}
    rest: set[Alternative] = set()
    for alternative in alternatives:
        kind = alternative[0]
        if kind in ("string", "boolean"):
            values = alternative[1]
            if kind in merged:
                earlier = merged[kind]
                merged[kind] = None if earlier is None or values is None else earlier | values
            else:
                merged[kind] = values
        else:
            rest.add(alternative)
    return frozenset(rest | {(kind, values) for kind, values in merged.items()})


# ------------------------------------------------------------------ the server's side


def schema_shape(node: Mapping[str, Any], components: Mapping[str, Any]) -> Shape:
    if "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        target = components.get(name, {})
        if "enum" in target and "properties" not in target:
            return schema_shape(target, components)  # a named enum reads as its values
        return frozenset({("ref", name)})
    for key in ("anyOf", "oneOf"):
        if key in node:
            return _merge(
                alternative
                for choice in node[key]
                for alternative in schema_shape(choice, components)
            )
    kind = node.get("type")
    if "const" in node:
        values = frozenset({node["const"]})
        return frozenset({("boolean" if isinstance(node["const"], bool) else "string", values)})
    if "enum" in node:
        return frozenset({(kind or "string", frozenset(node["enum"]))})
    if kind in ("string", "boolean"):
        return frozenset({(kind, None)})
    if kind in ("integer", "number", "null"):
        return frozenset({(kind,)})
    if kind == "array":
        items = node.get("items")
        return frozenset({("array", ANY if not items else schema_shape(items, components))})
    if kind == "object":
        values = node.get("additionalProperties", True)
        inner = ANY if values is True or values == {} else schema_shape(values, components)
        return frozenset({("object", inner)})
    if not node:
        return ANY
    raise ValueError(f"schema form not understood: {node!r}")


# ------------------------------------------------------------------ the client's side


def type_shape(kind: Any) -> Shape:
    if kind is Any:
        return ANY
    origin = typing.get_origin(kind)
    if origin is typing.Union or origin is types.UnionType:
        return _merge(
            alternative for choice in typing.get_args(kind) for alternative in type_shape(choice)
        )
    if origin is Literal:
        values = typing.get_args(kind)
        return _merge(
            ("boolean" if isinstance(value, bool) else "string", frozenset({value}))
            for value in values
        )
    if origin is tuple:
        return frozenset({("array", type_shape(typing.get_args(kind)[0]))})
    if origin in (dict, Mapping):
        return frozenset({("object", type_shape(typing.get_args(kind)[1]))})
    if kind is type(None):
        return frozenset({("null",)})
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return frozenset({("string", frozenset(member.value for member in kind))})
    simple = {
        bool: ("boolean", None),
        int: ("integer",),
        float: ("number",),
        str: ("string", None),
        dt.date: ("string", None),  # read from "YYYY-MM-DD"
        dt.datetime: ("string", None),  # read from ISO 8601 with its zone
    }
    if kind in simple:
        return frozenset({simple[kind]})
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return frozenset({("ref", getattr(kind, "SCHEMA", kind.__name__))})
    raise ValueError(f"client type not understood: {kind!r}")


def describe(shape: Shape) -> str:
    def one(alternative: Alternative) -> str:
        kind = alternative[0]
        if kind in ("string", "boolean") and alternative[1] is not None:
            return f"{kind} in {sorted(alternative[1], key=str)}"
        if kind in ("array", "object"):
            return f"{kind} of {describe(alternative[1])}"
        if kind == "ref":
            return str(alternative[1])
        return str(kind)

    return " | ".join(sorted(one(alternative) for alternative in shape))


# ------------------------------------------------------------------ the check


def nested_types(cls: type) -> set[type]:
    """The wire types ``cls`` reads inside it (fields, lists of, optional)."""
    found: set[type] = set()

    def visit(kind: Any) -> None:
        if dataclasses.is_dataclass(kind) and isinstance(kind, type):
            found.add(kind)
            return
        for argument in typing.get_args(kind):
            visit(argument)

    for kind in field_types(cls).values():
        visit(kind)
    return found


def contract_problems(cls: type, document: Mapping[str, Any]) -> list[str]:
    """Every way ``cls`` differs from the component schema it says it mirrors."""
    components = document.get("components", {}).get("schemas", {})
    name = str(getattr(cls, "SCHEMA", ""))
    owner = cls.__name__
    if name not in components:
        return [f"{owner}: the server's OpenAPI has no component schema {name!r}"]
    schema = components[name]
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    client = {item.name: item for item in dataclasses.fields(cls)}
    hints = field_types(cls)
    problems: list[str] = []
    for field_name in properties:
        if field_name not in client:
            need = "requires" if field_name in required else "declares"
            problems.append(f"{name}.{field_name}: the server {need} it; {owner} has no such field")
    for field_name, item in client.items():
        if field_name not in properties:
            problems.append(f"{owner}.{field_name}: the server's {name} does not declare it")
            continue
        optional_here = (
            item.default is not dataclasses.MISSING
            or item.default_factory is not dataclasses.MISSING
        )
        if optional_here == (field_name in required):
            server_says = "required" if field_name in required else "optional"
            client_says = "optional (has a default)" if optional_here else "required"
            problems.append(
                f"{owner}.{field_name}: the server's {name} has it {server_says}; "
                f"the client reads it as {client_says}"
            )
        server_shape = schema_shape(properties[field_name], components)
        client_shape = type_shape(hints[field_name])
        if server_shape != client_shape:
            problems.append(
                f"{owner}.{field_name}: the server's {name} sends {describe(server_shape)}; "
                f"the client reads {describe(client_shape)}"
            )
    return problems

"""The catalog editor's decisions, without Qt: reading the JSON text as typed, placing the
server's field errors on their lines, and what each version allows.

The editor is a JSON editor over the domain's own file form: the server checks the
content with the domain's parsers and names every wrong field (``ingredients[2].unit``);
here each name becomes the line it is on, so the person editing can go to it. The text
is never replaced on an error: nothing typed is lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]  # untyped in the stubs
from typing import Any

from portal_client.core.catalog_wire import CatalogVersionWire
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()

NOT_JSON_TEXT = QT_TRANSLATE_NOOP("CatalogEditor", "Not valid JSON: {message}")
NOT_OBJECT_TEXT = QT_TRANSLATE_NOOP("CatalogEditor", "The content must be one JSON object.")


@dataclass(frozen=True)
class EditorProblem:
    """One problem to show: the field it names (may be empty), why, and its line."""

    field: str
    reason: str
    line: int | None

    def text(self) -> str:
        where = self.field or translate("CatalogEditor", "content")
        if self.line is None:
            return f"{where}: {self.reason}"
        return translate("CatalogEditor", "Line {line}, {field}: {reason}").format(
            line=self.line, field=where, reason=self.reason
        )


def editor_text(content: Mapping[str, Any]) -> str:
    """The content as the editor shows it: indented, keys as stored (sorted)."""
    return json.dumps(content, indent=2, ensure_ascii=False)


def read_editor_text(text: str) -> tuple[dict[str, Any] | None, list[EditorProblem]]:
    """The typed text as content, or the problem and its line (nothing is sent then)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        message = translate("CatalogEditor", NOT_JSON_TEXT).format(message=error.msg)
        return None, [EditorProblem("", message, error.lineno)]
    if not isinstance(value, dict):
        return None, [EditorProblem("", translate("CatalogEditor", NOT_OBJECT_TEXT), 1)]
    return value, []


def field_lines(text: str) -> dict[str, int]:
    """Each value's dotted path (``ingredients[1].max_amount``) → the line it starts on.
    Only for text that parses (``read_editor_text`` said so)."""
    offsets: dict[str, int] = {}
    try:
        _walk(text, 0, "", offsets)
    except (ValueError, IndexError):
        return {}
    return {path: text.count("\n", 0, offset) + 1 for path, offset in offsets.items()}


def _skip(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return index if match is None else match.end()


def _walk(text: str, index: int, path: str, offsets: dict[str, int]) -> int:
    index = _skip(text, index)
    offsets[path] = index
    opening = text[index]
    if opening == "{":
        index = _skip(text, index + 1)
        if text[index] == "}":
            return index + 1
        while True:
            key, index = scanstring(text, _skip(text, index) + 1)
            index = _skip(text, index) + 1  # the colon
            index = _skip(text, _walk(text, index, f"{path}.{key}" if path else key, offsets))
            if text[index] == ",":
                index += 1
                continue
            return index + 1
    if opening == "[":
        index = _skip(text, index + 1)
        if text[index] == "]":
            return index + 1
        position = 0
        while True:
            index = _skip(text, _walk(text, index, f"{path}[{position}]", offsets))
            position += 1
            if text[index] == ",":
                index += 1
                continue
            return index + 1
    _, end = _DECODER.raw_decode(text, index)
    return int(end)


def placed_problems(text: str, errors: Sequence[tuple[str, str]]) -> list[EditorProblem]:
    """The server's (field, reason) errors with the line of each field in ``text``: the
    field itself, else the nearest enclosing value that is there (a missing key's object)."""
    lines = field_lines(text)
    problems = []
    for field, reason in errors:
        candidate = field
        while candidate and candidate not in lines:
            candidate = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", candidate)
            if candidate == field:
                break
        problems.append(EditorProblem(field, reason, lines.get(candidate or "", None)))
    return problems


def can_publish(version: CatalogVersionWire | None) -> bool:
    """A draft someone else wrote: its author never publishes it (two people, issue 12)."""
    return version is not None and version.status == "draft" and not version.own


def can_delete(version: CatalogVersionWire | None) -> bool:
    """Not the published one (the server also refuses a version still in use)."""
    return version is not None and version.status != "published"

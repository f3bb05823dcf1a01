"""The catalog editor's plain decisions: the typed text read as content, each field the
server names placed on its line, and which version may be published or deleted."""

from __future__ import annotations

import json

from portal_client.core.catalog_editing import (
    can_delete,
    can_publish,
    field_lines,
    placed_problems,
    read_editor_text,
)
from portal_client.core.catalog_wire import CatalogVersionWire, VersionStatus

TEXT = json.dumps(
    {
        "name": "Myers",
        "ingredients": [
            {"code": "a", "max_amount": 4},
            {"code": "b", "max_amount": "lots", "nested": {"deep": [1, {"x": None}]}},
        ],
        "empty": {},
        "none": [],
    },
    indent=2,
)


def line_holding(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_every_value_is_found_on_its_line() -> None:
    lines = field_lines(TEXT)
    assert lines["name"] == line_holding(TEXT, '"name"')
    assert lines["ingredients[1].max_amount"] == line_holding(TEXT, '"lots"')
    assert lines["ingredients[1].nested.deep[1].x"] == line_holding(TEXT, '"x"')
    assert lines["empty"] == line_holding(TEXT, '"empty"')
    assert lines["none"] == line_holding(TEXT, '"none"')


def test_a_missing_field_is_placed_on_the_nearest_value_that_is_there() -> None:
    problems = placed_problems(
        TEXT,
        [
            ("ingredients[1].max_amount", "must be a number"),
            ("ingredients[0].unit", "is required"),
            ("default_access", "is required"),
        ],
    )
    assert [p.line for p in problems] == [
        line_holding(TEXT, '"lots"'),
        field_lines(TEXT)["ingredients[0]"],
        None,
    ]
    assert problems[0].text().startswith(f"Line {problems[0].line}, ingredients[1].max_amount")


def test_text_that_is_not_json_names_its_line_and_gives_no_content() -> None:
    broken = TEXT.replace('"name":', '"name"', 1)
    content, problems = read_editor_text(broken)
    assert content is None and len(problems) == 1
    assert problems[0].line == line_holding(broken, '"name"')
    assert read_editor_text("[1, 2]")[0] is None
    assert read_editor_text(TEXT)[0] == json.loads(TEXT)


def version(status: VersionStatus, *, own: bool) -> CatalogVersionWire:
    return CatalogVersionWire(
        "myers-infusion",
        2,
        status,
        "0" * 64,
        "why",
        "pharmacist1",
        "t",
        None,
        None,
        own,
    )


def test_only_someone_elses_draft_may_be_published_and_never_the_published_deleted() -> None:
    assert can_publish(version("draft", own=False))
    assert not can_publish(version("draft", own=True))
    assert not can_publish(version("published", own=False)) and not can_publish(None)
    assert can_delete(version("draft", own=True)) and can_delete(version("retired", own=False))
    assert not can_delete(version("published", own=False))

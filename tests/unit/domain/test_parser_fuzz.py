"""Hypothesis against ``parse_prescription``: any JSON-like body, however hostile (NaN,
huge integers, deep nesting, control and bidi characters, lone surrogates, wrong types in
every place), either parses or raises ``InvalidPrescription``; nothing else escapes.

The examples start from a valid order and break it in one or more places, so they reach
the parser's inner checks, not only its first refusal. ``PORTAL_FUZZ_EXAMPLES`` raises
the number of examples for a deeper run (the slow Schemathesis module does).
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pharmacy_domain.engine import default_body
from pharmacy_domain.prescription import InvalidPrescription, parse_prescription
from pharmacy_domain.templates import TemplateCatalog, load_template_catalog
from tests.unit.domain.conftest import TODAY, adult

CATALOG: TemplateCatalog = load_template_catalog()
TEMPLATES = list(CATALOG.latest())
EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "150"))

HOSTILE_TEXT = st.sampled_from(
    ["\x00", "\x1b[2J", "\ud800", "\u202eevil", "a\u200bb", "\n", "19800402", "1980-W14-3"]
)
HOSTILE_NUMBERS = st.sampled_from(
    [math.nan, math.inf, -math.inf, 2**53 + 1, 10**400, -(10**400), 1e308, -0.0, True]
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    HOSTILE_TEXT,
    HOSTILE_NUMBERS,
    st.text(max_size=5).map(lambda s: s * 20_000),
)
JSON_LIKE = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a body a value could be replaced."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return body


def _deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


@st.composite
def broken_orders(draw: st.DrawFn) -> Any:
    template = draw(st.sampled_from(TEMPLATES))
    body: Any = default_body(template, adult())
    body["patient"]["allergies"] = ["latex"]
    body["notes"] = "for the clinic"
    body["acknowledgements"] = [{"code": "some.warning", "reason": "seen"}]
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(body)
        path = draw(st.sampled_from(paths))
        replacement = draw(st.one_of(JSON_LIKE, st.integers(50, 300).map(_deep)))
        body = _replace(copy.deepcopy(body), path, replacement)
    return body


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(broken_orders())
def test_parser_raises_only_its_own_validation_error(body: Any) -> None:
    try:
        parse_prescription(body, CATALOG, today=TODAY)
    except InvalidPrescription as invalid:
        assert invalid.errors, "a refusal names at least one field"
        for error in invalid.errors:
            assert len(error.reason) < 400, "a reason never quotes a whole value"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_LIKE)
def test_parser_takes_any_json_like_value(body: Any) -> None:
    with contextlib.suppress(InvalidPrescription):
        parse_prescription(body, CATALOG, today=TODAY)

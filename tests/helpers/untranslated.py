"""Finding user-facing string literals that bypass Qt's translation system.

The GUI's text reaches the screen through a known set of calls (Qt's text setters and
constructors, and the project's own helpers that take a text). A string literal handed
straight to one of them, not wrapped in ``tr()``, ``QCoreApplication.translate()`` or
``QT_TRANSLATE_NOOP()``, is shown in English whatever the language: these are found by
parsing the code, so a new screen cannot forget one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Calls whose arguments are shown to the user: Qt's, then the project's helpers.
TEXT_CALLS = frozenset(
    {
        # Qt setters and adders
        "setText", "setWindowTitle", "setToolTip", "setPlaceholderText", "setStatusTip",
        "setWhatsThis", "setAccessibleName", "setAccessibleDescription", "setTitle",
        "setTabText", "setTabToolTip", "addTab", "insertTab", "setHeaderLabels",
        "setHorizontalHeaderLabels", "setVerticalHeaderLabels", "addItem", "addItems",
        "insertItem", "setItemText", "setSuffix", "setPrefix", "setSpecialValueText",
        "setLabelText", "setButtonText", "setInformativeText", "setDetailedText",
        "setWindowIconText", "setIconText", "addAction", "addMenu", "addSection", "addRow",
        "setNameFilter", "setNameFilters", "setDefaultSuffix", "setHtml", "setPlainText",
        "showMessage",
        # Qt constructors and static dialogs that take a text
        "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction",
        "QMenu", "QToolButton", "QMessageBox", "QTableWidgetItem", "QListWidgetItem",
        "QTreeWidgetItem", "QStandardItem", "information", "warning", "critical",
        "question", "about", "getSaveFileName", "getOpenFileName", "getText", "getItem",
        # the project's helpers
        "muted", "section_title", "show_message", "set_message", "show_notice", "pill",
        "field_label", "link_button",
    }
)  # fmt: skip
#: Where the text is, for calls whose other arguments are data (an index, a kind, an id);
#: every other call's positional arguments are all texts.
TEXT_POSITIONS = {
    "show_message": (0,), "set_message": (0,), "addItem": (0,), "insertItem": (1,),
    "setItemText": (1,), "addTab": (1,), "insertTab": (2,), "setTabText": (1,),
    "setTabToolTip": (1,), "addRow": (0,), "information": (1, 2), "warning": (1, 2),
    "critical": (1, 2), "question": (1, 2), "about": (1, 2), "getSaveFileName": (1, 3),
    "getOpenFileName": (1, 3), "getText": (1, 2), "getItem": (1, 2), "showMessage": (0,),
    "muted": (0,), "section_title": (0,),
}  # fmt: skip
#: Keyword arguments that carry a text.
TEXT_KEYWORDS = frozenset({"text", "title", "tooltip", "label", "placeholder", "caption"})
#: Calls that translate (or mark) their text argument.
TRANSLATING_CALLS = frozenset({"tr", "translate", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"})
#: Literals that are the same in every language: units, formats of codes, addresses.
LANGUAGE_NEUTRAL = frozenset(
    {
        "mL", "mg", "g", "kg", "mEq", "mmol", "mOsm/L", "mL/h", "h", "cm", "%", "FHIR",
        "FHIR R4", "NPI", "DEA", "XXXX-XXXX-XXXX-XXXX", "https://pharmacy.example.org",
        "123 456", "000000", "…", "—", "·",
    }
)  # fmt: skip

_PLACEHOLDER = re.compile(r"\{[^{}]*\}|<[^<>]*>|&[a-z]+;")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    call: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}({self.text!r}) is not translated"


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return ""


def _starts_with_context(node: ast.Call) -> bool:
    """A translating ``translate(context, text)`` names its context with a literal."""
    first = node.args[0] if node.args else None
    return isinstance(first, ast.Constant) and isinstance(first.value, str)


def _shows_words(text: str) -> bool:
    """Whether the literal has words to translate (beyond placeholders, tags, units)."""
    if text.strip() in LANGUAGE_NEUTRAL:
        return False
    return any(character.isalpha() for character in _PLACEHOLDER.sub("", text))


def _bare_literals(node: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """The untranslated literal texts an argument expression evaluates to."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node, node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(
            str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
        yield node, text
    elif isinstance(node, ast.IfExp):
        yield from _bare_literals(node.body)
        yield from _bare_literals(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _bare_literals(value)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        yield from _bare_literals(node.left)
        yield from _bare_literals(node.right)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            yield from _bare_literals(element)
    elif isinstance(node, ast.Call):
        func = node.func
        # "text {}".format(...) and "a".join(...) on a literal: the literal is shown.
        if isinstance(func, ast.Attribute) and func.attr in {"format", "upper", "strip"}:
            yield from _bare_literals(func.value)


def untranslated_in_source(source: str, path: str) -> list[Finding]:
    """Every literal with words passed to a text call without being translated."""
    findings: list[Finding] = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name == "translate" and not _starts_with_context(node):
            continue  # QPainter.translate(dx, dy) and the like: geometry, not text
        if name in TRANSLATING_CALLS:
            # lupdate reads literals only: an f-string or a concatenation is never found.
            for argument in node.args[:2]:
                if isinstance(argument, (ast.JoinedStr, ast.BinOp)):
                    findings.append(Finding(path, node.lineno, name, ast.unparse(argument)))
            continue
        if name not in TEXT_CALLS:
            continue
        positions = TEXT_POSITIONS.get(name)
        arguments = [
            argument
            for index, argument in enumerate(node.args)
            if positions is None or index in positions
        ]
        arguments += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        for argument in arguments:
            for literal, text in _bare_literals(argument):
                if _shows_words(text):
                    findings.append(Finding(path, literal.lineno, name, text))
    return findings


def untranslated_in_folder(folder: Path, root: Path) -> list[Finding]:
    findings: list[Finding] = []
    for path in sorted(folder.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        findings += untranslated_in_source(path.read_text(encoding="utf-8"), relative)
    return findings


def marked_texts_in_folder(folder: Path, root: Path) -> list[tuple[str, int, str]]:
    """Every literal text handed to a translating call: (path, line, text).

    lupdate reads calls by their names alone; one it does not know (a local helper that
    happens to be called ``tr``, a call inside an f-string) leaves its text out of the
    catalogue, which this list lets a test catch."""
    found: list[tuple[str, int, str]] = []
    for path in sorted(folder.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=relative)):
            if not isinstance(node, ast.Call) or _call_name(node) not in TRANSLATING_CALLS:
                continue
            position = 0 if _call_name(node) in {"tr", "QT_TR_NOOP"} else 1
            if len(node.args) > position:
                text = node.args[position]
                if isinstance(text, ast.Constant) and isinstance(text.value, str):
                    found.append((relative, node.lineno, text.value))
    return found

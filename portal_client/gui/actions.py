"""Every keyboard shortcut of the main windows, in one place, so that each is bound once.

Menus take their keys from :data:`SHORTCUTS` by name; the composer's own shortcut
(sign, active only inside it) is :data:`COMPOSER_SHORTCUTS`. :func:`clashes` finds a
key bound twice in one window (Qt then runs neither: an ambiguous shortcut does nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.core.presentation import REVIEW_FILTERS


@dataclass(frozen=True)
class Shortcut:
    """A named binding: its keys and what it does. Keys are written out, not the
    platform's standard keys, so they are the same everywhere (and in the README); Qt
    shows Ctrl as Command on macOS."""

    name: str
    keys: str
    #: In English, marked for the catalogues; :attr:`text` is what the user reads.
    description: str
    #: A review filter's words, for the description's ``{text}`` (Ctrl+1…).
    words: str = ""

    @property
    def text(self) -> str:
        """The description in the interface language."""
        from portal_client.gui.i18n import marked, translate

        if self.words:
            return marked(self.description).format(text=translate("Presentation", self.words))
        return marked(self.description)

    def sequences(self) -> list[QKeySequence]:
        return [QKeySequence(self.keys)]

    def apply(self, action: QAction) -> None:
        action.setShortcuts(self.sequences())


def _filter_shortcuts() -> tuple[Shortcut, ...]:
    """Ctrl+1… for the review queue's filters, in the order the "Show" list has them."""
    return tuple(
        Shortcut(
            f"filter_{n}",
            f"Ctrl+{n}",
            QT_TRANSLATE_NOOP("Marked", "Show “{text}” (review queue)"),
            words=text,
        )
        for n, (_value, text) in enumerate(REVIEW_FILTERS[:9], start=1)
    )


_ALL: tuple[Shortcut, ...] = (
    Shortcut("new_prescription", "Ctrl+N", QT_TRANSLATE_NOOP("Marked", "Start a new prescription")),
    Shortcut("lock", "Ctrl+L", QT_TRANSLATE_NOOP("Marked", "Lock the window now")),
    Shortcut(
        "quit",
        "Ctrl+Q",
        QT_TRANSLATE_NOOP("Marked", "Quit (asks first when prescriptions are not yet sent)"),
    ),
    Shortcut("undo", "Ctrl+Z", QT_TRANSLATE_NOOP("Marked", "Undo")),
    Shortcut("redo", "Ctrl+Shift+Z", QT_TRANSLATE_NOOP("Marked", "Redo")),
    Shortcut("cut", "Ctrl+X", QT_TRANSLATE_NOOP("Marked", "Cut")),
    Shortcut("copy", "Ctrl+C", QT_TRANSLATE_NOOP("Marked", "Copy")),
    Shortcut("paste", "Ctrl+V", QT_TRANSLATE_NOOP("Marked", "Paste")),
    Shortcut("select_all", "Ctrl+A", QT_TRANSLATE_NOOP("Marked", "Select all")),
    Shortcut("refresh", "F5", QT_TRANSLATE_NOOP("Marked", "Refresh the list now")),
    Shortcut(
        "print", "Ctrl+P", QT_TRANSLATE_NOOP("Marked", "Print a copy of the selected prescription")
    ),
    Shortcut(
        "repeat",
        "Ctrl+R",
        QT_TRANSLATE_NOOP("Marked", "Repeat the selected prescription (prescribers)"),
    ),
    Shortcut(
        "save_favorite",
        "Ctrl+D",
        QT_TRANSLATE_NOOP("Marked", "Save the order being composed as a favorite (prescribers)"),
    ),
    Shortcut(
        "patients",
        "Ctrl+Shift+P",
        QT_TRANSLATE_NOOP("Marked", "Show the clinic's patients (prescribers)"),
    ),
    *_filter_shortcuts(),
    Shortcut(
        "keyboard_shortcuts", "F1", QT_TRANSLATE_NOOP("Marked", "Show the keyboard shortcuts")
    ),
)

#: The menus' bindings by name.
SHORTCUTS: dict[str, Shortcut] = {shortcut.name: shortcut for shortcut in _ALL}

#: Bound by the composer page itself (only while it has focus).
COMPOSER_SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut(
        "sign",
        "Ctrl+Return",
        QT_TRANSLATE_NOOP("Marked", "Sign the prescription (in the composer)"),
    ),
    Shortcut(
        "sign_keypad",
        "Ctrl+Enter",
        QT_TRANSLATE_NOOP("Marked", "Sign the prescription (keypad Enter)"),
    ),
)


def every_shortcut() -> tuple[Shortcut, ...]:
    """All bindings, menus and composer, in the order the README lists them."""
    return (*_ALL, *COMPOSER_SHORTCUTS)


def menu_actions(menu_bar: QMenuBar) -> Iterator[tuple[str, QAction]]:
    """Every action reachable from the menu bar, with its menu path ("File › Quit")."""

    def walk(menu: QMenu, path: str) -> Iterator[tuple[str, QAction]]:
        for action in menu.actions():
            if action.isSeparator():
                continue
            label = f"{path} › {action.text().replace('&', '')}"
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                yield from walk(submenu, label)
            else:
                yield label, action

    for top in menu_bar.actions():
        submenu = top.menu()
        if isinstance(submenu, QMenu):
            yield from walk(submenu, top.text().replace("&", ""))


def clashes(actions: Iterable[QAction], extra: Iterable[Shortcut] = ()) -> dict[str, list[str]]:
    """Keys bound by more than one action (or composer shortcut): key → the actions' texts."""
    bound: dict[str, list[str]] = {}
    seen: set[int] = set()
    for action in actions:
        if id(action) in seen:
            continue
        seen.add(id(action))
        for sequence in action.shortcuts():
            key = sequence.toString(QKeySequence.SequenceFormat.PortableText)
            bound.setdefault(key, []).append(action.text())
    for shortcut in extra:
        for sequence in shortcut.sequences():
            key = sequence.toString(QKeySequence.SequenceFormat.PortableText)
            bound.setdefault(key, []).append(shortcut.description)
    return {key: texts for key, texts in bound.items() if key and len(texts) > 1}


def shortcut_text(action: QAction) -> str:
    """What the user types, as the menus show it (", " between alternatives)."""
    return ", ".join(
        sequence.toString(QKeySequence.SequenceFormat.NativeText) for sequence in action.shortcuts()
    )

"""The light or dark look: the style sheet and palette for the system's colour scheme.

``Settings.colour_scheme`` says "system" (follow ``QStyleHints.colorScheme()`` and its
``colorSchemeChanged`` signal), "light" or "dark". Both the style sheet and the
application palette are set, so check boxes, scroll bars and menus follow too.
Text drawn as rich text (hints in the checks panel) takes its colours from
:func:`text_colour`, which answers for the scheme in force.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from portal_client.gui import resources

#: Colours of rich text and inline styles, per scheme (portal.qss / portal-dark.qss say the same).
TEXT_COLOURS: dict[str, dict[str, str]] = {
    "light": {
        "ink": "#1F2933",
        "muted": "#52606D",
        "faint": "#616E7C",
        "error": "#A3261D",
        "note": "#8A5A00",
        "base": "#FFFFFF",
    },
    "dark": {
        "ink": "#E4EBF2",
        "muted": "#A8B8C8",
        "faint": "#94A6B8",
        "error": "#FF8A80",
        "note": "#F0C060",
        "base": "#1B2630",
    },
}

#: Palette roles by name, resolved only when a palette is built: touching
#: ``QPalette.ColorRole`` at import would build its enums before the first paint.
_LIGHT_ROLES: dict[str, str] = {
    "Window": "#F5F7FA",
    "WindowText": "#1F2933",
    "Base": "#FFFFFF",
    "AlternateBase": "#F8FAFC",
    "Text": "#1F2933",
    "PlaceholderText": "#7B8794",
    "Button": "#FFFFFF",
    "ButtonText": "#243B53",
    "Highlight": "#0B6E75",
    "HighlightedText": "#FFFFFF",
    "ToolTipBase": "#102A43",
    "ToolTipText": "#FFFFFF",
    "Link": "#0B6E75",
    "Light": "#FFFFFF",
    "Midlight": "#EEF2F6",
    "Mid": "#BCCCDC",
    "Dark": "#829AB1",
    "Shadow": "#52606D",
}
_DARK_ROLES: dict[str, str] = {
    "Window": "#121A22",
    "WindowText": "#E4EBF2",
    "Base": "#1B2630",
    "AlternateBase": "#202D38",
    "Text": "#E4EBF2",
    "PlaceholderText": "#7B8FA3",
    "Button": "#243240",
    "ButtonText": "#E4EBF2",
    "Highlight": "#0B6E75",
    "HighlightedText": "#FFFFFF",
    "ToolTipBase": "#E4EBF2",
    "ToolTipText": "#102A43",
    "Link": "#5FD0C6",
    "Light": "#34475A",
    "Midlight": "#2C3B4A",
    "Mid": "#3A4A5A",
    "Dark": "#0C1218",
    "Shadow": "#05080B",
}

#: The scheme in force, for rich text built after it changed (one slot, not a global rebind).
_in_force = ["light"]


def effective_scheme(preference: str, system_is_dark: bool) -> str:
    """ "light" or "dark": the forced one, else the system's."""
    if preference in ("light", "dark"):
        return preference
    return "dark" if system_is_dark else "light"


def current_scheme() -> str:
    return _in_force[0]


def text_colour(role: str) -> str:
    """A rich-text colour ("ink", "muted", "faint", "error", "note", "base") for the
    scheme in force."""
    return TEXT_COLOURS[_in_force[0]][role]


def _palette(roles: dict[str, str], disabled_text: str) -> QPalette:
    palette = QPalette()
    for name, colour in roles.items():
        palette.setColor(getattr(QPalette.ColorRole, name), QColor(colour))
    disabled = QColor(disabled_text)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def light_palette() -> QPalette:
    return _palette(_LIGHT_ROLES, "#829AB1")


def dark_palette() -> QPalette:
    return _palette(_DARK_ROLES, "#7B8FA3")


def system_is_dark(app: QApplication) -> bool:
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_scheme(app: QApplication, scheme: str) -> None:
    """Set the style sheet and palette of ``scheme`` ("light" or "dark") on ``app``."""
    if scheme == "dark":
        app.setPalette(dark_palette())
    elif _in_force[0] == "dark" or system_is_dark(app):
        app.setPalette(light_palette())  # so a dark system leaks into nothing
    _in_force[0] = scheme
    app.setStyleSheet(resources.stylesheet(scheme))


def follow_theme(app: QApplication, preference: str) -> ThemeFollower:
    """The application's one follower, now with ``preference`` (made on first use)."""
    follower = app.findChild(ThemeFollower)
    if follower is None:
        return ThemeFollower(app, preference)
    follower.set_preference(preference)
    return follower


class ThemeFollower(QObject):
    """Applies the preferred scheme now, and again whenever the system's changes.

    One per application (see :func:`follow_theme`): two would fight over the look.
    """

    def __init__(self, app: QApplication, preference: str = "system") -> None:
        super().__init__(app)
        self._app = app
        self.preference = preference
        self._system_dark = system_is_dark(app)
        app.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.apply()

    def set_preference(self, preference: str) -> None:
        self.preference = preference
        self.apply()

    def apply(self) -> None:
        scheme = effective_scheme(self.preference, self._system_dark)
        if scheme != _in_force[0] or self._app.styleSheet() != resources.stylesheet(scheme):
            apply_scheme(self._app, scheme)

    def _system_changed(self, scheme: Qt.ColorScheme) -> None:
        self._system_dark = scheme == Qt.ColorScheme.Dark
        if self.preference == "system":
            self.apply()

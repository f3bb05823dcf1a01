"""The one module that loads the client's icons and style sheet.

Files live in ``resources/icons`` and ``resources/styles`` and are found through
``pharmacy_domain.resources.resource_path`` (source checkout, wheel or frozen app).
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from pharmacy_domain.resources import resource_path


@cache
def icon(name: str) -> QIcon:
    """An SVG icon by name (``"refresh"`` → resources/icons/refresh.svg); cached."""
    return QIcon(str(resource_path("icons", f"{name}.svg")))


def icon_path(name: str) -> str:
    return str(resource_path("icons", f"{name}.svg"))


@cache
def stylesheet() -> str:
    """The application style sheet, with its ``url(icons:...)`` references made absolute.

    (Rewriting the text is cheaper at start-up than ``QDir.addSearchPath``: touching
    ``QDir`` builds its many enums, several milliseconds before the first paint.)
    """
    text = resource_path("styles", "portal.qss").read_text(encoding="utf-8")
    return text.replace("url(icons:", f"url({resource_path('icons').as_posix()}/")

"""The one module that loads the client's icons and style sheet.

Files live in ``resources/icons`` and ``resources/styles`` and are found through
``pharmacy_domain.resources.resource_path`` (source checkout, wheel or frozen app).
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QDir
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
    """The application style sheet; its ``url(icons:...)`` references resolve here."""
    QDir.addSearchPath("icons", str(resource_path("icons")))
    return resource_path("styles", "portal.qss").read_text(encoding="utf-8")

"""The one module that loads the client's icons and style sheet.

Files live in ``resources/icons`` and ``resources/styles`` and are found through
``pharmacy_domain.resources.resource_path`` (source checkout, wheel or frozen app).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from pharmacy_domain.resources import resource_path

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon, QPixmap

#: Icons with PNG copies in resources/icons/png, by pixel size (rendered from their
#: SVGs by ``packaging/render_app_icons.py``).
PNG_ICON_SIZES: dict[str, tuple[int, ...]] = {"app": (48, 96, 256), "server": (14, 28)}


@cache
def icon(name: str) -> QIcon:
    """An SVG icon by name (``"refresh"`` → resources/icons/refresh.svg); cached."""
    from PySide6.QtGui import QIcon

    return QIcon(str(resource_path("icons", f"{name}.svg")))


def early_pixmap(name: str, logical_size: int, device_pixel_ratio: float) -> QPixmap:
    """An icon drawn from its PNG copy, sharp on a screen of ``device_pixel_ratio``.

    For the sign-in window, before its first paint: a PNG needs neither the SVG
    plug-in nor ``QIcon`` (whose enums PySide6 builds on first use), each costing
    milliseconds there. Only the icons in ``PNG_ICON_SIZES`` have copies.
    """
    from PySide6.QtGui import QPixmap

    sizes = PNG_ICON_SIZES[name]
    wanted = logical_size * device_pixel_ratio
    size = next((size for size in sizes if size >= wanted), sizes[-1])
    pixmap = QPixmap(str(resource_path("icons", "png", f"{name}-{size}.png")))
    pixmap.setDevicePixelRatio(size / logical_size)
    return pixmap


def icon_path(name: str) -> str:
    return str(resource_path("icons", f"{name}.svg"))


@cache
def stylesheet(scheme: str = "light") -> str:
    """The application style sheet, with its ``url(icons:...)`` references made absolute.

    ``scheme="dark"`` appends ``portal-dark.qss``, which overrides only colours.

    (Rewriting the text is cheaper at start-up than ``QDir.addSearchPath``: touching
    ``QDir`` builds its many enums, several milliseconds before the first paint.)
    """
    text = resource_path("styles", "portal.qss").read_text(encoding="utf-8")
    if scheme == "dark":
        text += "\n" + resource_path("styles", "portal-dark.qss").read_text(encoding="utf-8")
    return text.replace("url(icons:", f"url({resource_path('icons').as_posix()}/")

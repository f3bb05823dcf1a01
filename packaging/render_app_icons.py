"""Render the PNG copies of the icons the sign-in window shows before its first paint.

A PNG needs no SVG plug-in, whose loading costs milliseconds of start-up; the
sign-in window therefore draws these icons from ``resources/icons/png``. Run this
after editing one of their SVGs; ``tests/gui/test_startup.py`` fails while a PNG is
out of date.

    python packaging/render_app_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
PNG_FOLDER = ICONS / "png"


def render(name: str, size: int) -> QImage:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(ICONS / f"{name}.svg")).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def png_path(name: str, size: int) -> Path:
    return PNG_FOLDER / f"{name}-{size}.png"


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    from portal_client.gui.resources import PNG_ICON_SIZES

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    PNG_FOLDER.mkdir(exist_ok=True)
    for name, sizes in PNG_ICON_SIZES.items():
        for size in sizes:
            target = png_path(name, size)
            if not render(name, size).save(str(target)):
                print(f"could not write {target}", file=sys.stderr)  # noqa: T201
                return 1
            print(target)  # noqa: T201
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())

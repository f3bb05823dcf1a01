"""The light and dark palettes: which one applies, that windows follow it, and contrast."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.presentation import SEVERITY_COLOURS
from portal_client.gui import resources, theme
from portal_client.gui.findings_panel import _PILL_COLOURS, FINDING_TEXT
from portal_client.gui.theme import TEXT_COLOURS, ThemeFollower, effective_scheme, follow_theme
from tests.gui.test_composer import composer
from tests.gui.test_composer_findings import deficient_patient, picture

#: WCAG 2 AA for normal text.
AA_TEXT = 4.5


def relative_luminance(colour: str) -> float:
    qcolour = QColor(colour)
    channels = []
    for value in (qcolour.redF(), qcolour.greenF(), qcolour.blueF()):
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def declared(sheet: str, selector: str, prop: str) -> str:
    """The value ``sheet`` gives ``prop`` for ``selector`` (the last rule wins, as in Qt)."""
    found = ""
    text = re.sub(r"/\*.*?\*/", "", sheet, flags=re.DOTALL)
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", text):
        if selector not in (part.strip() for part in selectors.split(",")):
            continue
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            if name.strip() == prop:
                found = value.strip()
    assert found, f"{selector} declares no {prop}"
    return found


@pytest.fixture
def follower(qapp: QApplication) -> Iterator[ThemeFollower]:
    follower = follow_theme(qapp, "system")
    yield follower
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Unknown)  # as the test platform
    follower.set_preference("light")


def test_the_application_has_one_follower(qapp: QApplication, follower: ThemeFollower) -> None:
    assert follow_theme(qapp, "dark") is follower
    assert qapp.findChildren(ThemeFollower) == [follower]
    assert qapp.styleSheet() == resources.stylesheet("dark")


def test_the_preference_wins_over_the_system() -> None:
    assert effective_scheme("system", system_is_dark=True) == "dark"
    assert effective_scheme("system", system_is_dark=False) == "light"
    assert effective_scheme("light", system_is_dark=True) == "light"
    assert effective_scheme("dark", system_is_dark=False) == "dark"


def _card_window(qtbot: QtBot) -> tuple[QWidget, QFrame, QLabel]:
    window = QWidget()
    window.setObjectName("Canvas")
    window.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
    card = QFrame()
    card.setObjectName("Card")
    label = QLabel("Dose")
    QVBoxLayout(card).addWidget(label)
    QVBoxLayout(window).addWidget(card)
    qtbot.addWidget(window)
    window.resize(300, 200)
    window.show()
    qtbot.waitExposed(window)
    return window, card, label


def _pixel(widget: QWidget) -> str:
    image = widget.grab().toImage()
    return image.pixelColor(image.width() // 2, 4).name().upper()


def test_a_dark_system_scheme_darkens_the_windows_and_back(
    qtbot: QtBot, qapp: QApplication, follower: ThemeFollower
) -> None:
    window, card, label = _card_window(qtbot)
    assert _pixel(window) == "#F5F7FA"

    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)

    assert qapp.styleSheet() == resources.stylesheet("dark")
    assert theme.current_scheme() == "dark"
    assert qapp.palette().color(QPalette.ColorRole.Window).name().upper() == "#121A22"
    assert qapp.palette().color(QPalette.ColorRole.Base).name().upper() == "#1B2630"
    qtbot.waitUntil(lambda: _pixel(window) == "#121A22")
    assert _pixel(card) == "#1B2630"
    qtbot.waitUntil(
        lambda: label.palette().color(QPalette.ColorRole.WindowText).name().upper() == "#E4EBF2"
    )
    assert theme.text_colour("muted") == TEXT_COLOURS["dark"]["muted"]

    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert qapp.styleSheet() == resources.stylesheet("light")
    qtbot.waitUntil(lambda: _pixel(window) == "#F5F7FA")
    assert qapp.palette().color(QPalette.ColorRole.Window).name().upper() == "#F5F7FA"


def test_a_forced_light_look_ignores_a_dark_system(
    qapp: QApplication, follower: ThemeFollower
) -> None:
    follower.set_preference("light")
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert qapp.styleSheet() == resources.stylesheet("light")
    follower.set_preference("dark")
    assert qapp.styleSheet() == resources.stylesheet("dark")
    assert qapp.palette().color(QPalette.ColorRole.Text).name().upper() == "#E4EBF2"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_on_every_surface_keeps_aa_contrast(scheme: str) -> None:
    sheet = resources.stylesheet(scheme)
    card = declared(sheet, "QFrame#Card", "background")
    canvas = declared(sheet, "QWidget#Canvas", "background")
    ink = declared(sheet, "QWidget", "color")
    pairs = {
        "text on the canvas": (ink, canvas),
        "text on a card": (ink, card),
        "a field error": (declared(sheet, "QLabel#FieldError", "color"), card),
        "a hint": (declared(sheet, "QLabel#Hint", "color"), card),
        "a link button": (declared(sheet, "QPushButton#Link", "color"), card),
        "a primary button": (
            declared(sheet, "QPushButton#Primary", "color"),
            declared(sheet, "QPushButton#Primary", "background"),
        ),
        "rich-text muted": (TEXT_COLOURS[scheme]["muted"], TEXT_COLOURS[scheme]["base"]),
        "rich-text faint": (TEXT_COLOURS[scheme]["faint"], TEXT_COLOURS[scheme]["base"]),
    }
    for banner in ("ErrorBanner", "InfoBanner", "WarnBanner"):
        pairs[banner] = (
            declared(sheet, f"QFrame#{banner} QLabel", "color"),
            declared(sheet, f"QFrame#{banner}", "background"),
        )
    # Severity rows and pills carry their own tint in both palettes.
    for severity, (background, foreground) in {**SEVERITY_COLOURS, **_PILL_COLOURS}.items():
        pairs[f"{severity} label"] = (foreground, background)
        for part, colour in FINDING_TEXT.items():
            pairs[f"a {severity} finding's {part}"] = (colour, background)
    low = {
        name: round(contrast(fg, bg), 2)
        for name, (fg, bg) in pairs.items()
        if contrast(fg, bg) < AA_TEXT
    }
    assert low == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_composer_follows_the_palette(
    qtbot: QtBot,
    follower: ThemeFollower,
    closed_port_url: str,
    templates: list[Template],
    scheme: str,
) -> None:
    """Set PORTAL_SCREENSHOTS=<dir> to keep composer-light.png and composer-dark.png."""
    follower.set_preference(scheme)
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.resize(1366, 900)
    page.select_template("myers-infusion")
    deficient_patient(qtbot, page)
    card = page.findChild(QFrame, "Card")
    assert card is not None
    expected = TEXT_COLOURS[scheme]["base"]
    qtbot.waitUntil(lambda: _pixel(card) == expected)
    viewport = page.checks.findChild(QWidget, "ChecksViewport")
    assert viewport is not None and _pixel(viewport) == expected  # the panel's body too
    assert (
        page.given_name.palette().color(QPalette.ColorRole.Text).name().upper()
        == (TEXT_COLOURS[scheme]["ink"])
    )
    picture(page, f"composer-{scheme}")

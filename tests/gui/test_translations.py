"""Spanish and English through Qt's translation system: catalogues current and complete,
nothing user-facing left out of them, and windows that speak Spanish once it is chosen.

Set PORTAL_SCREENSHOTS=<dir> to save the prescriber's composer in Spanish."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTranslator
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from portal_client.core.settings import Settings
from portal_client.gui import i18n
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.sign_in import SignInWindow
from tests.gui.conftest import sign_in
from tests.gui.test_composer import fill_patient
from tests.helpers.live_server import LiveServer
from tests.helpers.untranslated import (
    marked_texts_in_folder,
    untranslated_in_folder,
    untranslated_in_source,
)

ROOT = Path(__file__).resolve().parents[2]
#: Set PORTAL_SCREENSHOTS=<dir> to save the composer in Spanish (docs/screenshots/composer-es.png).
SCREENSHOT_DIR = os.environ.get("PORTAL_SCREENSHOTS", "")
CATALOGUES = ROOT / "resources" / "translations"


def _load_catalogue_tool() -> ModuleType:
    """packaging/ holds scripts, not a package."""
    script = ROOT / "packaging" / "translations.py"
    spec = importlib.util.spec_from_file_location("translations_tool", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_catalogue_tool()


@pytest.fixture
def spanish(qapp: QApplication) -> Iterator[str]:
    """The Spanish catalogues installed, as at a start with ``language: es``."""
    language = i18n.install_translators(qapp, "es")
    yield language
    i18n.remove_translators(qapp)


def messages(language: str) -> list[ET.Element]:
    tree = ET.parse(CATALOGUES / f"portal_{language}.ts")
    return list(tree.getroot().iter("message"))


def translations_of(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    assert translation is not None
    forms = translation.findall("numerusform")
    return [form.text or "" for form in forms] if forms else [translation.text or ""]


# ------------------------------------------------------------ the catalogues


def entries(path: Path) -> set[tuple[str, str]]:
    """(context, source) of every live message of a ``.ts`` file."""
    found = set()
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            kind = message.find("translation")
            if kind is None or kind.get("type") not in {"vanished", "obsolete"}:
                found.add((name, message.findtext("source") or ""))
    return found


def test_catalogues_hold_every_string_of_the_code(tmp_path: Path) -> None:
    """lupdate over the code finds no string the catalogues lack, and none they hold extra."""
    for language in tool.LANGUAGES:
        shutil.copy(tool.catalogue(language), tmp_path)
        tool.update(language, tmp_path)
        in_code = entries(tool.catalogue(language, tmp_path))
        committed = entries(tool.catalogue(language))
        assert in_code == committed, f"run `make translations`: portal_{language}.ts is stale"


def test_compiled_catalogues_are_current(qapp: QApplication) -> None:
    """Each committed ``.qm`` gives every translation its ``.ts`` holds."""
    translator = QTranslator()
    assert translator.load(i18n.catalogue_path("es"))
    for context in ET.parse(tool.catalogue("es")).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            if message.get("numerus") == "yes":
                forms = translations_of(message)
                got = translator.translate(name, source, None, 1)
                assert got == forms[0].replace("%n", "1"), "run `make translations`"
            else:
                got = translator.translate(name, source)
                assert got == translations_of(message)[0], "run `make translations`"
    assert QTranslator().load(i18n.catalogue_path("en"))


def test_every_spanish_string_is_translated() -> None:
    entries = messages("es")
    assert len(entries) > 0
    for message in entries:
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        assert translation.get("type") not in {"unfinished", "vanished", "obsolete"}, source
        assert all(text.strip() for text in translations_of(message)), source


_KEEP = re.compile(r"\{[^{}]*\}|%n|%\d|</?[a-z]+[^<>]*>|&[a-z]+;")


def test_translations_keep_placeholders_markup_and_edges() -> None:
    """``{name}`` fields, ``%n``, HTML tags and a leading space (icon gap) survive."""
    for message in messages("es"):
        source = message.findtext("source") or ""
        for text in translations_of(message):
            assert sorted(_KEEP.findall(text)) == sorted(_KEEP.findall(source)), (source, text)
            assert text.startswith(" ") == source.startswith(" "), (source, text)


def test_english_catalogue_holds_the_plural_forms_only() -> None:
    for message in messages("en"):
        assert message.get("numerus") == "yes"


# ------------------------------------------------------- the strings in the code


def test_no_user_facing_literal_bypasses_translation() -> None:
    findings = untranslated_in_folder(ROOT / "portal_client" / "gui", ROOT)
    assert not findings, "\n".join(str(finding) for finding in findings)


def test_every_marked_text_reached_the_catalogue() -> None:
    """No text marked in the code is missing from the catalogue (lupdate skipped none)."""
    sources = {message.findtext("source") for message in messages("es")}
    missing = [
        f"{path}:{line}: {text!r}"
        for path, line, text in marked_texts_in_folder(ROOT / "portal_client", ROOT)
        if text and text not in sources
    ]
    assert not missing, "\n".join(missing)


def test_the_finder_catches_literals_and_lets_translated_text_through() -> None:
    source = """
class W:
    def build(self, busy, n):
        self.label.setText("Sign in")
        self.button = QPushButton("Checking…" if busy else f"Send {n}")
        self.box.addItem(self.tr("Prescriber"), "prescriber")
        self.banner.show_message(self.tr("Saved."), "info")
        self.title.setWindowTitle(QCoreApplication.translate("W", "Title"))
        self.unit.setText("mL")
        self.code.setPlaceholderText("123 456")
        self.bad.setText(self.tr(f"Hello {n}"))
"""
    found = [(finding.call, finding.text) for finding in untranslated_in_source(source, "w.py")]
    assert found == [
        ("setText", "Sign in"),
        ("QPushButton", "Checking…"),
        ("QPushButton", "Send {}"),
        ("tr", "f'Hello {n}'"),
    ]


# ------------------------------------------------------------------ at run time


def test_spanish_catalogues_load(spanish: str) -> None:
    assert spanish == "es"
    assert Path(i18n.catalogue_path("es")).is_file()
    # Qt's own catalogue: the standard buttons of its dialogs.
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancelar"


def test_english_shows_the_source_text(qapp: QApplication) -> None:
    i18n.install_translators(qapp, "en")
    try:
        assert QCoreApplication.translate("LanguageRow", "Language:") == "Language:"
    finally:
        i18n.remove_translators(qapp)


def test_sign_in_window_speaks_spanish(qtbot: QtBot, spanish: str) -> None:
    window = SignInWindow(Settings(server_url="http://127.0.0.1:8470", language="es"))
    qtbot.addWidget(window)
    assert window.windowTitle() == "IV Prescriber Portal — Iniciar sesión"
    assert window.submit.text() == "Iniciar sesión"
    assert window.username.placeholderText() == "Nombre de usuario"
    assert window.request_account_button.text() == "Solicitar una cuenta"
    assert window.server_label.text() == "Servidor: http://127.0.0.1:8470"
    assert window.language_row.caption.text() == "Idioma:"
    assert window.language_row.button.text() == "Español"


def test_prescriber_window_speaks_spanish(qtbot: QtBot, spanish: str, server: LiveServer) -> None:
    """The prescriber's window and composer in Spanish; the server's data stays as it is."""
    client = sign_in(server, "prescriber1")
    assert client.user is not None
    window = PrescriberWindow(client, client.user)
    qtbot.addWidget(window)
    window.show()
    assert window.tabs.tabText(0) == "Enviadas a la farmacia"
    assert window.windowTitle().endswith("(prescriptor)")
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus[:2] == ["&Archivo", "&Edición"]
    window.show_composer()
    composer = window.composer
    qtbot.waitUntil(lambda: composer.template_tree.topLevelItemCount() > 0, timeout=20_000)
    assert " — Receta — " in window.windowTitle()
    assert composer.back.text().strip() == "Mis recetas"
    composer.select_template("myers-infusion")
    fill_patient(qtbot, composer)
    labels = {label.text() for label in composer.findChildren(QLabel)}
    assert {"PACIENTE", "INGREDIENTES", "VERIFICACIONES CLÍNICAS"} <= labels
    assert composer.weight_edit.placeholderText() == "p. ej. 70"
    if SCREENSHOT_DIR:  # the README's screen in Spanish
        window.resize(1400, 900)
        qtbot.waitUntil(lambda: composer.checks.findings_shown() != [], timeout=20_000)
        for _round in range(10):  # replaced finding rows go, wrapped text settles
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            QApplication.processEvents()
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        window.grab().save(str(Path(SCREENSHOT_DIR) / "composer-es.png"))
    client.logout()


def test_choosing_a_language_applies_from_the_next_start(qtbot: QtBot) -> None:
    settings = Settings()
    window = SignInWindow(settings)
    qtbot.addWidget(window)
    window.show()
    row = window.language_row
    assert row.button.text() == "As the system" and row.notice.isHidden()
    with qtbot.waitSignal(window.language_changed) as changed:
        row.choose("es")
    assert changed.args == ["es"] and settings.language == "es"
    assert row.button.text() == "Español"
    assert row.notice.text() == "El portal se abrirá en español la próxima vez que se inicie."
    assert row.notice.isVisible()
    row.choose("system")  # back to what it started with: nothing changes at the next start
    assert settings.language == "system" and row.notice.isHidden()


START_PROBE = """
import json, sys
import portal_client.gui.app as app_module
app_module.warm_up_imports = lambda _parent: None
seen = {}
original_start = app_module.PortalApp.start

def start(self, on_first_paint=None):
    window = self.sign_in
    seen.update(caption=window.language_row.caption.text(), title=window.windowTitle())
    original_start(self, on_first_paint)

app_module.PortalApp.start = start
from portal_client.__main__ import main
code = main(["--quit-after-paint", "--temp-basedir", sys.argv[1]])
print(json.dumps({"code": code, **seen}))
"""


@pytest.mark.parametrize(
    ("language", "caption"),
    [("es", "Idioma:"), ("system", "Idioma:"), ("en", "Language:")],  # the system: Spanish
)
def test_the_client_starts_in_the_language_of_its_settings(
    tmp_path: Path, language: str, caption: str
) -> None:
    base = tmp_path / "base"
    (base / "config").mkdir(parents=True)
    settings = {"language": language}
    (base / "config" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LANGUAGE="es_MX", LANG="es_MX.UTF-8")
    result = subprocess.run(
        [sys.executable, "-c", START_PROBE, str(base)],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    assert report["caption"] == caption  # translated before the window was built

"""The interface language: Qt translators installed before any window is built.

The portal's catalogue (``resources/translations/portal_<code>.qm``, compiled from the
``.ts`` sources by ``make translations``) and Qt's own (``qtbase_<code>.qm``, shipped with
PySide6: the buttons of standard dialogs, context menus of text fields) are installed
once, at start-up, from the ``language`` setting or the system's languages. A change of
the setting takes effect the next time the client starts.

Numbers keep the system's format: the language changes words, never the decimal mark a
dose is typed with.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from pharmacy_domain.resources import resource_path
from portal_client.core import i18n as core_i18n
from portal_client.core.i18n import SOURCE_LANGUAGE, choose_language

log = logging.getLogger(__name__)

#: Each language by its own name, as a language menu shows them.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}

# Installed translators; kept referenced here (Qt does not own them).
_installed: list[QTranslator] = []


def catalogue_path(language: str) -> str:
    """The compiled catalogue of the portal's own strings in ``language``."""
    return str(resource_path("translations", f"portal_{language}.qm"))


def system_languages() -> list[str]:
    """The system's preferred interface languages, best first (``es-MX``, ``en-US``…)."""
    return list(QLocale.system().uiLanguages())


def install_translators(app: QCoreApplication, setting: str) -> str:
    """Install the catalogues for ``setting`` (or the system's language); return its code.

    Replaces any translators installed before. A catalogue that cannot be loaded is
    logged and left out: the client then shows the English source text.
    """
    remove_translators(app)
    core_i18n.set_translator(QCoreApplication.translate)
    language = choose_language(setting, system_languages())
    portal = QTranslator(app)
    if portal.load(catalogue_path(language)):
        _install(app, portal)
    else:
        log.warning("Cannot load the %s catalogue %s", language, catalogue_path(language))
    if language != SOURCE_LANGUAGE:
        qt_own = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt_own.load(f"qtbase_{language}", folder):
            _install(app, qt_own)
        else:
            log.info("No Qt catalogue for %s under %s", language, folder)
    return language


def _install(app: QCoreApplication, translator: QTranslator) -> None:
    app.installTranslator(translator)
    _installed.append(translator)


def remove_translators(app: QCoreApplication) -> None:
    """Back to the source text (tests switch languages within one process)."""
    while _installed:
        translator = _installed.pop()
        app.removeTranslator(translator)
        translator.deleteLater()


#: The one context of the GUI's module-level constants: ``QT_TRANSLATE_NOOP("Marked", …)``.
MARKED = "Marked"


def marked(text: str) -> str:
    """A GUI constant marked ``QT_TRANSLATE_NOOP("Marked", text)``, translated ("" stays "")."""
    return QCoreApplication.translate(MARKED, text) if text else text


def translate(context: str, text: str) -> str:
    """A string marked with ``QT_TRANSLATE_NOOP(context, text)``, in the interface language."""
    return QCoreApplication.translate(context, text)

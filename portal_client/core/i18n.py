"""Translation without Qt: marking strings, and choosing the language.

``portal_client/core`` imports no Qt. ``pyside6-lupdate`` finds its strings by the names
of the calls, lexically, and puts them in the catalogues under their context:

- :func:`translate` for text built when it is shown (``translate("SignIn", "Server:
  {url}").format(url=url)``). It is the identity until the GUI installs Qt's
  ``QCoreApplication.translate`` (``portal_client.gui.i18n.install_translators``), so the
  core's decisions and their tests stay in plain Python.
- :func:`QT_TRANSLATE_NOOP` for constants built at import time, before any catalogue is
  installed: marked there, translated with :func:`translate` where they are used.

The language choice itself is plain data, decided here and tested without Qt.
"""

from __future__ import annotations

from collections.abc import Callable

#: The ``language`` setting's values: the system's locale, or a language by its code.
LANGUAGE_CHOICES = ("system", "en", "es")
#: The languages with a catalogue; the first is the one the source text is written in.
LANGUAGES = ("en", "es")
SOURCE_LANGUAGE = LANGUAGES[0]


Translator = Callable[[str, str, "str | None", int], str]


def _source_text(_context: str, text: str, _disambiguation: str | None, n: int) -> str:
    return text.replace("%n", str(n)) if n >= 0 else text


_translator: Translator = _source_text


def set_translator(translator: Translator | None) -> None:
    """Install the GUI's translator (``None``: back to the English source text)."""
    global _translator  # noqa: PLW0603 - one per process, like Qt's own translators
    _translator = translator or _source_text


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``text`` in the interface language; ``%n`` is ``n``, with its plural form."""
    return _translator(context, text, disambiguation, n)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for the catalogues under ``context``; return it unchanged."""
    del context
    return text


def choose_language(setting: str, system_locale_names: list[str] | tuple[str, ...]) -> str:
    """The language to show: the setting's, or the first of the system's we have.

    ``system_locale_names`` are the system's preferred UI languages, best first, as Qt
    names them (``es-US``, ``es_MX``, ``en-US``); anything we have no catalogue for
    falls back to the source language.
    """
    if setting in LANGUAGES:
        return setting
    for name in system_locale_names:
        code = name.replace("-", "_").split("_", 1)[0].lower()
        if code in LANGUAGES:
            return code
    return SOURCE_LANGUAGE

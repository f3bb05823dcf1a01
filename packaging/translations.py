"""Update the translation catalogues from the code and compile them (``make translations``).

``pyside6-lupdate`` reads every ``tr()``, ``QCoreApplication.translate()`` and
``QT_TRANSLATE_NOOP()`` in ``portal_client/`` into ``resources/translations/portal_<code>.ts``
(new strings arrive unfinished, strings gone from the code are dropped); then
``pyside6-lrelease`` compiles each into the ``.qm`` the client loads. Both the ``.ts``
sources and the ``.qm`` files are committed, so a clean clone and an installed wheel have
them; ``tests/gui/test_translations.py`` fails while either is stale.

    python packaging/translations.py            # update the .ts files, then compile
    python packaging/translations.py --compile  # compile only (after translating)

The source language is English: ``portal_en.ts`` holds only the plural forms
(``-pluralonly``); every other catalogue holds every string. lupdate takes ``#:`` comments
for notes to translators; here they document the code, so they are left out.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "portal_client"
CATALOGUES = ROOT / "resources" / "translations"
SOURCE_LANGUAGE = "en"
#: Every language with a catalogue, the source language first.
LANGUAGES = ("en", "es")


def tool(name: str) -> str:
    """A Qt tool from the virtualenv running this script (PySide6 ships them)."""
    return str(Path(sys.executable).parent / f"pyside6-{name}")


def source_files() -> list[str]:
    """The client's Python files, relative to the repository, in a stable order."""
    return sorted(path.relative_to(ROOT).as_posix() for path in SOURCES.rglob("*.py"))


def catalogue(language: str, folder: Path = CATALOGUES) -> Path:
    return folder / f"portal_{language}.ts"


def update(language: str, folder: Path = CATALOGUES) -> None:
    """Merge the code's strings into one ``.ts`` file (created when missing)."""
    command = [tool("lupdate"), "-silent", "-locations", "none", "-no-obsolete"]
    command += ["-source-language", SOURCE_LANGUAGE, "-target-language", language]
    if language == SOURCE_LANGUAGE:
        command.append("-pluralonly")
    target = catalogue(language, folder)
    command += [*source_files(), "-ts", str(target)]
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 - the venv's own Qt tools
    text = target.read_text(encoding="utf-8")
    target.write_text(_CODE_COMMENT.sub("", text), encoding="utf-8")


# lupdate reads a ``#:`` comment before a string as a note for its translator.
_CODE_COMMENT = re.compile(r"^ *<extracomment>.*?</extracomment>\n", re.MULTILINE | re.DOTALL)


def compile_catalogue(language: str, folder: Path = CATALOGUES, output: Path | None = None) -> Path:
    """Compile one ``.ts`` file into its ``.qm`` (beside it unless ``output`` is given)."""
    target = output or catalogue(language, folder).with_suffix(".qm")
    command = [tool("lrelease"), "-silent", str(catalogue(language, folder)), "-qm", str(target)]
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 - the venv's own Qt tools
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compile", action="store_true", help="compile only, do not update")
    args = parser.parse_args(argv)
    CATALOGUES.mkdir(parents=True, exist_ok=True)
    for language in LANGUAGES:
        if not args.compile:
            update(language)
        compile_catalogue(language)
    return 0


if __name__ == "__main__":
    sys.exit(main())

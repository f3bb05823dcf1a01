"""Run by an installed wheel's interpreter (not imported by the suite): every data file
is found inside the installed packages, and each kind loads.

    python installed_check.py EXPECTED_FILES_JSON
"""

from __future__ import annotations

import json
import sys
import sysconfig
from pathlib import Path


def main() -> int:
    expected = set(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()

    import pharmacy_domain
    import pharmacy_server
    import portal_client
    from pharmacy_domain.formulary import load_formulary
    from pharmacy_domain.resources import resources_dir
    from pharmacy_domain.rules import load_rules
    from pharmacy_domain.templates import load_template_catalog

    for package in (pharmacy_domain, portal_client, pharmacy_server):
        location = Path(str(package.__file__)).resolve()
        assert site_packages in location.parents, location
    folder = resources_dir().resolve()
    assert site_packages in folder.parents, folder
    found = {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.suffix != ".ts"
    }
    assert found == expected, {
        "missing": sorted(expected - found),
        "extra": sorted(found - expected),
    }

    assert len(load_template_catalog()) > 0
    load_formulary()
    load_rules()

    from PySide6.QtCore import QTranslator
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from portal_client.gui import resources

    app = QApplication(["installed-check"])
    images = sorted((folder / "icons").rglob("*.svg")) + sorted((folder / "icons").rglob("*.png"))
    assert images
    unreadable = [path.name for path in images if QImage(str(path)).isNull()]
    assert unreadable == [], unreadable
    stylesheet = resources.stylesheet()  # its icon references made absolute, into the venv
    assert "url(icons:" not in stylesheet and f"url({(folder / 'icons').as_posix()}/" in stylesheet
    for translation in sorted((folder / "translations").glob("*.qm")):
        assert QTranslator(app).load(str(translation)), translation.name
    print(json.dumps({"resources": str(folder), "files": len(found)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

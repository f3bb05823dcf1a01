"""Start-up discipline: the sign-in window paints before any heavy import."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from pytestqt.qtbot import QtBot

PROBE = """
import json, sys
import portal_client.gui.app as app_module
app_module.warm_up_imports = lambda _parent: None  # the warm-up runs after paint; keep it out
from portal_client.__main__ import main
code = main(["--quit-after-paint", "--temp-basedir", sys.argv[1]])
heavy = sorted(m for m in ("requests", "urllib3", "keyring", "pharmacy_server", "sqlalchemy")
               if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}))
"""


def test_quit_after_paint_exits_cleanly_without_heavy_imports(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "base")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"code": 0, "heavy": []}
    assert (tmp_path / "base" / "config").is_dir()  # --temp-basedir took effect


def test_server_url_option_is_remembered(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    base = tmp_path / "base"
    subprocess.run(
        [sys.executable, "-m", "portal_client", "--temp-basedir", str(base),
         "--server-url", "pharmacy.example.org", "--quit-after-paint"],
        env=env, capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    saved = json.loads((base / "config" / "settings.json").read_text(encoding="utf-8"))
    assert saved["server_url"] == "http://pharmacy.example.org"
    bad = subprocess.run(
        [sys.executable, "-m", "portal_client", "--temp-basedir", str(base),
         "--server-url", "ftp://nope", "--quit-after-paint"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "--server-url" in bad.stderr


def _load_icon_renderer() -> ModuleType:
    """packaging/ holds scripts, not a package (and its name is taken on PyPI)."""
    script = Path(__file__).resolve().parents[2] / "packaging" / "render_app_icons.py"
    spec = importlib.util.spec_from_file_location("render_app_icons", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_png_icon_copies_match_their_svgs() -> None:
    """The sign-in window draws PNG copies (no SVG plug-in before paint): never stale ones."""
    from PySide6.QtGui import QImage

    from portal_client.gui.resources import PNG_ICON_SIZES

    render_app_icons = _load_icon_renderer()

    for name, sizes in PNG_ICON_SIZES.items():
        for size in sizes:
            path = render_app_icons.png_path(name, size)
            assert path.is_file(), f"{path} is missing: run packaging/render_app_icons.py"
            stored = QImage(str(path)).convertToFormat(QImage.Format.Format_ARGB32)
            fresh = render_app_icons.render(name, size).convertToFormat(QImage.Format.Format_ARGB32)
            assert (stored.width(), stored.height()) == (size, size)
            worst = max(
                abs(((stored.pixel(x, y) >> shift) & 0xFF) - ((fresh.pixel(x, y) >> shift) & 0xFF))
                for x in range(size)
                for y in range(size)
                for shift in (0, 8, 16, 24)
            )
            # Antialiasing may differ by a few levels between Qt releases, a changed SVG far more.
            assert worst <= 24, f"{path} differs from {name}.svg: run packaging/render_app_icons.py"


def test_early_pixmaps_are_sharp_at_each_device_pixel_ratio(qapp: object) -> None:
    from portal_client.gui.resources import early_pixmap

    for ratio, pixels in ((1.0, 48), (1.5, 96), (2.0, 96), (3.0, 256)):
        pixmap = early_pixmap("app", 48, ratio)
        assert pixmap.width() == pixels and not pixmap.isNull()
        assert round(pixmap.deviceIndependentSize().width()) == 48  # shown at 48 logical px


def test_after_first_paint_the_application_gets_its_font_and_icon(qtbot: QtBot) -> None:
    """``run`` leaves the font and the SVG window icon until the sign-in window has painted."""
    from PySide6.QtGui import QFont, QIcon
    from PySide6.QtWidgets import QApplication

    from portal_client.core.settings import Settings
    from portal_client.gui import app as app_module

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app_module.create_application([], complete=False)
    app.setFont(QFont(app.font().family(), 7))
    app.setWindowIcon(QIcon())
    portal = app_module.PortalApp(Settings(server_url="http://127.0.0.1:9"), save_settings=False)
    qtbot.addWidget(portal.sign_in)
    assert app.font().pointSize() == 7 and app.windowIcon().isNull()
    portal.start()
    qtbot.waitUntil(lambda: not app.windowIcon().isNull(), timeout=10_000)
    assert app.font().pointSize() == app_module.APPLICATION_POINT_SIZE


WARM_UP_PROBE = """
import json, sys
from portal_client.gui.warm_up import BACKGROUND_MODULES
before = set(sys.modules)
import importlib
for name in BACKGROUND_MODULES:
    importlib.import_module(name)
qt = sorted(m for m in set(sys.modules) - before
            if m.startswith(("PySide6", "shiboken6", "portal_client.gui")))
print(json.dumps({"qt": qt}))
"""


def test_the_warm_up_imports_exist_and_load_no_qt() -> None:
    """The warm-up runs on a thread and swallows its errors: a renamed module would go
    unnoticed, and a Qt module imported there would build Qt objects off the GUI thread."""
    result = subprocess.run(
        [sys.executable, "-c", WARM_UP_PROBE],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"qt": []}


WINDOW_STEPS_PROBE = """
import importlib, json, sys
import portal_client.gui.app  # what is loaded before the sign-in window paints
from portal_client.gui.warm_up import BACKGROUND_MODULES, WINDOW_MODULES
OURS = ("portal_client", "pharmacy_domain", "PySide6")
def ours():
    return {m for m in sys.modules if m.startswith(OURS)}
for name in BACKGROUND_MODULES:
    importlib.import_module(name)
steps = {}
for name in WINDOW_MODULES:
    before = ours()
    importlib.import_module(name)
    packages = {name.rsplit(".", n)[0] for n in range(1, name.count("."))}
    steps[name] = sorted(ours() - before - {name} - packages)
before = ours()
for window in ("prescriber_window", "pharmacist_window", "staff_window", "admin_window"):
    importlib.import_module("portal_client.gui." + window)
print(json.dumps({"steps": {k: v for k, v in steps.items() if v}, "left": sorted(ours() - before)}))
"""


def test_the_window_modules_load_one_per_step_and_cover_every_role_window() -> None:
    """The GUI-thread half of the warm-up imports one module per event-loop turn: each
    listed module may load only itself (and its packages), so it must come after what
    it imports; and once all are in, opening any role window imports nothing more."""
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_STEPS_PROBE],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"steps": {}, "left": []}


def test_the_warm_up_imports_the_window_modules_on_the_gui_thread(qtbot: QtBot) -> None:
    """After the background half, the window modules load one per turn on the GUI thread."""
    import threading

    from portal_client.gui import warm_up

    seen: list[tuple[str, bool]] = []

    def recording(name: str) -> None:
        seen.append((name, threading.current_thread() is threading.main_thread()))
        warm_up._import(name)

    runner = warm_up.WarmUp(
        background=("json",), windows=("portal_client.gui.badges",), importer=recording
    )
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start()
    assert seen == [("json", False), ("portal_client.gui.badges", True)]

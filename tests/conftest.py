"""Test-wide guards: no test touches the real home directory or keyring."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.helpers.live_server",
    "tests.helpers.postgres",
    "tests.helpers.secret_service",
]

# Set before anything imports platformdirs or keyring, and inherited by every
# subprocess a test starts (servers, the client under test).
_SANDBOX = Path(tempfile.mkdtemp(prefix="portal-tests-home-"))
for _name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    _path = _SANDBOX / _name.lower()
    _path.mkdir()
    os.environ[_name] = str(_path)
# Tests that need a real Secret Service start their own and override this.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own home and XDG folders."""
    home = tmp_path / "home"
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        folder = home / name.lower()
        folder.mkdir(parents=True)
        monkeypatch.setenv(name, str(folder))
    return home


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark Qt tests as ``gui`` and folder-based kinds, so subsets can run alone."""
    del config
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qapp" in fixtures or "qtbot" in fixtures:
            item.add_marker(pytest.mark.gui)
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)

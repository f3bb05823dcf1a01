"""Test-wide guards: no test touches the real home directory or keyring."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
# Every server process a test starts (they all run in demo mode) hashes passwords at
# argon2's minimum cost; a server that is not in demo mode refuses to start with this.
os.environ["PHARMACY_TEST_CHEAP_HASHING"] = "1"


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own home and XDG folders."""
    home = tmp_path / "home"
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        folder = home / name.lower()
        folder.mkdir(parents=True)
        monkeypatch.setenv(name, str(folder))
    return home


@pytest.fixture(autouse=True)
def _client_log_file_closed() -> Iterator[None]:
    """A client started in a test opens its log file in that test's folders: closed after."""
    yield
    from portal_client.core import logs

    logs.stop_file_log()


@functools.cache
def _seed_reference_data() -> Any:
    from pharmacy_domain.formulary import load_formulary
    from pharmacy_domain.rules import load_rules
    from portal_client.core.reference_data import ReferenceData

    return ReferenceData(load_formulary(), load_rules())


@pytest.fixture(autouse=True)
def _published_reference_data() -> Iterator[None]:
    """In-process client code checks with what a fresh server publishes (the seed files),
    as a signed-in client would once it fetched them; ``set_active(None)`` tests the
    client with none. Client processes a test starts fetch them from their server."""
    from portal_client.core import reference_data

    reference_data.set_active(_seed_reference_data())
    yield
    reference_data.set_active(None)


#: Left out of the inner loop (``make quick`` runs ``-m "not slow"``): real processes
#: killed or restarted, load, fault injection, fuzzing, long property runs. Single slow
#: tests elsewhere carry ``@pytest.mark.slow`` themselves.
SLOW_FOLDERS = ("tests/e2e", "tests/reliability")
SLOW_MODULES = (
    "tests/server/test_fuzz.py",  # Schemathesis over every operation: minutes
    "tests/server/test_live_server.py",  # server processes, restarts, 50 parallel submits
    "tests/server/test_exit_with_parent.py",  # watches a process die
    "tests/server/test_scale_out.py",  # two server processes behind a balancer
    "tests/server/test_postgres_for_tests.py",  # the suite's own clusters, started and killed
    "tests/unit/client/test_demo_server.py",  # the --demo child process, its client killed
    "tests/unit/durable/test_outbox_state_machine.py",  # Hypothesis state machine
    "tests/packaging/test_bundle.py",  # builds the PyInstaller bundle and starts it
    "tests/packaging/test_wheel.py",  # builds the wheel, installs it into a fresh venv
)


def _slow_paths(root: Path) -> tuple[Path, ...]:
    paths = tuple(root / name for name in (*SLOW_FOLDERS, *SLOW_MODULES))
    missing = [str(path.relative_to(root)) for path in paths if not path.exists()]
    if missing:  # a renamed file would otherwise slip into the quick loop unnoticed
        raise pytest.UsageError(f"tests/conftest.py names slow tests that are gone: {missing}")
    return paths


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark Qt tests as ``gui``, and folder- or module-based kinds (``e2e``, ``slow``), so
    subsets can run alone."""
    slow_paths = _slow_paths(config.rootpath)
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qapp" in fixtures or "qtbot" in fixtures:
            item.add_marker(pytest.mark.gui)
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
        if any(item.path == path or path in item.path.parents for path in slow_paths):
            item.add_marker(pytest.mark.slow)

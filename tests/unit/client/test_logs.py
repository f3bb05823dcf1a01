"""The client's log file: private, rotating, under the profile folder, tail readable."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal_client.core import logs, paths


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Path]:
    paths.set_base_dir(tmp_path / "profile")
    root = logging.getLogger()
    level = root.level
    yield tmp_path / "profile"
    logs.stop_file_log()
    root.setLevel(level)
    paths.set_base_dir(None)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_log_lives_in_the_profile_folder_and_is_private(profile: Path) -> None:
    logging.getLogger().setLevel(logging.INFO)
    target = logs.start_file_log()
    assert target == profile / "log" / logs.LOG_FILE_NAME
    logging.getLogger("portal_client.test").info("first line")
    assert _mode(target.parent) == 0o700
    assert _mode(target) == 0o600
    assert logs.recent_lines(5)[-1].endswith("portal_client.test [MainThread]: first line")


def test_records_from_before_the_file_are_written_first(profile: Path) -> None:
    logs.configure_early_logging()
    try:
        logging.getLogger("portal_client.early").info("before the first paint")
        logs.start_file_log()
        logging.getLogger("portal_client.late").info("after it")
        lines = logs.recent_lines(10)
        assert [line.rsplit(": ", 1)[-1] for line in lines[-3:]] == [
            "before the first paint",
            "portal-client 0.1.0 started",
            "after it",
        ]
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if isinstance(handler, logging.StreamHandler) and handler.level == logging.WARNING:
                root.removeHandler(handler)  # configure_early_logging's standard error


def test_the_file_rotates_and_every_file_stays_private(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    monkeypatch.setattr(logs, "BACKUP_COUNT", 3)
    logging.getLogger().setLevel(logging.INFO)
    target = logs.start_file_log()
    assert target is not None
    for number in range(200):
        logging.getLogger("portal_client.test").info("line %03d %s", number, "x" * 40)
    files = sorted(target.parent.glob(f"{logs.LOG_FILE_NAME}*"))
    assert [path.name for path in files] == [
        "client.log",
        "client.log.1",
        "client.log.2",
        "client.log.3",
    ]
    assert all(_mode(path) == 0o600 for path in files)
    assert all(path.stat().st_size <= 2_000 for path in files)
    assert logs.recent_lines(1)[0].endswith(f"line 199 {'x' * 40}")
    assert len(logs.recent_lines(200)) < 200  # only the current file's lines

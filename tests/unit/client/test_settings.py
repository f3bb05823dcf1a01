"""Settings: typed, atomic, and never a reason for the client not to start."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from portal_client.core import paths
from portal_client.core.settings import (
    Settings,
    WindowPrefs,
    load_settings,
    normalize_server_url,
    save_settings,
    settings_path,
)


def config_file(tmp_path: Path) -> Path:
    """A settings path in its own folder (the test's tmp_path also holds its home)."""
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    return folder / "settings.json"


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "nope.json") == Settings()
    assert Settings().server_url is None  # the first run asks for it


def test_round_trip(tmp_path: Path) -> None:
    target = config_file(tmp_path)
    settings = Settings(
        server_url="https://pharmacy.example.org",
        ca_bundle="/etc/pharmacy/ca.pem",
        window=WindowPrefs(width=1400, height=900, maximized=True),
        review_status_filter="all",
    )
    save_settings(settings, target)
    assert load_settings(target) == settings
    assert [p.name for p in target.parent.iterdir()] == ["settings.json"]  # no temp file left


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '"text"', "", "\x00\x01"])
def test_corrupt_file_gives_defaults_and_a_warning(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    target = config_file(tmp_path)
    target.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert load_settings(target) == Settings()
    assert "damaged" in caplog.text


def test_bad_values_are_dropped_one_by_one(tmp_path: Path) -> None:
    target = config_file(tmp_path)
    target.write_text(
        json.dumps(
            {
                "server_url": "ftp://nope",
                "window": {"width": "wide", "height": 800, "maximized": 1},
                "review_status_filter": "approved",
                "password": "never read",
            }
        ),
        encoding="utf-8",
    )
    settings = load_settings(target)
    assert settings.server_url is None
    assert settings.window == WindowPrefs(width=1200, height=800, maximized=False)
    assert settings.review_status_filter == "approved"


def test_unreadable_file_gives_defaults(tmp_path: Path) -> None:
    target = config_file(tmp_path)
    target.mkdir()  # reading a directory fails with an OSError
    assert load_settings(target) == Settings()


def test_failed_replace_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = config_file(tmp_path)
    save_settings(Settings(server_url="https://old.example.org"), target)

    def broken_replace(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_settings(Settings(server_url="https://new.example.org"), target)
    monkeypatch.undo()
    assert load_settings(target).server_url == "https://old.example.org"
    assert [p.name for p in target.parent.iterdir()] == ["settings.json"]


def test_the_file_holds_no_secrets_or_patient_fields(tmp_path: Path) -> None:
    target = config_file(tmp_path)
    save_settings(Settings(), target)
    keys = json.loads(target.read_text(encoding="utf-8")).keys()
    assert set(keys) == {
        "server_url",
        "ca_bundle",
        "window",
        "review_status_filter",
        "colour_scheme",
        "layouts",
        "language",
    }


def test_the_colour_scheme_is_kept_and_a_bad_one_ignored(tmp_path: Path) -> None:
    target = config_file(tmp_path)
    save_settings(Settings(colour_scheme="dark"), target)
    assert load_settings(target).colour_scheme == "dark"
    target.write_text('{"colour_scheme": "purple"}', encoding="utf-8")
    assert load_settings(target).colour_scheme == "system"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pharmacy.example.org", "http://pharmacy.example.org"),
        (" https://pharmacy.example.org/ ", "https://pharmacy.example.org"),
        ("http://127.0.0.1:8470", "http://127.0.0.1:8470"),
    ],
)
def test_normalize_server_url(text: str, expected: str) -> None:
    assert normalize_server_url(text) == expected


@pytest.mark.parametrize("text", ["", "ftp://x.org", "https://user:pw@x.org", "https://x.org/?a=1"])
def test_normalize_server_url_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        normalize_server_url(text)


def test_temp_basedir_puts_every_folder_under_it(tmp_path: Path) -> None:
    paths.set_base_dir(tmp_path)
    try:
        folders = [paths.config_dir(), paths.data_dir(), paths.cache_dir(), paths.log_dir()]
        assert all(folder.is_dir() and tmp_path in folder.parents for folder in folders)
        assert settings_path().parent == paths.config_dir()
    finally:
        paths.set_base_dir(None)


def test_platform_folders_follow_xdg(tmp_path: Path) -> None:
    # tests/conftest.py points XDG_CONFIG_HOME into this test's private home.
    assert Path(os.environ["XDG_CONFIG_HOME"]) in paths.config_dir().parents

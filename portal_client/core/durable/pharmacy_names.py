"""Which pharmacy an address reaches, remembered for when the server cannot say.

The local store is named after the pharmacy's id from ``/healthz`` (see store_move.py).
The id of each address seen is kept in ``local-store/pharmacies.json`` (addresses and
ids only, nothing about a patient or a user), so a window opened while the server does
not answer still finds the same store rather than one named after the address.

Blocking: ``ask_server`` (the network) and a few ms of disk.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "pharmacies.json"


def _known_path(data_dir: Path) -> Path:
    return data_dir / "local-store" / FILE_NAME


def _read_known(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(url): str(pid) for url, pid in data.items() if isinstance(pid, str)}


def _write_known(path: Path, known: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(known, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def pharmacy_id_for(
    data_dir: Path, server_url: str, ask_server: Callable[[], str | None]
) -> str | None:
    """The pharmacy's id as the server says it (remembered), else as last remembered for
    this address; None when neither knows. ``ask_server`` returns None or raises when the
    server cannot say."""
    address = server_url.rstrip("/")
    path = _known_path(data_dir)
    known = _read_known(path)
    try:
        answered = ask_server()
    except Exception as error:  # any failure to ask: fall back to what we remember
        log.warning("The pharmacy's identity could not be asked (%s)", type(error).__name__)
        answered = None
    if answered is None:
        return known.get(address)
    if known.get(address) != answered:
        known[address] = answered
        try:
            _write_known(path, known)
        except OSError as error:
            log.warning("Could not remember the pharmacy's identity (%s)", error)
    return answered

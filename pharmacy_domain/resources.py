"""The one place that finds the project's data files (templates, formulary, icons).

A source checkout and an editable install read the top-level ``resources/``
folder; an installed wheel carries the same files as ``pharmacy_domain/_resources``
(see ``[tool.hatch.build.targets.wheel.force-include]``); a frozen build sets
``PORTAL_RESOURCES_DIR``.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any


@cache
def resources_dir() -> Path:
    """Return the folder holding the data files, whichever way we were installed."""
    override = os.environ.get("PORTAL_RESOURCES_DIR")
    if override:
        return Path(override)
    packaged = Path(__file__).resolve().parent / "_resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of one resource, refusing anything that escapes the resources folder."""
    base = resources_dir().resolve()
    path = base.joinpath(*parts).resolve()
    if base not in path.parents and path != base:
        raise ValueError(f"resource path escapes the resources folder: {'/'.join(parts)}")
    return path


def load_json(*parts: str) -> Any:
    """Parse one JSON resource."""
    with resource_path(*parts).open(encoding="utf-8") as handle:
        return json.load(handle)

"""The formulary and rules the composer checks with: the server's published versions.

Never the copy installed beside the client: ``refresh`` fetches the published formulary
(``GET /api/v1/formulary/document``) and rules (``GET /api/v1/rules``) through
``ApiClient`` on a worker thread, rebuilds them with the domain's parsers, saves them in
the profile's cache folder by version (no patient data: plain JSON files) and makes them
the active pair. Offline, the newest saved pair is used and said to be a saved copy;
with none, there is no active pair and the composer's checks say "unknown".

The active pair is process-wide (one signed-in server at a time), guarded by a lock:
the worker thread sets it, the GUI thread's instant checks read it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from portal_client.core.errors import PortalError
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from pharmacy_domain.formulary import Formulary
    from pharmacy_domain.rules import Rules
    from portal_client.core.catalog_wire import FormularyDocumentWire, RulesWire

log = logging.getLogger(__name__)

#: The saved pair's index file in a server's cache folder.
LATEST_FILE = "latest.json"


@dataclass(frozen=True)
class ReferenceData:
    """One formulary version and one rules version, ready for the engine."""

    formulary: Formulary
    rules: Rules
    #: True: the server could not be asked; this is the copy saved the last time.
    from_cache: bool = False
    #: Which server's pair it is (its cache folder): another server's is never reused.
    #: Empty for a pair set by hand (a benchmark, the tests' seed files).
    origin: str = ""

    @property
    def versions(self) -> tuple[int, int]:
        return (self.formulary.version, self.rules.version)


class PublishedSource(Protocol):
    """What ``refresh`` needs of ``ApiClient`` (``core.catalog_calls``)."""

    def published_formulary(self) -> FormularyDocumentWire: ...

    def published_rules(self) -> RulesWire: ...


def _build(
    document: Mapping[str, Any],
    rules: Mapping[str, Any],
    curves: Mapping[str, Any] | None,
    *,
    from_cache: bool,
    origin: str,
) -> ReferenceData:
    from pharmacy_domain.formulary import formulary_from_dict
    from pharmacy_domain.rules import rules_from_dict

    return ReferenceData(
        formulary_from_dict(document),
        rules_from_dict(rules, curves),
        from_cache=from_cache,
        origin=origin,
    )


class ReferenceCache:
    """``formulary-v{N}.json`` and ``rules-v{N}.json`` per server, and which pair is newest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def for_server(cls, cache_root: Path, server_url: str) -> ReferenceCache:
        """One folder per server address, named by its hash (an address may hold a port
        or a path that is no file name)."""
        digest = hashlib.sha256(server_url.rstrip("/").encode("utf-8")).hexdigest()[:16]
        return cls(cache_root / "reference" / digest)

    def save(self, formulary: FormularyDocumentWire, rules: RulesWire) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write(f"formulary-v{formulary.version}.json", dict(formulary.document))
        self._write(
            f"rules-v{rules.version}.json",
            {
                "rules": dict(rules.rules),
                "curves": None if rules.curves is None else dict(rules.curves),
            },
        )
        self._write(LATEST_FILE, {"formulary": formulary.version, "rules": rules.version})

    def load_latest(self) -> ReferenceData | None:
        """The newest saved pair, or None (none saved, or unreadable: never a guess)."""
        try:
            latest = self._read(LATEST_FILE)
            document = self._read(f"formulary-v{int(latest['formulary'])}.json")
            saved_rules = self._read(f"rules-v{int(latest['rules'])}.json")
            return _build(
                document,
                saved_rules["rules"],
                saved_rules.get("curves"),
                from_cache=True,
                origin=str(self.folder),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.info("No usable saved formulary and rules: %s", error.__class__.__name__)
            return None

    def _write(self, name: str, value: Any) -> None:
        # Write then rename: a crash leaves the old file or the new one, never half.
        target = self.folder / name
        partial = target.with_suffix(".partial")
        partial.write_text(json.dumps(value, sort_keys=True), encoding="utf-8")
        os.replace(partial, target)

    def _read(self, name: str) -> Any:
        return json.loads((self.folder / name).read_text(encoding="utf-8"))


_lock = threading.Lock()
_active: ReferenceData | None = None


def active() -> ReferenceData | None:
    """The pair the composer checks with now (None: unknown, the checks say so)."""
    with _lock:
        return _active


def set_active(data: ReferenceData | None) -> None:
    global _active  # noqa: PLW0603 - one process-wide pair, like the signed-in server
    with _lock:
        _active = data


@dataclass(frozen=True)
class Refreshed:
    """What ``refresh`` found: the active pair now, and what it replaced."""

    data: ReferenceData | None
    previous: tuple[int, int] | None
    #: The server could not be asked (the data, if any, is the saved copy).
    offline: bool = False

    @property
    def changed(self) -> bool:
        """A pair was in use and the server published another one since."""
        return (
            self.previous is not None
            and self.data is not None
            and self.data.versions != self.previous
        )


def refresh(source: PublishedSource, cache: ReferenceCache) -> Refreshed:
    """Fetch the published pair (worker thread), save it and make it active."""
    before = active()
    if before is not None and before.origin and before.origin != str(cache.folder):
        before = None  # another server's pair: never this one's (one set by hand is kept)
    previous = None if before is None else before.versions
    try:
        formulary = source.published_formulary()
        rules = source.published_rules()
        if (
            before is not None
            and not before.from_cache
            and before.versions
            == (
                formulary.version,
                rules.version,
            )
        ):
            return Refreshed(before, previous)
        data = _build(
            formulary.document,
            rules.rules,
            rules.curves,
            from_cache=False,
            origin=str(cache.folder),
        )
    except (PortalError, ValueError) as error:  # ValueError: a document the domain refuses
        log.info("The published formulary and rules were not fetched: %s", type(error).__name__)
        fallback = before if before is not None else cache.load_latest()
        set_active(fallback)
        return Refreshed(fallback, previous, offline=True)
    try:
        cache.save(formulary, rules)
    except OSError as error:  # a full disk costs the offline copy, not the checks
        log.warning("The formulary and rules were not saved: %s", error.__class__.__name__)
    set_active(data)
    return Refreshed(data, previous)


#: What the composer's banner says after a refresh (``reference_message``).
REFRESHED_TEXT = QT_TRANSLATE_NOOP(
    "ReferenceData",
    "The pharmacy published formulary version {formulary} and rules version {rules} "
    "(this order was checked with formulary version {old_formulary} and rules version "
    "{old_rules}): the checks ran again with the new ones.",
)
OFFLINE_CACHED_TEXT = QT_TRANSLATE_NOOP(
    "ReferenceData",
    "The pharmacy's server could not be reached: the checks use the saved formulary "
    "version {formulary} and rules version {rules}.",
)
OFFLINE_UNKNOWN_TEXT = QT_TRANSLATE_NOOP(
    "ReferenceData",
    "The pharmacy's server could not be reached and no formulary or rules are saved on "
    "this computer: the checks are unknown.",
)


def reference_message(outcome: Refreshed) -> tuple[str, str] | None:
    """(text, banner kind) for a refresh the user must hear about, or None."""
    if outcome.data is None:
        return translate("ReferenceData", OFFLINE_UNKNOWN_TEXT), "warn"
    formulary, rules = outcome.data.versions
    if outcome.offline and outcome.data.from_cache:
        text = translate("ReferenceData", OFFLINE_CACHED_TEXT)
        return text.format(formulary=formulary, rules=rules), "warn"
    if outcome.changed and outcome.previous is not None:
        text = translate("ReferenceData", REFRESHED_TEXT).format(
            formulary=formulary,
            rules=rules,
            old_formulary=outcome.previous[0],
            old_rules=outcome.previous[1],
        )
        return text, "info"
    return None


def newer_on_server(server_versions: tuple[int, int] | None) -> bool:
    """The server judged with another pair than the one in use: fetch it."""
    current = active()
    return server_versions is not None and (
        current is None or current.from_cache or current.versions != server_versions
    )

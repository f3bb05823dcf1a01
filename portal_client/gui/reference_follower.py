"""Keeps the composer's formulary and rules those the server publishes, in the background.

At the window's start, and whenever the server's own check of the order says it judged
with another formulary or rules version, ``core.reference_data.refresh`` runs on the
``ops`` pool (fetch, save by version, make active); the window then runs the composer's
checks again and says why.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from portal_client.core import paths
from portal_client.core.reference_data import ReferenceCache, newer_on_server, refresh
from portal_client.gui.ops import Op

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient
    from portal_client.core.server_checks import ServerCheck

log = logging.getLogger(__name__)


class ReferenceFollower(QObject):
    """Signals:
    refreshed(object): a ``reference_data.Refreshed`` after each refresh.
    """

    refreshed = Signal(object)

    def __init__(self, client: ApiClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._cache = ReferenceCache.for_server(paths.cache_dir(), client.base_url)
        self._running = False
        self._again = False

    @property
    def busy(self) -> bool:
        """A fetch is under way (its ``refreshed`` is still to come)."""
        return self._running

    def refresh(self) -> None:
        """Fetch the published pair once (one at a time; asked again meanwhile: once more)."""
        if self._running:
            self._again = True
            return
        self._running = True
        client, cache = self.client, self._cache
        Op(self, lambda: refresh(client, cache)).success(self.refreshed.emit).failure(
            self._failed
        ).finally_(self._done).run()

    def follow_server(self, check: ServerCheck) -> None:
        """The server judged the order with another pair: fetch it, the checks re-run."""
        if newer_on_server(check.versions):
            self.refresh()

    def _failed(self, error: Exception) -> None:
        log.warning("The formulary and rules refresh failed: %s", error.__class__.__name__)

    def _done(self) -> None:
        self._running = False
        if self._again:
            self._again = False
            self.refresh()

"""Importing the signed-in windows' modules while the user types, so the click on
"Sign in" builds a window instead of compiling and loading fifty modules.

Two halves, because Qt classes are made on the GUI thread only: the Qt-free modules
(the domain, the client's core, ``requests``) load on a background thread; when it is
done, the role windows' own modules load on the GUI thread, one per turn of the event
loop (each a few milliseconds: PySide6 builds a class's enums on first use), so no
keystroke waits behind more than one of them. Signing in before the end just imports
the rest on the spot.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

#: Qt-free: imported on the warm-up thread (tests/gui/test_startup.py checks no Qt loads).
BACKGROUND_MODULES = (
    "requests",
    "urllib3.util.retry",
    "portal_client.core.api_client",
    "pharmacy_domain.prescription",
    "pharmacy_domain.engine",
    "portal_client.core.reference_data",
    "portal_client.core.catalog_editing",
    "portal_client.core.composer",
    "portal_client.core.signature_check",
    "portal_client.core.presentation",
    "portal_client.core.queue_pages",
    "portal_client.core.prescriber_pages",
    "portal_client.core.prescriber_work",
    "portal_client.core.dispensing_view",
    "portal_client.core.dispensing_entry",
    "portal_client.core.accounts",
    "portal_client.core.repeat",
    "portal_client.core.prescription_list",
    "portal_client.core.prescription_copy",
    "portal_client.core.favorites",
    "portal_client.core.outbox_rows",
    "portal_client.core.durable",
    "pharmacy_domain.licences",
    "portal_client.core.patients",
    "portal_client.core.claims",
    "portal_client.core.messages",
    "portal_client.core.account_admin",
    "pharmacy_domain.field_proposals",
    "portal_client.core.version_wire",
    "portal_client.core.version_calls",
    "portal_client.core.version_diff",
    "html.entities",
)

#: The role windows' Qt modules, deepest first (so each step runs one module's body),
#: imported on the GUI thread. tests/gui/test_startup.py checks that the role windows
#: need nothing beyond these and the background ones.
WINDOW_MODULES = (
    "portal_client.gui.wheel_guard",
    "portal_client.gui.stepped_build",
    "portal_client.gui.beyond_use_fields",
    "portal_client.gui.focus_chain",
    "portal_client.gui.action_dialog",
    "portal_client.gui.actions",
    "portal_client.gui.composer.fields",
    "portal_client.gui.composer.administration_card",
    "portal_client.gui.composer.autosave",
    "portal_client.gui.busy",
    "portal_client.gui.composer.bars",
    "portal_client.gui.composer.dispensing_card",
    "portal_client.gui.composer.ingredients_card",
    "portal_client.gui.composer.labs_card",
    "portal_client.gui.composer.navigation",
    "portal_client.gui.composer.patient_card",
    "portal_client.gui.composer.server_check",
    "portal_client.gui.sign_dialog",
    "portal_client.gui.composer.signing",
    "portal_client.gui.composer.template_card",
    "portal_client.gui.findings_panel",
    "portal_client.gui.composer.page",
    "portal_client.gui.composer",
    "portal_client.gui.lock_screen",
    "portal_client.gui.menus",
    "portal_client.gui.main_window",
    "portal_client.gui.reference_follower",
    "portal_client.gui.composing_window",
    "portal_client.gui.connectivity",
    "portal_client.gui.drafts_view",
    "portal_client.gui.favorite_dialog",
    "portal_client.gui.favorites_action",
    "portal_client.gui.badges",
    "portal_client.gui.models",
    "portal_client.gui.list_view",
    "portal_client.gui.message_thread",
    "PySide6.QtPrintSupport",
    "portal_client.gui.pdf_copy",
    "portal_client.gui.prescriber_parts",
    "portal_client.gui.field_clarification",
    "portal_client.gui.repeat_action",
    "portal_client.gui.composer.record_link",
    "portal_client.gui.patient_dialog",
    "portal_client.gui.patients_page",
    "portal_client.gui.queue_model",
    "portal_client.gui.prescriber_list_model",
    "portal_client.gui.prescriber_window",
    "portal_client.gui.desk_claims",
    "portal_client.gui.queue_search",
    "portal_client.gui.pharmacist_window",
    "portal_client.gui.staff_window",
    "portal_client.gui.audit_view",
    "portal_client.gui.users_view",
    "portal_client.gui.template_editor",
    "portal_client.gui.admin_window",
)


def _read_lab_names() -> None:
    """The lab list the composer names labs from, read while the user types (the
    formulary and rules come from the server, fetched in the background)."""
    from portal_client.core.composer import read_lab_names

    read_lab_names()


def _import(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception:  # a warm-up must never break anything
        log.debug("Warm-up import of %s failed", name, exc_info=True)


class WarmUp(QObject):
    """The background half, then the GUI-thread half one module per event-loop turn."""

    #: From the warm-up thread; queued to the GUI thread.
    background_done = Signal()
    finished = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        background: Sequence[str] = BACKGROUND_MODULES,
        windows: Sequence[str] = WINDOW_MODULES,
        first: Callable[[], object] | None = None,
        importer: Callable[[str], None] = _import,
    ) -> None:
        super().__init__(parent)
        self._first = first
        self._import = importer
        self._background = tuple(background)
        self._pending = list(windows)
        self.done = False
        self.background_done.connect(self._next_window_module)

    def start(self) -> None:
        def work() -> None:
            if self._first is not None:
                try:
                    self._first()
                except Exception:
                    log.warning("Warm-up step failed", exc_info=True)
            for name in self._background:
                self._import(name)
            try:
                _read_lab_names()
            except Exception:  # read again on first use; a warm-up never breaks anything
                log.debug("Warm-up read of the lab list failed", exc_info=True)
            try:
                self.background_done.emit()
            except RuntimeError:  # its window closed meanwhile: nothing left to warm up
                log.debug("Warm-up finished after its owner was deleted")

        threading.Thread(target=work, name="portal-warm-up", daemon=True).start()

    def _next_window_module(self) -> None:
        if not self._pending:
            self.done = True
            self.finished.emit()
            return
        self._import(self._pending.pop(0))
        # Zero-time: input and paints queued meanwhile run before the next module.
        QTimer.singleShot(0, self, self._next_window_module)


def warm_up_imports(parent: QObject, first: Callable[[], object] | None = None) -> WarmUp:
    """Start importing what signing in needs (``parent`` keeps the warm-up alive);
    ``first`` runs on the warm-up thread before the imports (disk work, say)."""
    warm_up = WarmUp(parent, first=first)
    warm_up.start()
    return warm_up

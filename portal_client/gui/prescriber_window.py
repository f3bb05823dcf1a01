"""The prescriber's window: what was sent, drafts, the outbox, and the composer.

After sign-in the user's encrypted local store opens in the background
(``open_user_store``: keyring and disk). The composer autosaves into it; signing
puts the signed body in its outbox, and an ``OutboxWorker`` thread sends it. The
outbox reports changes on that worker thread: ``_OutboxBridge`` re-emits them as a
queued Qt signal, so every widget update happens on the GUI thread.

Closing (quit, sign-out, session expiry) never loses work: pending edits are
flushed, the worker stopped and the store closed on a background thread, and a
user-initiated quit or sign-out with unsent prescriptions says so first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton, QTabWidget, QWidget

from pharmacy_domain.status import available_actions
from portal_client.core.api_client import Page
from portal_client.core.composer import ServerDraft
from portal_client.core.presentation import new_question_message, prescriber_count_text
from portal_client.gui import resources
from portal_client.gui.action_dialog import ActionDialog, LifecycleActions
from portal_client.gui.composer import ComposerPage
from portal_client.gui.composing_window import ComposingWindow, StoreOpener
from portal_client.gui.connectivity import (
    OFFLINE,
    ONLINE,
    UNAVAILABLE,
    ConnectivityIndicator,
    state_for_error,
)
from portal_client.gui.drafts_view import DraftsView, OutboxView
from portal_client.gui.list_view import PrescriptionBrowser
from portal_client.gui.main_window import ConfirmLeave, window_title
from portal_client.gui.models import PRESCRIBER_COLUMNS
from portal_client.gui.ops import Op
from portal_client.gui.widgets import Banner

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template
    from portal_client.core.api_client import ApiClient, SignedInUser
    from portal_client.core.durable import DraftSummary, DurableSession, OutboxItem, OutboxWorker

log = logging.getLogger(__name__)

_UNSENT_STATES = ("queued", "sending", "unknown")
ROLE = "prescriber"
SENT_TAB = "Sent to the pharmacy"
_ATTENTION_STATES = ("rejected", "mismatch", "needs_signature")


@dataclass
class PrescriberFetch:
    """One refresh: what was sent, and the drafts clinic staff prepared on the server."""

    page: Page
    prepared: list[ServerDraft]


def fetch_sent_and_prepared(client: ApiClient, prescriber_id: str) -> PrescriberFetch:
    """One refresh (worker thread): what was sent, and the drafts prepared for the prescriber."""
    page = client.all_prescriptions()
    prepared = [ServerDraft.from_wire(item) for item in client.list_drafts()]
    # A prescriber's own drafts live on this computer; the server's are staff-prepared.
    return PrescriberFetch(page, [d for d in prepared if d.prescriber_id == prescriber_id])


class _OutboxBridge(QObject):
    """Emitted from the outbox worker thread; connected slots run on the GUI thread."""

    changed = Signal(object)


class PrescriberWindow(ComposingWindow):
    """Signals:
    local_work_changed(): drafts or outbox lists were reloaded (tests wait on it).
    acted(dict): an answer or a cancellation was recorded (the updated prescription).
    """

    STORE_FAILED_MESSAGE = "Drafts and signing are unavailable on this computer: {error}"

    local_work_changed = Signal()
    acted = Signal(dict)

    def __init__(
        self,
        client: ApiClient,
        user: SignedInUser,
        parent: QWidget | None = None,
        *,
        store_opener: StoreOpener | None = None,
        confirm_leave: ConfirmLeave | None = None,
    ) -> None:
        super().__init__(client, user, parent, confirm_leave=confirm_leave)
        self.worker: OutboxWorker | None = None
        self.outbox_items: list[OutboxItem] = []
        self.drafts: list[DraftSummary] = []
        #: Server drafts clinic staff prepared for this prescriber (the signing queue).
        self.prepared: list[ServerDraft] = []
        self._retiring: set[str] = set()  # server drafts being deleted after submission
        #: Prescriptions with a pharmacist's question, as of the last refresh (None: not yet).
        self._questions_seen: set[str] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._bridge = _OutboxBridge(self)
        self._bridge.changed.connect(self._outbox_changed)

        self.connectivity = ConnectivityIndicator()
        self.top_bar_actions.addWidget(self.connectivity)
        self.top_bar_actions.addSpacing(8)

        self.composer = ComposerPage(client)
        self.pages.addWidget(self._build_list_page())
        self.lifecycle = LifecycleActions(self, self.browser, self.banner)
        self.lifecycle.acted.connect(self._acted)
        self.lifecycle.busy_changed.connect(lambda _busy: self._update_prescription_actions())
        self.browser.rendered.connect(lambda _item: self._update_prescription_actions())
        self.pages.addWidget(self.composer)
        self.composer.signed.connect(self._signed)
        self.start("Loading your prescriptions…", store_opener)

    def _build_list_page(self) -> QWidget:
        page, layout = self.canvas_page()
        layout.addLayout(
            self.build_list_header(
                "My prescriptions",
                "New prescription",
                "Start a new prescription (Ctrl+N)",
                "Check for updates now (F5). The list also updates by itself every 20 seconds.",
            )
        )
        self.banner = Banner()
        self.store_banner = Banner()
        self.question_banner = Banner()  # a pharmacist's new question: stays until answered
        layout.addWidget(self.banner)
        layout.addWidget(self.store_banner)
        layout.addWidget(self.question_banner)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.browser = PrescriptionBrowser(PRESCRIBER_COLUMNS, viewer_role=ROLE)
        self.browser.set_empty_text(
            "Nothing sent to the pharmacy yet. Press “New prescription” to write one."
        )
        self.browser.enable_fhir_export(self.client)
        self.browser.on_export_message = self.banner.show_message
        self._build_prescription_actions()
        self.drafts_view = DraftsView()
        self.outbox_view = OutboxView()
        self.tabs.addTab(self.browser, SENT_TAB)
        self.tabs.addTab(self.drafts_view, "Drafts")
        self.tabs.addTab(self.outbox_view, "Outbox")
        layout.addWidget(self.tabs, 1)
        self.drafts_view.open_requested.connect(self.open_draft)
        self.drafts_view.discard_requested.connect(self.discard_local_draft)
        self.drafts_view.open_prepared_requested.connect(self.open_prepared)
        self.outbox_view.reopen_requested.connect(self.reopen_refused)
        self.outbox_view.sign_again_requested.connect(self.sign_again)
        return page

    def _build_prescription_actions(self) -> None:
        """Under a sent prescription: answer the pharmacist's question, or cancel it."""
        actions = self.browser.detail_actions
        self.cancel_button = QPushButton(" Cancel prescription…")
        self.cancel_button.setObjectName("Danger")
        self.cancel_button.setIcon(resources.icon("x"))
        self.cancel_button.setToolTip("Ask the pharmacy not to prepare it (a reason is required)")
        self.answer_button = QPushButton(" Answer the pharmacist…")
        self.answer_button.setObjectName("Primary")
        self.answer_button.setIcon(resources.icon("send"))
        for button in (self.cancel_button, self.answer_button):
            button.setMinimumHeight(34)
            button.hide()
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.answer_button)
        self.answer_button.clicked.connect(lambda: self.open_action_dialog("answer_clarification"))
        self.cancel_button.clicked.connect(lambda: self.open_action_dialog("cancel"))

    # ---------------------------------------------------------------- pages

    def new_from_list(self) -> None:
        self.show_composer()

    def show_composer(self) -> None:
        """A new prescription (or the one already open in the composer)."""
        if self.composer.is_dirty() and self.pages.currentWidget() is not self.composer:
            self.composer.start_new()
        self.enter_composer()

    def show_list(self) -> None:
        self.pages.setCurrentIndex(0)
        self.setWindowTitle(window_title(self.user))
        self.reload_local_work()

    def templates_ready(self) -> None:
        super().templates_ready()
        self.browser.names = self.names
        self.browser.show_items([r.wire for r in self.browser.model.state.rows])
        self._show_local_work()

    # ------------------------------------------------------------ local store

    def local_store_ready(self, durable: DurableSession) -> None:
        from portal_client.core.durable import OutboxWorker

        self._unsubscribe = durable.outbox.subscribe(self._bridge.changed.emit)
        self.worker = OutboxWorker(durable.outbox)
        self.worker.start()
        self.reload_local_work(first=True)

    def reload_local_work(self, first: bool = False) -> None:
        """Read drafts and outbox rows off the GUI thread, then show them."""
        durable = self.durable
        if durable is None:
            return

        def read() -> tuple[list[DraftSummary], list[OutboxItem]]:
            return durable.drafts.list(), durable.outbox.items()

        def show(result: tuple[list[DraftSummary], list[OutboxItem]]) -> None:
            self.drafts, self.outbox_items = result
            self._show_local_work()
            if first and self.drafts:
                count = len(self.drafts)
                noun = "draft is" if count == 1 else "drafts are"
                self.banner.show_message(
                    f"{count} {noun} waiting where you left {'it' if count == 1 else 'them'}. "
                    "Open the Drafts tab to continue.",
                    "info",
                )
            self.local_work_changed.emit()

        Op(self, read).success(show).failure(
            lambda error: self.store_banner.show_message(f"Cannot read drafts: {error}", "error")
        ).run()

    def _signed_server_drafts(self) -> set[str]:
        """Server drafts already signed here (in the outbox, not handed back as a draft)."""
        return {
            item.draft_id
            for item in self.outbox_items
            if item.draft_id is not None and item.state.value != "rejected"
        }

    def _show_local_work(self) -> None:
        names = {t.id: t.name for t in self.templates}
        signed = self._signed_server_drafts()
        queue = [d for d in self.prepared if d.id not in signed and d.id not in self._retiring]
        queued_ids = {d.id for d in queue}
        # An opened prepared draft is autosaved under its server id: one row, not two.
        own = [d for d in self.drafts if d.id not in queued_ids]
        self.drafts_view.show_drafts(own, names)
        self.drafts_view.show_prepared(queue, names)
        self.outbox_view.show_items(self.outbox_items)
        label = "Drafts"
        if own or queue:
            label += f" ({len(own) + len(queue)})"
        if queue:
            label += f" · {len(queue)} prepared for you"
        self.tabs.setTabText(1, label)
        self._retire_submitted_server_drafts()
        unsent = sum(1 for i in self.outbox_items if i.state.value in _UNSENT_STATES)
        attention = sum(1 for i in self.outbox_items if i.state.value in _ATTENTION_STATES)
        label = "Outbox"
        if unsent:
            label += f" · {unsent} waiting"
        if attention:
            label += f" · {attention} to act on"
        self.tabs.setTabText(2, label)

    def open_draft(self, draft_id: str) -> None:
        durable = self.durable
        if durable is None:
            return

        known = list(self.templates)

        def load() -> tuple[dict[str, Any] | None, list[Template]]:
            if known:
                return durable.drafts.load(draft_id), known
            # Offline before the server's templates arrived: the bundled catalog keeps
            # the draft's template (and its amounts) from being dropped.
            from pharmacy_domain.templates import load_template_catalog

            return durable.drafts.load(draft_id), load_template_catalog().latest()

        def opened(result: tuple[dict[str, Any] | None, list[Template]]) -> None:
            payload, templates = result
            if payload is None:
                self.banner.show_message("That draft no longer exists.", "warn")
                self.reload_local_work()
                return
            if not self.composer.templates:
                self.composer.load_templates(templates)
            self.composer.open_draft(draft_id, payload)
            self.enter_composer()

        Op(self, load).success(opened).run()

    def open_prepared(self, draft_id: str) -> None:
        """A draft clinic staff prepared: into the composer, to review, sign and submit.

        It is opened under its server id, so the autosave keeps the prescriber's edits
        under that id and the signed outbox row names it (``draft_id``); once the
        pharmacy has it, the server draft is deleted and leaves the queue."""
        if any(d.id == draft_id for d in self.drafts):
            self.open_draft(draft_id)  # edited here before: the local copy is newer
            return
        draft = next((d for d in self.prepared if d.id == draft_id), None)
        if draft is None:
            return
        if not self.composer.templates and self.templates:
            self.composer.load_templates(self.templates)
        self.composer.open_draft(draft.id, draft.payload)
        self.composer.status_banner.show_message(
            f"Prepared by {draft.prepared_by}. Review every field before you sign.", "info"
        )
        self.enter_composer()

    def _retire_submitted_server_drafts(self) -> None:
        """Delete server drafts whose prescription the pharmacy now has (network: background)."""
        submitted = {
            item.draft_id
            for item in self.outbox_items
            if item.draft_id is not None and item.state.value == "submitted"
        }
        done = [d.id for d in self.prepared if d.id in submitted and d.id not in self._retiring]
        if not done:
            return
        self._retiring.update(done)
        client = self.client

        def delete() -> None:
            for draft_id in done:
                client.delete_draft(draft_id)

        def deleted(_none: None) -> None:
            self.prepared = [d for d in self.prepared if d.id not in done]
            self._retiring.difference_update(done)
            self._show_local_work()

        def failed(error: Exception) -> None:
            # Still hidden (it is in the outbox); the next refresh tries again.
            log.info("Could not remove a submitted server draft: %s", type(error).__name__)
            self._retiring.difference_update(done)

        self.run(delete, deleted, failed)

    def reopen_refused(self, idempotency_key: str) -> None:
        durable = self.durable
        if durable is None:
            return
        Op(self, lambda: durable.outbox.reopen_rejected(idempotency_key)).success(
            self.open_draft
        ).run()

    def sign_again(self, idempotency_key: str) -> None:
        """A signature the pharmacy refused (expired): show it, step up, ``resign``."""
        durable = self.durable
        if durable is None:
            return

        def ask(body: dict[str, Any]) -> None:
            from portal_client.core.presentation import sign_summary_html
            from portal_client.gui.sign_dialog import SignDialog

            template = next((t for t in self.templates if t.id == body.get("template_id")), None)
            summary = sign_summary_html(
                body,
                template_name=template.name if template else str(body.get("template_id")),
                ingredient_names=self.names,
                computed={},
                nutrition=False,
            )
            dialog = SignDialog(
                self.client, body, summary, use_otp=self.user.mfa_enrolled, parent=self
            )

            def finished(_code: int) -> None:
                grant = dialog.grant
                dialog.deleteLater()
                if grant is None or self.durable is None:
                    return
                outbox = self.durable.outbox
                Op(self, lambda: outbox.resign(idempotency_key, grant.signing_token)).success(
                    lambda _item: self.worker.poke() if self.worker else None
                ).run()

            dialog.finished.connect(finished)
            dialog.open()

        Op(self, lambda: durable.outbox.body(idempotency_key)).success(ask).run()

    # ---------------------------------------------------------------- outbox

    def _signed(self, _item: OutboxItem) -> None:
        if self.worker is not None:
            self.worker.poke()
        self.composer.start_new()
        self.show_list()
        self.tabs.setCurrentWidget(self.outbox_view)
        self.banner.show_message(
            "Signed. The prescription is stored safely on this computer and is being sent to "
            "the pharmacy; its status shows below.",
            "info",
        )

    def _outbox_changed(self, item: OutboxItem) -> None:
        """On the GUI thread (queued from the worker)."""
        why = item.why.value
        if why == "offline":
            self.connectivity.set_state(OFFLINE)
        elif why in ("server_unavailable", "server_busy"):
            self.connectivity.set_state(UNAVAILABLE)
        elif item.state.value == "submitted":
            self.connectivity.set_state(ONLINE)
            reference = item.server_reference or item.server_id or ""
            self.banner.show_message(
                f"Prescription {reference} was received by the pharmacy. You will see here "
                "when a pharmacist has reviewed it.",
                "info",
            )
            self.refresh()
        self.reload_local_work()

    # -------------------------------------------------------------- refresh

    def fetch_job(self) -> Callable[[], PrescriberFetch]:
        client, mine = self.client, self.user.id  # read on the GUI thread
        return lambda: fetch_sent_and_prepared(client, mine)

    def show_fetched(self, result: PrescriberFetch) -> None:
        page = result.page
        self.prepared = result.prepared
        self._show_local_work()
        self.local_work_changed.emit()
        self.browser.show_items(page.items, page.total)
        self._update_count()
        self._announce_new_questions()
        self.statusBar().clearMessage()
        self._connection_seen(None)

    def refresh_failed(self, error: Exception | None) -> None:
        super().refresh_failed(error)
        if error is not None:
            self._connection_seen(error)

    def _connection_seen(self, error: Exception | None) -> None:
        was = self.connectivity.state
        now = state_for_error(error)
        self.connectivity.set_state(now)
        if now == ONLINE and was in (OFFLINE, UNAVAILABLE):
            self.send_waiting_now()

    def send_waiting_now(self) -> None:
        """The network is back: check and send every waiting row now, not at its backoff
        time (network: on a worker thread; the outbox never sends one row twice at once)."""
        durable = self.durable
        if durable is None:
            return
        outbox = durable.outbox
        Op(self, outbox.reconcile).failure(
            lambda error: log.warning("Reconcile failed: %s", type(error).__name__)
        ).run()

    def _update_count(self) -> None:
        rows = self.browser.model.state.rows
        self.count_label.setText(prescriber_count_text([r.status for r in rows]))
        questions = sum(1 for r in rows if r.status == "needs_clarification")
        plural = "s" if questions != 1 else ""
        self.tabs.setTabText(
            0, f"{SENT_TAB} · {questions} question{plural} for you" if questions else SENT_TAB
        )

    def _announce_new_questions(self) -> None:
        """A banner for questions this refresh found that the last one did not."""
        rows = [r for r in self.browser.model.state.rows if r.status == "needs_clarification"]
        current = {r.id for r in rows}
        seen, self._questions_seen = self._questions_seen, current
        if not current:
            self.question_banner.clear()
            return
        new = [(r.reference, r.patient) for r in rows if seen is None or r.id not in seen]
        if not new and self.question_banner.isVisible() and seen != current:
            new = [(r.reference, r.patient) for r in rows]  # one was answered: name the rest
        if new:
            self.question_banner.show_message(new_question_message(new), "warn")

    # ------------------------------------------------------- after submission

    def _update_prescription_actions(self) -> None:
        item = self.browser.current()
        offered = (
            set() if item is None else {a.name for a in available_actions(item["status"], ROLE)}
        )
        self.answer_button.setVisible("answer_clarification" in offered)
        self.cancel_button.setVisible("cancel" in offered)
        for button in (self.answer_button, self.cancel_button):
            button.setEnabled(not self.lifecycle.busy)

    def open_action_dialog(self, name: str) -> ActionDialog | None:
        item = self.browser.current()
        if item is None or name not in {
            a.name for a in available_actions(str(item.get("status")), ROLE)
        }:
            return None
        return self.lifecycle.open_dialog(name, item)

    @property
    def action_dialog(self) -> ActionDialog | None:
        return self.lifecycle.dialog

    def _acted(self, _name: str, updated: dict[str, Any]) -> None:
        self._update_count()
        self._announce_new_questions()
        self.acted.emit(updated)
        self.refresh()

    # -------------------------------------------------------------- leaving

    def unsent_work(self) -> str:
        """Unsent or refused prescriptions, in words ("" when nothing waits)."""
        unsent = sum(1 for i in self.outbox_items if i.state.value in _UNSENT_STATES)
        attention = sum(1 for i in self.outbox_items if i.state.value in _ATTENTION_STATES)
        if not unsent and not attention:
            return ""
        parts = []
        if unsent:
            noun = "prescription is" if unsent == 1 else "prescriptions are"
            parts.append(f"{unsent} signed {noun} not yet confirmed by the pharmacy.")
        if attention:
            noun = "prescription needs" if attention == 1 else "prescriptions need"
            parts.append(f"{attention} {noun} your attention.")
        durable = self.durable
        if durable is not None and not durable.persistent:
            parts.append(
                "Without a system keyring they are kept in memory only and will be LOST "
                "when you leave."
            )
        else:
            parts.append(
                "They stay safely on this computer and are sent the next time you sign in."
            )
        return " ".join(parts)

    def stop_local_workers(self) -> Callable[[], object] | None:
        """The outbox worker stops with the store (it may be mid-send: not on the GUI thread)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        worker, self.worker = self.worker, None
        return worker.stop if worker is not None else None

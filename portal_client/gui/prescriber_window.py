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
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from pharmacy_domain.status import available_actions
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.core.lifecycle_text import new_question_message, prescriber_count_text
from portal_client.core.prescriber_pages import PRESCRIBER_QUERY, first_prescriber_page
from portal_client.core.prescriber_work import (
    SENT_TAB,
    LocalWork,
    PrescriberFetch,
    Question,
    QuestionWatch,
    drafts_waiting_message,
    fetch_sent_and_prepared,
    sent_tab_label,
)
from portal_client.core.prescription_list import PrescriptionRow
from portal_client.core.queue_pages import QueueQuery, count_text
from portal_client.core.server_drafts import ServerDraft
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.action_dialog import ActionDialog, LifecycleActions
from portal_client.gui.composer import ComposerPage
from portal_client.gui.composer.record_link import RecordLink
from portal_client.gui.composing_window import ComposingWindow, StoreOpener
from portal_client.gui.connectivity import (
    OFFLINE,
    ONLINE,
    UNAVAILABLE,
    ConnectivityIndicator,
    state_for_error,
)
from portal_client.gui.drafts_view import DraftsView, OutboxView
from portal_client.gui.favorites_action import FavoriteOrders
from portal_client.gui.field_clarification import FieldClarifications
from portal_client.gui.focus_chain import set_focus_chain
from portal_client.gui.i18n import translate
from portal_client.gui.list_view import PrescriptionBrowser
from portal_client.gui.main_window import ConfirmLeave, window_title
from portal_client.gui.message_thread import PrescriptionMessages
from portal_client.gui.models import PRESCRIBER_COLUMNS
from portal_client.gui.ops import Op
from portal_client.gui.patients_page import PatientsPage
from portal_client.gui.pdf_copy import PdfCopyActions, server_pharmacy_name
from portal_client.gui.prescriber_list_model import PrescriberListModel
from portal_client.gui.prescriber_parts import (
    OutboxBridge,
    PrescriptionActions,
    open_sign_again,
)
from portal_client.gui.repeat_action import RepeatOrders
from portal_client.gui.stepped_build import BuildSteps
from portal_client.gui.widgets import Banner

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template
    from portal_client.core.api_client import ApiClient, SignedInUser
    from portal_client.core.durable import DraftSummary, DurableSession, OutboxItem, OutboxWorker
    from portal_client.core.patient_wire import PatientRecord

log = logging.getLogger(__name__)

ROLE = "prescriber"


class PrescriberWindow(ComposingWindow):
    """Signals:
    local_work_changed(): drafts or outbox lists were reloaded (tests wait on it).
    acted(PrescriptionWire): an answer or a cancellation was recorded (the updated prescription).
    """

    STORE_FAILED_MESSAGE = QT_TRANSLATE_NOOP(
        "Marked", "Drafts and signing are unavailable on this computer: {error}"
    )

    local_work_changed = Signal()
    acted = Signal(object)

    def __init__(
        self,
        client: ApiClient,
        user: SignedInUser,
        parent: QWidget | None = None,
        *,
        store_opener: StoreOpener | None = None,
        confirm_leave: ConfirmLeave | None = None,
        stepped: bool = False,
    ) -> None:
        """``stepped``: built over several event-loop turns, usable once ``ready`` (the
        sign-in shows it then); else whole when this returns."""
        super().__init__(client, user, parent, confirm_leave=confirm_leave, defer_build=stepped)
        self.worker: OutboxWorker | None = None
        #: Drafts and outbox rows here, drafts prepared for this prescriber on the server.
        self.work = LocalWork()
        self.questions = QuestionWatch()
        self._unsubscribe: Callable[[], None] | None = None
        self._bridge = OutboxBridge(self)
        self._bridge.changed.connect(self._outbox_changed)
        self.build_in_steps(self._build_steps(store_opener), stepped=stepped)

    def _build_steps(self, store_opener: StoreOpener | None) -> BuildSteps:
        client = self.client
        if self.frame_steps is not None:
            yield from self.frame_steps
        self.connectivity = ConnectivityIndicator()
        self.top_bar_actions.addWidget(self.connectivity)
        self.top_bar_actions.addSpacing(8)
        # Styled once, see canvas_page; its parts are made in the steps below.
        self.composer = ComposerPage(client, parent=self.pages, defer_build=True)
        page = yield from self._build_list_page()
        self.pages.addWidget(page)
        self.lifecycle = LifecycleActions(self, self.browser, self.banner)
        self.lifecycle.acted.connect(self._acted)
        self.messages = PrescriptionMessages(
            self, self.browser, self.tr("Write to the pharmacy… (Ctrl+Enter sends)")
        )
        self.field_clarifications = FieldClarifications(
            self, self.browser, self.lifecycle, self.banner, role=ROLE
        )
        self._build_prescription_menu()
        yield
        yield from self.composer.build_steps(paint=self.paints_ahead)
        self.repeats = RepeatOrders(self)
        self.favorites = FavoriteOrders(self)
        self.lifecycle.busy_changed.connect(lambda _busy: self._update_prescription_actions())
        self.browser.rendered.connect(lambda _item: self._update_prescription_actions())
        yield
        self.pages.addWidget(self.composer)
        self.record_link = RecordLink(self.composer, client)
        self.menus.add(self.menus.view_menu, "patients", self.tr("Patients"), self.show_patients)
        self.composer.signed.connect(self._signed)
        # The top bar, then the list's header; the lists follow, the composer sets its own.
        set_focus_chain(
            [self.account_button, self.sign_out_button, self.refresh_button, self.new_button]
        )
        self.start(self.tr("Loading your prescriptions…"), store_opener)

    def _build_list_page(self) -> Generator[None, None, QWidget]:
        """The list page in steps (the header, each list); returns the page."""
        page, layout = self.canvas_page()
        layout.addLayout(
            self.build_list_header(
                self.tr("My prescriptions"),
                self.tr("New prescription"),
                self.tr("Start a new prescription (Ctrl+N)"),
                self.tr(
                    "Check for updates now (F5). The list also updates by itself every 20 seconds."
                ),
            )
        )
        self.banner = Banner()
        self.store_banner = Banner()
        self.question_banner = Banner()  # a pharmacist's new question: stays until answered
        layout.addWidget(self.banner)
        layout.addWidget(self.store_banner)
        layout.addWidget(self.question_banner)
        # The lists go in as they are made: each is styled in its own step, in place.
        self.tabs = QTabWidget(page)
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setAccessibleName(self.tr("Lists"))
        layout.addWidget(self.tabs, 1)
        self.finish_part(page)
        yield
        self._build_sent_list()
        yield
        self.finish_part(self.browser)
        yield
        self.drafts_view = DraftsView()
        self.tabs.addTab(self.drafts_view, self.tr("Drafts"))
        self.finish_part(self.drafts_view)
        yield
        self.outbox_view = OutboxView()
        self.tabs.addTab(self.outbox_view, self.tr("Outbox"))
        self.finish_part(self.outbox_view)
        yield
        self.patients_page = PatientsPage(self.client)
        self.tabs.addTab(self.patients_page, self.tr("Patients"))
        self.patients_page.prescribe_requested.connect(self.prescribe_for)
        self.tabs.currentChanged.connect(
            lambda _i: (
                self.patients_page.start()
                if self.tabs.currentWidget() is self.patients_page
                else None
            )
        )
        self.finish_part(self.patients_page)
        yield
        self.drafts_view.open_requested.connect(self.open_draft)
        self.drafts_view.discard_requested.connect(self.discard_local_draft)
        self.drafts_view.open_prepared_requested.connect(self.open_prepared)
        self.outbox_view.reopen_requested.connect(self.reopen_refused)
        self.outbox_view.sign_again_requested.connect(self.sign_again)
        return page

    def _build_sent_list(self) -> None:
        """The sent prescriptions' tab, with its actions and copies (one build step)."""
        # Filled page by page as it scrolls into view; a refresh fits in what changed.
        self.list_model = PrescriberListModel(PRESCRIBER_COLUMNS, viewer_role=ROLE)
        self.browser = PrescriptionBrowser(
            PRESCRIBER_COLUMNS, viewer_role=ROLE, model=self.list_model
        )
        self.list_model.setParent(self.browser)
        self.list_model.more_wanted.connect(self._fetch_more)
        #: Every order waiting for the prescriber's answer, as of the last refresh.
        self._open_questions: dict[str, PrescriptionWire] = {}
        self.browser.set_empty_text(
            self.tr("Nothing sent to the pharmacy yet. Press “New prescription” to write one.")
        )
        self.browser.enable_fhir_export(self.client)
        self.browser.on_export_message = self.banner.show_message
        self.pdf_copy = PdfCopyActions(
            self.browser, server_pharmacy_name(self.client), self.banner.show_message
        )
        # Under a sent prescription: answer the pharmacist's question, or cancel it.
        self.prescription_actions = PrescriptionActions(self.browser.detail_actions)
        self.answer_button = self.prescription_actions.answer_button
        self.cancel_button = self.prescription_actions.cancel_button
        self.answer_button.clicked.connect(lambda: self.open_action_dialog("answer_clarification"))
        self.cancel_button.clicked.connect(lambda: self.open_action_dialog("cancel"))
        self.tabs.addTab(self.browser, translate("PrescriberWork", SENT_TAB))

    # ---------------------------------------------------------------- pages

    def new_from_list(self) -> None:
        self.show_composer()

    def show_composer(self) -> None:
        """A new prescription (or the one already open in the composer)."""
        if self.composer.is_dirty() and self.pages.currentWidget() is not self.composer:
            self.composer.start_new()
        self.enter_composer()

    def show_patients(self) -> None:
        """View › Patients (Ctrl+Shift+P): the Patients tab, its search focused."""
        if self.pages.currentIndex() != 0:
            self.show_list()
        self.tabs.setCurrentWidget(self.patients_page)
        self.patients_page.query.setFocus()

    def prescribe_for(self, record: PatientRecord) -> None:
        """ "New prescription" from a patient: the composer filled from the record."""
        if not self.composer.templates and self.templates:
            self.composer.load_templates(self.templates)
        self.record_link.open(record)
        self.enter_composer()
        self.composer.template_tree.setFocus()  # the patient is filled: the template is next

    def show_list(self) -> None:
        self.pages.setCurrentIndex(0)
        self.setWindowTitle(window_title(self.user))
        self.reload_local_work()

    def templates_ready(self) -> None:
        super().templates_ready()
        self.favorites.load()
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
            self.work.drafts, self.work.outbox = result
            self._show_local_work()
            if first and self.drafts:
                self.banner.show_message(drafts_waiting_message(len(self.drafts)), "info")
            self.local_work_changed.emit()

        Op(self, read).success(show).failure(
            lambda error: self.store_banner.show_message(
                self.tr("Cannot read drafts: {error}").format(error=error), "error"
            )
        ).run()

    @property
    def drafts(self) -> list[DraftSummary]:
        return self.work.drafts

    @property
    def outbox_items(self) -> list[OutboxItem]:
        return self.work.outbox

    @property
    def prepared(self) -> list[ServerDraft]:
        """Server drafts clinic staff prepared for this prescriber (the signing queue)."""
        return self.work.prepared

    def _show_local_work(self) -> None:
        names = {t.id: t.name for t in self.templates}
        self.drafts_view.show_drafts(self.work.own_drafts(), names)
        self.drafts_view.show_prepared(self.work.prepared_queue(), names)
        self.outbox_view.show_items(self.outbox_items)
        self.tabs.setTabText(1, self.work.drafts_tab_label())
        self._retire_submitted_server_drafts()
        self.tabs.setTabText(2, self.work.outbox_tab_label())

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
                self.banner.show_message(self.tr("That draft no longer exists."), "warn")
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
            self.tr("Prepared by {prepared_by}. Review every field before you sign.").format(
                prepared_by=draft.prepared_by
            ),
            "info",
        )
        self.enter_composer()

    def _retire_submitted_server_drafts(self) -> None:
        """Delete server drafts whose prescription the pharmacy now has (network: background)."""
        done = self.work.to_retire()
        if not done:
            return
        self.work.retiring.update(done)
        client = self.client

        def delete() -> None:
            for draft_id in done:
                client.delete_draft(draft_id)

        def deleted(_none: None) -> None:
            self.work.prepared = [d for d in self.prepared if d.id not in done]
            self.work.retiring.difference_update(done)
            self._show_local_work()

        def failed(error: Exception) -> None:
            # Still hidden (it is in the outbox); the next refresh tries again.
            log.info("Could not remove a submitted server draft: %s", type(error).__name__)
            self.work.retiring.difference_update(done)

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
            open_sign_again(self, body, lambda grant: resign(grant.signing_token))

        def resign(token: str) -> None:
            if self.durable is None:
                return
            outbox = self.durable.outbox
            Op(self, lambda: outbox.resign(idempotency_key, token)).success(
                lambda _item: self.worker.poke() if self.worker else None
            ).run()

        Op(self, lambda: durable.outbox.body(idempotency_key)).success(ask).run()

    # ---------------------------------------------------------------- outbox

    def _signed(self, _item: OutboxItem) -> None:
        if self.worker is not None:
            self.worker.poke()
        self.composer.start_new()
        self.show_list()
        self.tabs.setCurrentWidget(self.outbox_view)
        self.banner.show_message(
            self.tr(
                "Signed. The prescription is stored safely on this computer and is being "
                "sent to the pharmacy; its status shows below."
            ),
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
                self.tr(
                    "Prescription {reference} was received by the pharmacy. You will see "
                    "here when a pharmacist has reviewed it."
                ).format(reference=reference),
                "info",
            )
            self.refresh()
        self.reload_local_work()

    # -------------------------------------------------------------- refresh

    def fetch_job(self) -> Callable[[], PrescriberFetch]:
        client, mine = self.client, self.user.id  # read on the GUI thread
        changes = self.list_model.pages.changes_for(PRESCRIBER_QUERY)
        return lambda: fetch_sent_and_prepared(client, mine, changes)

    def show_fetched(self, result: PrescriberFetch) -> None:
        listing = result.listing
        self.work.prepared = result.prepared
        self._show_local_work()
        self.local_work_changed.emit()
        if listing.page is not None:
            self.list_model.pages.start(PRESCRIBER_QUERY, listing.page)
            self.browser.show_items(listing.page.items, listing.page.total)
        else:
            self.list_model.apply_changes(listing.changes)
            self.list_model.pages.quiet(listing.changes_cursor)
            self.browser.render_current()
        if listing.questions is not None:
            self._open_questions = {item.id: item for item in listing.questions}
        self._update_count()
        self._announce_new_questions()
        self.clear_list_status()
        self._connection_seen(None)
        self.messages.refreshed()

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

    def _fetch_more(self, query: QueueQuery, cursor: str) -> None:
        """The view reached the last row held: the next page, off the GUI thread."""
        client = self.client

        def failed(error: Exception) -> None:
            self.list_model.pages.more_failed()
            self.refresh_failed(error)

        self.run(
            lambda: first_prescriber_page(client, cursor),
            lambda page: self.list_model.add_page(query, cursor, page),
            failed,
        )

    def _question_rows(self) -> list[PrescriptionRow]:
        """The open questions: the last refresh's, as the rows held show them now."""
        for row in self.browser.model.state.rows:
            if row.status == "needs_clarification":
                self._open_questions[row.id] = row.wire
            else:
                self._open_questions.pop(row.id, None)
        return [PrescriptionRow.from_wire(item) for item in self._open_questions.values()]

    def _update_count(self) -> None:
        pages, rows = self.list_model.pages, self.browser.model.state.rows
        questions = len(self._question_rows())
        if pages.next_cursor is None:  # every order is held: count them by status
            self.count_label.setText(prescriber_count_text([r.status for r in rows]))
        else:
            self.count_label.setText(
                self.tr("{total} sent · {questions} waiting for your answer").format(
                    total=count_text(pages.total, pages.total_is_lower_bound),
                    questions=questions,
                )
            )
        self.tabs.setTabText(0, sent_tab_label(questions))

    def _announce_new_questions(self) -> None:
        """A banner for questions this refresh found that the last one did not."""
        rows = self._question_rows()
        new = self.questions.update(
            [Question(r.id, r.reference, r.patient) for r in rows],
            banner_shown=self.question_banner.isVisible(),
        )
        if new is None:
            self.question_banner.clear()
        elif new:
            self.question_banner.show_message(new_question_message(new), "warn")

    # ------------------------------------------------------- after submission

    def _build_prescription_menu(self) -> None:
        """Prescription › the buttons under a sent prescription, and its FHIR export."""
        menus = self.menus
        menus.add_prescription_action(
            "answer_clarification",
            self.tr("Answer the pharmacist…"),
            lambda: self.open_action_dialog("answer_clarification"),
        )
        menus.add_prescription_action(
            "cancel", self.tr("Cancel prescription…"), lambda: self.open_action_dialog("cancel")
        )
        self.fhir_action = menus.add_prescription_entry(
            "save_fhir", self.tr("Save as FHIR…"), self.browser.save_current_as_fhir
        )
        self.pdf_copy.add_menu_entries(menus)

    def _update_prescription_actions(self) -> None:
        item = self.browser.current()
        offered = (
            set() if item is None else {a.name for a in available_actions(item.status.value, ROLE)}
        )
        self.prescription_actions.show_offered(offered, busy=self.lifecycle.busy)
        self.menus.offer(offered, busy=self.lifecycle.busy)
        self.fhir_action.setEnabled(item is not None)
        self.repeats.update(item)

    def open_action_dialog(self, name: str) -> ActionDialog | None:
        item = self.browser.current()
        if item is None or name not in {a.name for a in available_actions(item.status.value, ROLE)}:
            return None
        return self.lifecycle.open_dialog(name, item)

    @property
    def action_dialog(self) -> ActionDialog | None:
        return self.lifecycle.dialog

    def _acted(self, _name: str, updated: PrescriptionWire) -> None:
        self._update_count()
        self._announce_new_questions()
        self.acted.emit(updated)
        self.refresh()

    # -------------------------------------------------------------- leaving

    def unsent_work(self) -> str:
        """Unsent or refused prescriptions, in words ("" when nothing waits)."""
        durable = self.durable
        return self.work.unsent_sentence(persistent=durable is None or durable.persistent)

    def stop_local_workers(self) -> Callable[[], object] | None:
        """The outbox worker stops with the store (it may be mid-send: not on the GUI thread)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        worker, self.worker = self.worker, None
        return worker.stop if worker is not None else None

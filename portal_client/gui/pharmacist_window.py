"""The pharmacist's window: the queue by status, the prescription in full, and its next moves.

The moves offered are ``pharmacy_domain.status.available_actions`` for the selected row:
Approve and Start compounding confirm in place (Enter confirms, Esc cancels); rejecting,
asking the prescriber, marking ready (the beyond-use date and storage) and shipping open
a dialog. The in-place question is
withdrawn when the row gains a step meanwhile (an answer arriving by refresh), so nothing
is confirmed unseen.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pharmacy_domain.status import ACTIONS, FINAL_STATUSES, available_actions
from portal_client.core.api_client import ListOrder, Page, history_length
from portal_client.core.claims import next_after, no_more_text
from portal_client.core.domain_text import action_label
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.core.lifecycle_text import asks_for_note, changed_while_confirming_message
from portal_client.core.presentation import REVIEW_FILTERS, review_filters, status_short_label
from portal_client.core.queue_pages import (
    QueueFetch,
    QueueQuery,
    count_text,
    fetch_queue,
    first_page,
)
from portal_client.core.signature_check import SignatureCheck, check_signature
from portal_client.core.wire import PrescriptionWire
from portal_client.gui import resources
from portal_client.gui.action_dialog import ActionDialog, LifecycleActions
from portal_client.gui.desk_claims import ClaimStrip, DeskClaims
from portal_client.gui.field_clarification import FieldClarifications
from portal_client.gui.focus_chain import set_focus_chain
from portal_client.gui.i18n import marked
from portal_client.gui.list_view import PrescriptionBrowser
from portal_client.gui.main_window import PortalMainWindow
from portal_client.gui.message_thread import PrescriptionMessages
from portal_client.gui.models import REVIEW_COLUMNS
from portal_client.gui.pdf_copy import PdfCopyActions, server_pharmacy_name
from portal_client.gui.queue_model import QueueTableModel
from portal_client.gui.queue_search import QueueSearchBox
from portal_client.gui.stepped_build import BuildSteps
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import Banner, muted

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser

FILTERS = REVIEW_FILTERS  # in English: review_filters() words them for the user
ROLE = "pharmacist"
#: A success banner ("Approved RX-…") clears itself after this; warnings and errors stay.
SUCCESS_BANNER_MS = 8000
#: After these the order leaves the pharmacist's hands: the desk opens the next one.
MOVE_ON_ACTIONS = frozenset({"approve", "reject", "request_clarification"})

#: The buttons under the detail, left to right: the way out, a question, the step forward.
_BUTTON_ORDER = (
    "reject",
    "request_clarification",
    "approve",
    "start_compounding",
    "mark_ready",
    "ship",
)
_ICONS = {"reject": "x", "approve": "check", "ship": "send"}
#: The queue's orders, as the "Sort" list offers them.
_SORTS: tuple[tuple[ListOrder, str], ...] = (
    ("needed_by", QT_TRANSLATE_NOOP("Marked", "Needed by")),
    ("newest", QT_TRANSLATE_NOOP("Marked", "Newest")),
    ("status", QT_TRANSLATE_NOOP("Marked", "Status")),
    ("prescriber", QT_TRANSLATE_NOOP("Marked", "Prescriber")),
)
#: What the in-place confirmation asks and its button says, by action.
_CONFIRM = {
    "approve": (
        QT_TRANSLATE_NOOP("Marked", "Approve"),
        QT_TRANSLATE_NOOP("Marked", "Confirm approval"),
    ),
    "start_compounding": (
        QT_TRANSLATE_NOOP("Marked", "Start compounding"),
        QT_TRANSLATE_NOOP("Marked", "Start compounding"),
    ),
}


class _ConfirmBar(QFrame):
    """The in-place question under the detail; Escape on any of its buttons cancels.

    (A key handler, not a shortcut: it works wherever focus is inside the bar.)
    """

    escaped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConfirmBar")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)


def _label(text: str) -> QLabel:
    """A filter's name in the header, on one line ("Sort by" broken in two reads badly)."""
    label = muted(text)
    label.setWordWrap(False)
    return label


def fetch_review_queue(
    client: ApiClient, query: QueueQuery, changes_cursor: str | None = None
) -> QueueFetch:
    """One refresh (worker thread): the first page ``query`` shows (none when nothing
    changed since ``changes_cursor``), and how many wait for review."""
    return fetch_queue(client, query, changes_cursor)


class PharmacistWindow(PortalMainWindow):
    """Signals:
    filter_changed(str): the status filter (remembered in the settings).
    reviewed(PrescriptionWire): approved or rejected (the updated prescription).
    acted(PrescriptionWire): any move was recorded, approve and reject included (the
        updated prescription).
    """

    filter_changed = Signal(str)
    reviewed = Signal(object)
    acted = Signal(object)

    def __init__(
        self,
        client: ApiClient,
        user: SignedInUser,
        *,
        status_filter: str = "submitted",
        parent: QWidget | None = None,
        stepped: bool = False,
    ) -> None:
        """``stepped``: built over several event-loop turns, usable once ``ready`` (the
        sign-in shows it then); else whole when this returns."""
        super().__init__(client, user, parent, defer_build=stepped)
        #: (action, prescription id, history steps shown) awaiting its in-place confirmation.
        self._confirming: tuple[str, str, int | None] | None = None
        #: After an action: the orders to open next, best first, once the list is fresh.
        self._move_on: list[str] | None = None
        #: The signature check of the order shown, by (id, version, content hash).
        self._signature: tuple[tuple[str, str, str], SignatureCheck] | None = None
        self.build_in_steps(self._build_steps(status_filter), stepped=stepped)

    def _build_steps(self, status_filter: str) -> BuildSteps:
        if self.frame_steps is not None:
            yield from self.frame_steps
        yield from self._build_page(status_filter)
        self.queue_model.viewer_id = self.user.id
        self.claims = DeskClaims(self, self.claim_strip)
        self.claims.changed.connect(self._update_actions)
        self.claims.taken_from_you.connect(self._taken_from_you)
        self.messages = PrescriptionMessages(
            self, self.browser, self.tr("Write to the prescriber… (Ctrl+Enter sends)")
        )
        self.finish_part(self.messages.panel)
        yield
        self.browser.current_changed.connect(self._opened)
        self.lifecycle = LifecycleActions(self, self.browser, self.banner)
        self.lifecycle.busy_changed.connect(lambda _busy: self._update_actions())
        self.lifecycle.acted.connect(self._acted)
        self.field_clarifications = FieldClarifications(
            self, self.browser, self.lifecycle, self.banner, role=ROLE
        )
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.warnings_only.toggled.connect(self._query_changed)
        self.answered_only.toggled.connect(self._query_changed)
        self.sort_by.currentIndexChanged.connect(self._query_changed)
        self.search_box.search_wanted.connect(self._search_settled)
        self.queue_model.more_wanted.connect(self._fetch_more)
        self.refresh_button.clicked.connect(self.refresh)
        self.browser.rendered.connect(lambda _item: self._update_actions())
        for name, button in self.action_buttons.items():
            button.clicked.connect(lambda _checked=False, name=name: self.start_action(name))
        self._build_menus(status_filter)
        yield
        self._update_actions()
        set_focus_chain(
            [
                self.account_button,
                self.sign_out_button,
                self.search_box,
                self.filter,
                self.warnings_only,
                self.answered_only,
                self.sort_by,
                self.refresh_button,
                self.browser.table,
                self.claim_strip.take_over_button,
                self.browser.detail,
                self.messages.panel.history,
                self.messages.panel.box,
                self.messages.panel.send_button,
                self.browser.fhir_button,
                self.pdf_copy.save_button,
                self.pdf_copy.print_button,
                *self.action_buttons.values(),
                self.confirm_cancel,
                self.confirm_approve,
            ]
        )
        self.browser.table.setFocus()  # arrow keys pick, then the buttons
        self.show_list_status(self.tr("Loading the review queue…"))
        self.load_templates(then=self._templates_ready)
        self.refresh()

    def _build_page(self, status_filter: str) -> BuildSteps:
        """The page in steps (the header, the table and detail, their actions), each part
        in place as it is made."""
        page = QWidget()
        page.setObjectName("Canvas")
        self.root_layout.addWidget(page, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(12)

        layout.addLayout(self._build_header(status_filter))
        self.banner = Banner(info_timeout_ms=SUCCESS_BANNER_MS)
        layout.addWidget(self.banner)
        self.finish_part(page)
        yield

        # Filled page by page as it scrolls into view, in the server's order (by default
        # the soonest needed first: what the pharmacy must prepare next).
        self.queue_model = QueueTableModel(REVIEW_COLUMNS, viewer_role=ROLE)
        self.browser = PrescriptionBrowser(REVIEW_COLUMNS, viewer_role=ROLE, model=self.queue_model)
        self.queue_model.setParent(self.browser)
        self.browser.enable_fhir_export(self.client)
        layout.addWidget(self.browser, 1)
        self.finish_part(self.browser)
        yield
        self.claim_strip = ClaimStrip()
        self.browser.right_layout.insertWidget(0, self.claim_strip)
        self._build_action_buttons()
        self.confirm_bar = self._build_confirm_bar()
        self.browser.right_layout.addWidget(self.confirm_bar)
        self.browser.on_export_message = self.banner.show_message
        self.pdf_copy = PdfCopyActions(
            self.browser, server_pharmacy_name(self.client), self.banner.show_message
        )
        self.more_label = muted("", hint=True)
        self.more_label.setAccessibleName(self.tr("More orders"))
        self.more_label.hide()
        layout.addWidget(self.more_label)
        self.finish_part(self.browser.right)
        yield

    def _build_header(self, status_filter: str) -> QVBoxLayout:
        """The title with its count and Refresh; under it, the search and the filters (in
        one row the two did not fit a 1280-pixel window: a filter's name was cut)."""
        title = QLabel(self.tr("Review queue"))
        title.setObjectName("PageTitle")
        self.count_badge = QLabel("0")
        self.count_badge.setObjectName("CountBadge")
        self.count_badge.setToolTip(self.tr("Prescriptions to review"))
        self.filter = guard_wheel(QComboBox())
        for value, text in review_filters():
            self.filter.addItem(text, value)
        self.filter.setCurrentIndex(max(0, self.filter.findData(status_filter)))
        self.filter.setAccessibleName(self.tr("Show"))
        self._build_filters()
        self.refresh_button = QPushButton(self.tr(" Refresh"))
        self.refresh_button.setIcon(resources.icon("refresh"))
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(6)
        top.addWidget(self.count_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        filters = QHBoxLayout()
        filters.setSpacing(10)
        filters.addWidget(self.search_box, 2)
        filters.addSpacing(8)
        filters.addWidget(_label(self.tr("Show")))
        filters.addWidget(self.filter)
        filters.addWidget(self.warnings_only)
        filters.addWidget(self.answered_only)
        filters.addStretch(1)
        filters.addWidget(_label(self.tr("Sort by")))
        filters.addWidget(self.sort_by)
        header = QVBoxLayout()
        header.setSpacing(10)
        header.addLayout(top)
        header.addLayout(filters)
        return header

    def _build_filters(self) -> None:
        """Beside "Show": the search, the narrowing checks and the order, all sent to the
        server (the search once typing pauses; an answer to an older text is dropped)."""
        self.search_box = QueueSearchBox()
        self.warnings_only = QCheckBox(self.tr("Has warnings"))
        self.warnings_only.setAccessibleName(self.tr("Only orders with warnings"))
        self.answered_only = QCheckBox(self.tr("Answered — waiting for you"))
        self.answered_only.setAccessibleName(
            self.tr("Only orders the prescriber answered, waiting for you")
        )
        self.sort_by = guard_wheel(QComboBox())
        for value, text in _SORTS:
            self.sort_by.addItem(marked(text), value)
        self.sort_by.setAccessibleName(self.tr("Sort by"))

    def _build_action_buttons(self) -> None:
        """One button per pharmacist move, shown only when the selected row allows it."""
        actions = self.browser.detail_actions
        self.action_hint = muted("", hint=True)
        actions.insertWidget(0, self.action_hint, 1)  # on the left, the buttons right
        self.action_buttons: dict[str, QPushButton] = {}
        for name in _BUTTON_ORDER:
            button = QPushButton(f" {action_label(ACTIONS[name])}")
            # Reject is the way out, a question neither out nor forward, the rest forward.
            button.setObjectName(
                {"reject": "Danger", "request_clarification": ""}.get(name, "Primary")
            )
            if name in _ICONS:
                button.setIcon(resources.icon(_ICONS[name]))
            button.setMinimumHeight(34)
            button.hide()
            actions.addWidget(button)
            self.action_buttons[name] = button
        self.approve_button = self.action_buttons["approve"]
        self.reject_button = self.action_buttons["reject"]
        self.ask_button = self.action_buttons["request_clarification"]
        self._approve_tip = self.tr("Approve the selected prescription (you confirm next)")
        self.approve_button.setToolTip(self._approve_tip)
        self.ask_button.setToolTip(
            self.tr("Ask the prescriber a question; the prescription waits for the answer")
        )

    def _build_menus(self, status_filter: str) -> None:
        """View › the list filters; Prescription › the same moves as the buttons."""
        self.menus.add_filters(review_filters(), status_filter, self.show_filter)
        for name in _BUTTON_ORDER:
            label = action_label(ACTIONS[name])  # "Reject…": a note follows; the rest confirm
            self.menus.add_prescription_action(
                name,
                label if label.endswith("…") else f"{label}…",
                partial(self.start_action, name),
            )
        self.fhir_action = self.menus.add_prescription_entry(
            "save_fhir", self.tr("Save as FHIR…"), self.browser.save_current_as_fhir
        )
        self.pdf_copy.add_menu_entries(self.menus)

    def _build_confirm_bar(self) -> QFrame:
        """Forward steps ask once, in place, naming the prescription.

        Enter confirms, Escape cancels."""
        bar = _ConfirmBar()
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(8)
        self.confirm_text = QLabel()
        self.confirm_text.setWordWrap(True)
        self.confirm_cancel = QPushButton(self.tr("Cancel"))
        self.confirm_approve = QPushButton(self.tr(" Confirm approval"))
        self.confirm_approve.setObjectName("Primary")
        self.confirm_approve.setIcon(resources.icon("check"))
        self.confirm_approve.setAutoDefault(True)  # Enter on it confirms
        self.confirm_approve.setMinimumHeight(34)
        self.confirm_cancel.setMinimumHeight(34)
        self.confirm_button = self.confirm_approve  # it confirms every in-place step
        layout.addWidget(self.confirm_text, 1)
        layout.addWidget(self.confirm_cancel)
        layout.addWidget(self.confirm_approve)
        self.confirm_cancel.clicked.connect(self.cancel_approval)
        self.confirm_approve.clicked.connect(self.confirm_approval)
        bar.escaped.connect(self.cancel_approval)
        bar.hide()
        return bar

    @property
    def status_filter(self) -> str:
        return str(self.filter.currentData())

    @property
    def query(self) -> QueueQuery:
        """What the filters ask for (read on the GUI thread)."""
        status = self.status_filter
        return QueueQuery(
            status=None if status == "all" else status,
            has_warnings=self.warnings_only.isChecked(),
            answered=self.answered_only.isChecked(),
            sort=self.sort_by.currentData() or "needed_by",
            search=self.search_box.search,
        )

    def _filter_changed(self, _index: int) -> None:
        self.menus.show_filter(self.status_filter)
        self.filter_changed.emit(self.status_filter)
        self._query_changed()

    def _query_changed(self, *_args: object) -> None:
        self.browser.clear_while_loading()
        self.more_label.hide()
        self.refresh()

    def search_now(self) -> None:
        """Ask for the search typed now (as Enter does)."""
        self.search_box.settle()

    def _search_settled(self) -> None:
        if self.query != self.queue_model.pages.query:
            self._query_changed()

    def show_filter(self, status: str) -> None:
        """Switch the "Show" list (as the user would)."""
        self.filter.setCurrentIndex(max(0, self.filter.findData(status)))

    def _templates_ready(self) -> None:
        self.browser.names = self.names
        self.browser.show_items([r.wire for r in self.browser.model.state.rows])

    # ------------------------------------------------------------- refresh

    def fetch_job(self) -> Callable[[], QueueFetch]:
        # The filters are widgets: read here, on the GUI thread, never by the worker.
        client, query = self.client, self.query
        changes = self.queue_model.pages.changes_for(query)
        return lambda: fetch_review_queue(client, query, changes)

    def show_fetched(self, result: QueueFetch) -> None:
        query, page = result.query, result.page
        if query != self.query:
            return  # the filters changed while this was loading; a newer refresh follows
        self.clear_list_status()
        if page is None:  # nothing changed since the last refresh: nothing to redraw
            self.queue_model.pages.quiet(result.changes_cursor)
            return
        self.messages.refreshed()  # a change may be a message: the unread total too
        words = dict(review_filters()).get(self.status_filter, "")
        if query.search:
            empty = self.tr("No order under “{words}” matches the search.").format(words=words)
        elif self.status_filter == "submitted" and not (query.has_warnings or query.answered):
            empty = self.tr("Nothing waiting for review.")
        else:
            empty = self.tr("Nothing under “{words}”.").format(words=words)
        self.browser.set_empty_text(empty)
        self.queue_model.pages.start(query, page)
        self.browser.show_items(page.items, page.total)  # keeps the selection
        self.count_badge.setText(count_text(result.waiting, result.waiting_is_lower_bound))
        self._show_more_label()
        self._update_actions()
        if self._move_on is not None:
            self._open_next(self._move_on)

    def _open_next(self, candidates: list[str]) -> None:
        """After an action: the next order of the same view, or say there is none."""
        self._move_on = None
        for prescription_id in candidates:
            if self.browser.select(prescription_id):
                return
        done = self.banner.label.text() if self.banner.kind == "info" else ""
        self.banner.show_message(f"{done} {no_more_text()}".strip(), "info")

    def _fetch_more(self, query: QueueQuery, cursor: str) -> None:
        """The view reached the last row held: the next page, off the GUI thread."""
        client = self.client

        def arrived(page: Page) -> None:
            self.queue_model.add_page(query, cursor, page)
            self._show_more_label()

        def failed(error: Exception) -> None:
            self.queue_model.pages.more_failed()
            self.refresh_failed(error)

        self.run(lambda: first_page(client, query, cursor), arrived, failed)

    def _show_more_label(self) -> None:
        text = self.queue_model.pages.summary()
        self.more_label.setText(text)
        self.more_label.setVisible(bool(text))

    # ------------------------------------------------------------- actions

    def available(self, item: PrescriptionWire | None) -> list[str]:
        """The moves this window offers on ``item`` (none while one is on its way)."""
        if item is None:
            return []
        return [a.name for a in available_actions(item.status.value, ROLE)]

    def _opened(self, item: PrescriptionWire | None) -> None:
        """Another order opened by the user: old successes go, and the claim follows."""
        self.banner.clear_info()
        self.claims.opened(item, claimable=bool(self.available(item)))

    def _taken_from_you(self, name: str) -> None:
        self.banner.show_message(
            self.tr("{name} took over the review of this order.").format(name=name), "warn"
        )

    def _update_actions(self) -> None:
        item = self.browser.current()
        confirming = self._confirming
        if confirming is not None and (item is None or item.id != confirming[1]):
            self.cancel_approval()  # another selection: never confirm another prescription
        elif item is not None and confirming is not None and self._moved_on(item, confirming):
            # A refresh brought a new step (the prescriber's answer, a colleague's move):
            # what was asked about is not what is shown any more.
            self.cancel_approval()
            reference = item.reference or item.id
            self.banner.show_message(changed_while_confirming_message(reference, item), "warn")
        offered = self.available(item)
        waits = self.lifecycle.busy or self.claims.blocks(item)  # someone else reviews it
        unverified = item is not None and not self.signature_of(item).verified
        allowed = set(offered) - ({"approve"} if unverified else set())
        for name, button in self.action_buttons.items():
            button.setVisible(name in offered and self._confirming is None)
            button.setEnabled(name in allowed and not waits)
        self.menus.offer(allowed, busy=waits or self._confirming is not None)
        # Why Approve is greyed, where the pointer is (the red box above the order says it).
        self.approve_button.setToolTip(
            self.tr("Approval is disabled: the signature is not verified.")
            if unverified
            else self._approve_tip
        )
        self.fhir_action.setEnabled(item is not None)
        status = item.status.value if item is not None else ""
        if item is None:
            self.action_hint.setText("")  # the empty detail pane already says what to do
        elif status == "needs_clarification":
            self.action_hint.setText(self.tr("Waiting for the prescriber's answer."))
        elif status in FINAL_STATUSES:
            words = status_short_label(status).lower()
            self.action_hint.setText(
                self.tr("Nothing more to do: this prescription is {words}.").format(words=words)
            )
        else:
            self.action_hint.setText("")

    def signature_of(self, item: PrescriptionWire) -> SignatureCheck:
        """The client's own check of ``item`` against its hash and signature (kept for the
        version shown: every render and refresh asks again)."""
        key = (item.id, item.updated_at, item.content_sha256)
        if self._signature is None or self._signature[0] != key:
            self._signature = (key, check_signature(item))
        return self._signature[1]

    def _moved_on(self, item: PrescriptionWire, confirming: tuple[str, str, int | None]) -> bool:
        """Whether ``item`` changed since its in-place confirmation was asked."""
        name, _id, steps = confirming
        return name not in self.available(item) or history_length(item) != steps

    def start_action(self, name: str) -> None:
        """A button under the detail: confirm in place, ask for a reason, or open the note."""
        item = self.browser.current()
        if item is None or name not in self.available(item) or self.lifecycle.busy:
            return
        if self.claims.blocks(item):
            return  # "Review anyway" first
        if name == "approve" and not self.signature_of(item).verified:
            return  # the failure is shown above the order
        if asks_for_note(ACTIONS[name]):
            self.open_action_dialog(name)
        else:
            self._ask_in_place(name, item)

    def open_action_dialog(self, name: str) -> ActionDialog | None:
        item = self.browser.current()
        if item is None or name not in self.available(item):
            return None
        return self.lifecycle.open_dialog(name, item)

    @property
    def action_dialog(self) -> ActionDialog | None:
        return self.lifecycle.dialog

    def approve_current(self) -> None:
        """Ask for confirmation in place, naming the reference and the template."""
        self.start_action("approve")

    def _ask_in_place(self, name: str, item: PrescriptionWire) -> None:
        self._confirming = (name, item.id, history_length(item))
        question, button = (marked(text) for text in _CONFIRM[name])
        reference = escape(item.reference)
        template = escape(self._template_title(item))
        self.confirm_text.setText(f"{question} <b>{reference}</b> — {template}?")
        self.confirm_approve.setText(f" {button}")
        self.browser.detail_actions_visible(False)
        self.menus.offer(set())  # one step at a time: the confirmation first
        self.confirm_bar.show()
        self.confirm_approve.setFocus()

    def _template_title(self, item: PrescriptionWire) -> str:
        row = self.browser.model.row_for(item.id)
        if row is not None:
            name = self.browser.model.state.rows[row].template_name
            if name:
                return name
        return item.template_id or self.tr("this template")

    @property
    def confirming(self) -> str | None:
        """The action waiting for its in-place confirmation, if any."""
        return self._confirming[0] if self._confirming is not None else None

    @property
    def confirming_approval(self) -> bool:
        return self.confirming == "approve"

    def confirm_approval(self) -> None:
        """Confirm the step asked in place (approve, start compounding, mark ready)."""
        confirming, self._confirming = self._confirming, None
        self.confirm_bar.hide()
        self.browser.detail_actions_visible(True)
        item = self.browser.current()
        if (
            confirming is not None
            and item is not None
            and item.id == confirming[1]
            and not self._moved_on(item, confirming)
        ):
            self.lifecycle.send(confirming[0], item)
        self._update_actions()
        self.browser.table.setFocus()

    def cancel_approval(self) -> None:
        if self._confirming is None:
            return
        name = self._confirming[0]
        self._confirming = None
        self.confirm_bar.hide()
        self.browser.detail_actions_visible(True)
        self._update_actions()
        self.action_buttons[name].setFocus()

    def _acted(self, name: str, updated: PrescriptionWire) -> None:
        self.claims.acted(updated.id)
        if name in MOVE_ON_ACTIONS:
            ids = [row.id for row in self.browser.model.state.rows]
            self._move_on = next_after(ids, updated.id)
        if name in ("approve", "reject"):
            self.reviewed.emit(updated)
        self.acted.emit(updated)
        self.refresh()  # the counts, and the row leaves a filter it no longer matches

    def about_to_lock(self) -> None:
        self.claims.release()  # renewed again once unlocked, if the order is still open

    def closing(self) -> None:
        self.claims.stop()
        super().closing()

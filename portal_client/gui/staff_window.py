"""The clinic-staff window: prepare prescription drafts for a prescriber of the clinic.

Clinic staff compose with the same composer and live clinical checks as a prescriber,
but never sign: the composer runs with ``signing=False`` (no sign button, no shortcut)
and this window's footer action is "Save for Dr. …", which stores the draft on the
server (``POST /drafts``, then ``PUT`` with the version it was read at). The prescriber
finds it in their Drafts tab, signs and submits it.

Work in progress is autosaved, encrypted, in the user's local store as for prescribers,
so a crash or a lost connection never loses what was typed; a draft opened from the
server keeps the server's id as its local id. Network and disk run in the background.

Which prescribers work in the caller's clinic comes from ``GET /clinic/prescribers``
(fetched in the background with the drafts), so the "For" picker lists them by name;
whom a draft is for and who prepared it are the server's names, never the body's.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.errors import ApiError
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.core.outbox_rows import clinic_draft_status
from portal_client.core.prescription_list import format_timestamp
from portal_client.core.server_drafts import ServerDraft, server_draft_body
from portal_client.gui import resources
from portal_client.gui.composer import ComposerPage
from portal_client.gui.composing_window import ComposingWindow, StoreOpener
from portal_client.gui.drafts_view import DraftsView
from portal_client.gui.main_window import window_title
from portal_client.gui.ops import Op
from portal_client.gui.stepped_build import BuildSteps
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import Banner, muted, read_only_table

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser
    from portal_client.core.durable import DraftSummary, DurableSession
    from portal_client.core.wire import DraftWire, PersonWire

log = logging.getLogger(__name__)


@dataclass
class StaffFetch:
    """One refresh: the clinic's server drafts and its active prescribers."""

    drafts: list[ServerDraft]
    prescribers: list[PersonWire]


@dataclass
class _Linked:
    """The server draft a composer draft was saved as (id and the version we hold)."""

    server_id: str
    version: int
    saved_payload: dict[str, Any] = field(default_factory=dict)


class StaffWindow(ComposingWindow):
    """Signals: drafts_shown(): the clinic's draft list was (re)drawn (tests wait on it);
    saved(str server draft id): a draft was stored on the server."""

    drafts_shown = Signal()
    saved = Signal(str)

    COMPOSER_TITLE = QT_TRANSLATE_NOOP("Marked", "Draft")
    STORE_FAILED_MESSAGE = QT_TRANSLATE_NOOP(
        "Marked",
        "Autosave is unavailable on this computer: {error}. Save for the prescriber often.",
    )

    def __init__(
        self,
        client: ApiClient,
        user: SignedInUser,
        parent: QWidget | None = None,
        *,
        store_opener: StoreOpener | None = None,
        stepped: bool = False,
    ) -> None:
        """``stepped``: built over several event-loop turns, usable once ``ready`` (the
        sign-in shows it then); else whole when this returns."""
        super().__init__(client, user, parent, defer_build=stepped)
        self.server_drafts: list[ServerDraft] = []
        self.local_drafts: list[DraftSummary] = []
        self.prescribers: dict[str, str] = {}  # id -> display name, from the server
        self.fetched = False  # the first refresh has answered (tests wait on it)
        self._links: dict[str, _Linked] = {}  # composer draft id -> server draft
        self._saving = False
        self.build_in_steps(self._build_steps(store_opener), stepped=stepped)

    def _build_steps(self, store_opener: StoreOpener | None) -> BuildSteps:
        if self.frame_steps is not None:
            yield from self.frame_steps
        self.composer = ComposerPage(
            self.client, signing=False, parent=self.pages, defer_build=True
        )
        page = yield from self._build_list_page()
        self.pages.addWidget(page)
        yield from self.composer.build_steps(paint=self.paints_ahead)
        self.composer.back.setText(self.tr(" Prepared drafts"))
        self.pages.addWidget(self.composer)
        yield
        self._build_save_bar()
        self.composer.save_requested.connect(self.save_for_prescriber)
        yield
        self.start(self.tr("Loading your clinic's drafts…"), store_opener)

    # ---------------------------------------------------------------- build

    def _build_list_page(self) -> Generator[None, None, QWidget]:
        """The list page in steps (the header, each list); returns the page."""
        page, layout = self.canvas_page()
        layout.addLayout(
            self.build_list_header(
                self.tr("Drafts for your clinic's prescribers"),
                self.tr("New draft"),
                self.tr("Prepare a new prescription draft (Ctrl+N)"),
                self.tr("Check for updates now (F5)."),
            )
        )
        layout.addWidget(
            muted(
                self.tr(
                    "You prepare prescriptions; the prescriber reviews, signs and sends "
                    "them. A saved draft waits in their Drafts tab until they do."
                ),
                hint=True,
            )
        )
        self.banner = Banner()
        self.store_banner = Banner()
        layout.addWidget(self.banner)
        layout.addWidget(self.store_banner)
        self.tabs = QTabWidget(page)
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setAccessibleName(self.tr("Lists"))
        layout.addWidget(self.tabs, 1)
        yield
        self.finish_part(page)  # its first paint: the fonts' and the style's first use
        yield
        server_table = self._build_server_table()
        self.tabs.addTab(server_table, self.tr("Saved for prescribers"))
        self.finish_part(server_table)
        yield
        self.local_view = DraftsView()
        self.local_view.notice.setText(
            self.tr(
                "Work not yet saved for a prescriber, kept encrypted on this computer. "
                "Open it to finish and save it."
            )
        )
        self.local_view.open_requested.connect(self.open_local_draft)
        self.local_view.discard_requested.connect(self.discard_local_draft)
        self.tabs.addTab(self.local_view, self.tr("On this computer"))
        self.finish_part(self.local_view)
        yield
        return page

    def _build_server_table(self) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 8, 0, 0)
        self.table = read_only_table(
            [
                self.tr("Patient"),
                self.tr("Template"),
                self.tr("For"),
                self.tr("Updated"),
                self.tr("Status"),
                "",
            ],
            single_selection=True,
        )
        self.table.setAccessibleName(self.tr("Drafts prepared on the server"))
        self.table.verticalHeader().setDefaultSectionSize(40)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in (0, 1, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column, width in ((2, 170), (3, 110), (5, 80)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, width)
        self.table.cellDoubleClicked.connect(lambda row, _c: self.open_server_draft(row))
        layout.addWidget(self.table, 1)
        self.empty = muted(
            self.tr("No drafts saved yet. Press “New draft” to prepare one."), hint=True
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        return holder

    def _build_save_bar(self) -> None:
        self.prescriber_label = QLabel(self.tr("For"))
        self.prescriber_box = guard_wheel(QComboBox())
        self.prescriber_box.setMinimumWidth(220)
        self.prescriber_box.setAccessibleName(self.tr("Prescriber to prepare for"))
        self.prescriber_box.setPlaceholderText(self.tr("Loading prescribers…"))
        self.prescriber_box.setToolTip(
            self.tr("The prescriber of your clinic who will review and sign")
        )
        self.prescriber_label.setBuddy(self.prescriber_box)
        self.prescriber_box.currentIndexChanged.connect(lambda _i: self._update_save_button())
        self.save_button = QPushButton(self.tr(" Save for prescriber"))
        self.save_button.setObjectName("Primary")
        self.save_button.setIcon(resources.icon("send"))
        self.save_button.setMinimumHeight(36)
        self.save_button.clicked.connect(self.save_for_prescriber)
        actions = self.composer.footer_actions
        actions.addWidget(self.prescriber_label)
        actions.addWidget(self.prescriber_box)
        actions.addWidget(self.save_button)
        self._update_save_button()

    # ------------------------------------------------------------ prescribers

    def _chosen_prescriber(self) -> tuple[str, str] | None:
        """(id, display name) of the prescriber chosen in the save bar."""
        index = self.prescriber_box.currentIndex()
        data = self.prescriber_box.itemData(index) if index >= 0 else None
        if not data:
            return None
        return str(data), self.prescribers.get(str(data), self.prescriber_box.itemText(index))

    def _update_save_button(self) -> None:
        chosen = self._chosen_prescriber()
        self.save_button.setText(
            self.tr(" Save for {chosen}").format(chosen=chosen[1])
            if chosen
            else self.tr(" Save for prescriber")
        )
        self.save_button.setEnabled(chosen is not None and not self._saving)
        if chosen is None:
            self.save_button.setToolTip(self.tr("Choose the prescriber it is for first"))
        else:
            self.save_button.setToolTip(
                self.tr(
                    "Store this draft on the server for {chosen} to review and sign (Ctrl+Enter)"
                ).format(chosen=chosen[1])
            )

    def _show_prescribers(self, listed: list[PersonWire]) -> None:
        known = {item.id: item.display_name for item in listed}
        if known == self.prescribers and self.prescriber_box.count() == len(known):
            return
        chosen = self._chosen_prescriber()
        self.prescribers = known
        box = self.prescriber_box
        box.blockSignals(True)
        box.clear()
        for prescriber_id, name in sorted(known.items(), key=lambda pair: pair[1]):
            box.addItem(name, prescriber_id)
        box.setPlaceholderText(
            self.tr("Choose a prescriber") if known else self.tr("No prescriber in your clinic")
        )
        box.setCurrentIndex(-1)  # nobody until the user (or an opened draft) says whom
        if chosen is not None:
            self._choose(chosen[0])
        box.blockSignals(False)
        self._update_save_button()

    def _choose(self, prescriber_id: str) -> None:
        index = self.prescriber_box.findData(prescriber_id)
        if index >= 0:
            self.prescriber_box.setCurrentIndex(index)
        self._update_save_button()

    # ---------------------------------------------------------------- pages

    def new_from_list(self) -> None:
        self.new_draft()

    def new_draft(self) -> None:
        if self.composer.is_dirty():
            self.composer.start_new()
        self.enter_composer()

    def enter_composer(self) -> None:
        super().enter_composer()
        self._update_save_button()

    def show_list(self) -> None:
        self._forget_local_copy_if_saved()
        self.pages.setCurrentIndex(0)
        self.setWindowTitle(window_title(self.user))
        self.reload_local_work()
        self.refresh()

    def templates_ready(self) -> None:
        super().templates_ready()
        self._show_drafts()

    # ---------------------------------------------------------------- refresh

    def fetch(self) -> StaffFetch:
        drafts = [ServerDraft.from_wire(item) for item in self.client.list_drafts()]
        return StaffFetch(drafts, self.client.clinic_prescribers())

    def show_fetched(self, result: StaffFetch) -> None:
        self.server_drafts = result.drafts
        self.fetched = True
        self._show_prescribers(result.prescribers)
        self._show_drafts()
        self.clear_list_status()
        if not self.prescribers:
            self.banner.show_message(
                self.tr(
                    "Your clinic has no active prescriber to prepare drafts for. Ask the "
                    "pharmacy to check your clinic's accounts."
                ),
                "warn",
            )
        else:
            self.banner.clear()

    def _show_drafts(self) -> None:
        names = {t.id: t.name for t in self.templates}
        drafts = self.server_drafts
        self.table.setRowCount(len(drafts))
        for row, draft in enumerate(drafts):
            template = names.get(draft.template_id or "", draft.template_id or "—")
            cells = (
                draft.title,
                template,
                draft.prescriber,
                format_timestamp(draft.updated_at),
                clinic_draft_status(draft.prescriber),
            )
            for column, text in enumerate(cells):
                label = QLabel(text)
                label.setTextFormat(Qt.TextFormat.PlainText)  # patient names: never markup
                label.setContentsMargins(8, 0, 8, 0)
                label.setWordWrap(column == 4)  # the status sentence: two lines, not clipped
                label.setToolTip(text if column == 4 else "")
                self.table.setCellWidget(row, column, label)
            open_button = QPushButton(self.tr("Open"))
            open_button.setObjectName("Link")
            open_button.setToolTip(self.tr("Keep editing this draft"))
            open_button.clicked.connect(partial(self.open_server_draft, row))
            self.table.setCellWidget(row, 5, open_button)
        self.table.setVisible(bool(drafts))
        self.empty.setVisible(not drafts)
        count = len(drafts)
        self.count_label.setText(
            self.tr("{count} waiting for a signature").format(count=count) if count else ""
        )
        self.tabs.setTabText(
            0,
            self.tr("Saved for prescribers ({count})").format(count=count)
            if count
            else self.tr("Saved for prescribers"),
        )
        self.drafts_shown.emit()

    # ---------------------------------------------------------------- local store

    def local_store_ready(self, durable: DurableSession) -> None:  # noqa: ARG002 - read below
        self.reload_local_work()  # reads self.durable, now this store

    def reload_local_work(self) -> None:
        durable = self.durable
        if durable is None:
            return

        def show(drafts: list[DraftSummary]) -> None:
            saved = {draft.id for draft in self.server_drafts}
            self.local_drafts = [d for d in drafts if d.id not in saved]
            names = {t.id: t.name for t in self.templates}
            self.local_view.show_drafts(self.local_drafts, names)
            count = len(self.local_drafts)
            self.tabs.setTabText(
                1,
                self.tr("On this computer ({count})").format(count=count)
                if count
                else self.tr("On this computer"),
            )

        Op(self, durable.drafts.list).success(show).run()

    def open_local_draft(self, draft_id: str) -> None:
        durable = self.durable
        if durable is None:
            return

        def opened(payload: dict[str, Any] | None) -> None:
            if payload is None:
                self.reload_local_work()
                return
            self.composer.open_draft(draft_id, payload)
            # Unsaved edits of a server draft keep its id: it is for the same prescriber.
            server = next((d for d in self.server_drafts if d.id == draft_id), None)
            if server is not None:
                self._choose(server.prescriber_id)
            self.enter_composer()

        Op(self, lambda: durable.drafts.load(draft_id)).success(opened).run()

    def open_server_draft(self, row: int) -> None:
        if not 0 <= row < len(self.server_drafts):
            return
        draft = self.server_drafts[row]
        # The server id is the local autosave id too: edits made here are protected
        # locally until they are saved back.
        self.composer.open_draft(draft.id, draft.payload)
        self._links[draft.id] = _Linked(draft.id, draft.version, dict(draft.payload))
        self._choose(draft.prescriber_id)
        self.enter_composer()

    def _forget_local_copy_if_saved(self) -> None:
        """Leaving the composer: a draft saved unchanged to the server needs no local copy."""
        state = self.composer.state
        link = self._links.get(state.draft_id)
        durable = self.durable
        if link is None or durable is None:
            return
        if server_draft_body(link.saved_payload) != server_draft_body(state.to_draft()):
            return  # unsaved edits: they stay on this computer
        flush = self.composer.flush_drafts()
        draft_id = state.draft_id

        def forget() -> None:
            flush()
            durable.drafts.discard(draft_id)

        Op(self, forget).success(lambda _none: self.reload_local_work()).run()

    # ---------------------------------------------------------------- save

    def save_for_prescriber(self) -> None:
        chosen = self._chosen_prescriber()
        if self._saving or chosen is None:
            if chosen is None:
                self.composer.status_banner.show_message(
                    self.tr("Choose the prescriber this draft is for first."), "warn"
                )
            return
        prescriber_id, prescriber_name = chosen
        state = self.composer.state
        payload = server_draft_body(state.to_draft())
        local_id = state.draft_id
        link = self._links.get(local_id)
        client = self.client

        def store() -> DraftWire:
            if link is None:
                return client.create_draft(payload, prescriber_id)
            return client.update_draft(link.server_id, payload, link.version)

        def stored(answer: DraftWire) -> None:
            saved = ServerDraft.from_wire(answer)
            self._links[local_id] = _Linked(saved.id, saved.version, payload)
            self.composer.status_banner.show_message(
                self.tr(
                    "Saved for {prescriber_name}. It waits in their Drafts tab for review "
                    "and signature."
                ).format(prescriber_name=prescriber_name),
                "info",
            )
            self.saved.emit(saved.id)
            self.refresh()

        def failed(error: Exception) -> None:
            if isinstance(error, ApiError) and error.status == 409:
                message = error.with_reference(
                    self.tr(
                        "{message} Your version is kept on this computer; reopen the draft "
                        "from the list to see the other change."
                    ).format(message=error.message)
                )
            else:
                message = self.tr(
                    "Not saved on the server: {error}. Your work is kept on this computer."
                ).format(error=error)
            self.composer.status_banner.show_message(message, "error")

        def finished() -> None:
            self._saving = False
            self._update_save_button()

        self._saving = True
        self._update_save_button()
        self.run(store, stored, failed, finished)

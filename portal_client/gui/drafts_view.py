"""The prescriber's local work: drafts (autosaved, encrypted) and the outbox (signed,
on their way to the pharmacy), each row with the one action it needs.

Plain data in (``DraftSummary`` and ``OutboxItem`` lists, read off the GUI thread by
the window); signals out. Titles hold patient names: shown here, never logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.outbox_rows import (
    needs_signature_again,
    outbox_detail,
    outbox_state_colours,
    outbox_state_label,
    prepared_by_line,
)
from portal_client.core.prescription_list import format_timestamp
from portal_client.gui.widgets import muted, section_title

if TYPE_CHECKING:
    from portal_client.core.durable import DraftSummary, OutboxItem
    from portal_client.core.server_drafts import ServerDraft


def _when(epoch_seconds: float) -> str:
    return format_timestamp(dt.datetime.fromtimestamp(epoch_seconds, dt.UTC))


def _table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setTabKeyNavigation(False)  # the arrows move between rows; Tab leaves the table
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    table.verticalHeader().setDefaultSectionSize(44)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    return table


def _text(value: str) -> QLabel:
    label = QLabel(value)
    label.setTextFormat(Qt.TextFormat.PlainText)  # titles are patient names: never markup
    label.setContentsMargins(8, 0, 8, 0)
    return label


def _buttons(*buttons: QPushButton) -> QWidget:
    holder = QWidget()
    line = QHBoxLayout(holder)
    line.setContentsMargins(4, 2, 4, 2)
    line.setSpacing(4)
    for button in buttons:
        line.addWidget(button)
    line.addStretch(1)
    return holder


def _link(text: str, tooltip: str, callback: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("Link")
    button.setToolTip(tooltip)
    button.clicked.connect(lambda: callback())  # noqa: PLW0108 - not clicked(bool)
    return button


class DraftsView(QWidget):
    """Signals: open_requested(str draft id), discard_requested(str draft id),
    open_prepared_requested(str server draft id): a draft clinic staff prepared."""

    open_requested = Signal(str)
    discard_requested = Signal(str)
    open_prepared_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A compact column: each part takes the height of its rows, and whatever is left
        # goes to a filler at the bottom (not to gaps between headings and tables).
        layout = QVBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(6)
        # Drafts clinic staff saved on the server for this prescriber: hidden when none.
        self.prepared_title = section_title(self.tr("Prepared for you by clinic staff"))
        layout.addWidget(self.prepared_title)
        self.prepared_table = _table(
            [self.tr("Patient"), self.tr("Template"), self.tr("Prepared"), ""]
        )
        self.prepared_table.setAccessibleName(self.tr("Drafts prepared for you"))
        header = self.prepared_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.prepared_table.setColumnWidth(2, 260)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        self.prepared_table.setColumnWidth(3, 170)
        self.prepared_table.cellDoubleClicked.connect(lambda row, _c: self._open_prepared(row))
        layout.addWidget(self.prepared_table)
        self.prepared_ids: list[str] = []
        self.prepared_title.hide()
        self.prepared_table.hide()
        # Headed only beside the prepared ones, to tell the two apart.
        self.local_title = section_title(self.tr("Your drafts on this computer"))
        self.local_title.hide()
        layout.addSpacing(10)
        layout.addWidget(self.local_title)
        self.notice = muted(
            self.tr(
                "Every prescription you compose is saved here, encrypted, within a second "
                "of your last change. Double-click a draft to continue it."
            ),
            hint=True,
        )
        layout.addWidget(self.notice)
        self.table = _table([self.tr("Patient"), self.tr("Template"), self.tr("Last saved"), ""])
        self.table.setAccessibleName(self.tr("Drafts"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(2, 130)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(3, 170)
        self.table.cellDoubleClicked.connect(lambda row, _c: self._open_row(row))
        layout.addWidget(self.table, 1)
        self.empty = muted(self.tr("No drafts. Press “New prescription” to start one."), hint=True)
        layout.addWidget(self.empty)
        layout.addStretch(0)
        self._filler = layout.count() - 1
        self.table.hide()
        self.ids: list[str] = []
        self._update_layout()

    def _update_layout(self) -> None:
        """The local table stretches when it has rows; otherwise the filler takes the rest.
        "No drafts" only when nothing at all is listed."""
        local, prepared = bool(self.ids), bool(self.prepared_ids)
        self.table.setVisible(local)
        self.empty.setVisible(not local and not prepared)
        self.local_title.setVisible(prepared)
        self._layout.setStretch(self._filler, 0 if local else 1)

    def show_drafts(
        self, drafts: Sequence[DraftSummary], template_names: Mapping[str, str]
    ) -> None:
        self.ids = [draft.id for draft in drafts]
        self.table.setRowCount(len(drafts))
        for row, draft in enumerate(drafts):
            template = template_names.get(draft.template_id or "", draft.template_id or "—")
            self.table.setCellWidget(row, 0, _text(draft.title))
            self.table.setCellWidget(row, 1, _text(template))
            self.table.setCellWidget(row, 2, _text(_when(draft.updated_at)))
            self.table.setCellWidget(
                row,
                3,
                _buttons(
                    _link(
                        self.tr("Open"),
                        self.tr("Continue this draft"),
                        partial(self.open_requested.emit, draft.id),
                    ),
                    _link(
                        self.tr("Discard"),
                        self.tr("Delete this draft for good"),
                        partial(self.discard_requested.emit, draft.id),
                    ),
                ),
            )
        self._update_layout()

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.ids):
            self.open_requested.emit(self.ids[row])

    def show_prepared(
        self, drafts: Sequence[ServerDraft], template_names: Mapping[str, str]
    ) -> None:
        """Server drafts clinic staff prepared for this prescriber, newest first."""
        self.prepared_ids = [draft.id for draft in drafts]
        table = self.prepared_table
        table.setRowCount(len(drafts))
        for row, draft in enumerate(drafts):
            template = template_names.get(draft.template_id or "", draft.template_id or "—")
            table.setCellWidget(row, 0, _text(draft.title))
            table.setCellWidget(row, 1, _text(template))
            table.setCellWidget(
                row, 2, _text(prepared_by_line(draft.prepared_by, draft.updated_at))
            )
            table.setCellWidget(
                row,
                3,
                _buttons(
                    _link(
                        self.tr("Open to sign"),
                        self.tr("Review it in the composer, then sign and submit it"),
                        partial(self.open_prepared_requested.emit, draft.id),
                    )
                ),
            )
        header = table.horizontalHeader()
        table.setFixedHeight(
            max(header.height(), header.sizeHint().height())
            + 2 * table.frameWidth()
            + sum(table.rowHeight(r) for r in range(len(drafts)))
        )
        self.prepared_title.setVisible(bool(drafts))
        table.setVisible(bool(drafts))
        self._update_layout()

    def prepared_texts(self) -> list[tuple[str, str]]:
        """(patient, prepared line) per prepared row, as shown (tests and screen readers)."""
        texts = []
        for row in range(self.prepared_table.rowCount()):
            title = self.prepared_table.cellWidget(row, 0)
            line = self.prepared_table.cellWidget(row, 2)
            texts.append(
                (
                    title.text() if isinstance(title, QLabel) else "",
                    line.text() if isinstance(line, QLabel) else "",
                )
            )
        return texts

    def _open_prepared(self, row: int) -> None:
        if 0 <= row < len(self.prepared_ids):
            self.open_prepared_requested.emit(self.prepared_ids[row])


class OutboxView(QWidget):
    """Signals: reopen_requested(str idempotency key) for refused or expired signatures."""

    reopen_requested = Signal(str)
    sign_again_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(
            muted(
                self.tr(
                    "Signed prescriptions wait here, safely stored on this computer, until "
                    "the pharmacy confirms it has them. They are sent automatically, never "
                    "twice."
                ),
                hint=True,
            )
        )
        self.table = _table(
            [self.tr("Patient"), self.tr("Status"), self.tr("Details"), self.tr("Signed"), ""]
        )
        self.table.setAccessibleName(self.tr("Outbox"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 200)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(1, 140)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(3, 130)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(4, 170)
        self.table.verticalHeader().setDefaultSectionSize(52)
        layout.addWidget(self.table, 1)
        self.empty = muted(self.tr("Nothing signed yet."), hint=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        self.items: list[OutboxItem] = []
        self._pills: list[QLabel] = []  # each row's status, kept to read it back

    def show_items(self, items: Sequence[OutboxItem]) -> None:
        self.items = list(items)
        self.table.setRowCount(len(items))
        self._pills = []
        for row, item in enumerate(items):
            state = item.state.value
            label = outbox_state_label(state, item.field_errors)
            background, foreground = outbox_state_colours(state, item.field_errors)
            pill = QLabel(label)
            pill.setObjectName("OutboxState")
            pill.setAlignment(Qt.AlignmentFlag.AlignCenter)
            pill.setFixedHeight(24)
            pill.setStyleSheet(
                f"QLabel#OutboxState {{ background: {background}; color: {foreground};"
                " border-radius: 10px; padding: 2px 10px; font-weight: 600; }"
            )
            self._pills.append(pill)
            holder = QWidget()
            line = QHBoxLayout(holder)
            line.setContentsMargins(6, 0, 6, 0)
            line.addWidget(pill, 0, Qt.AlignmentFlag.AlignVCenter)
            line.addStretch(1)
            detail = _text(outbox_detail(state, item.status_text, item.detail, item.field_errors))
            detail.setWordWrap(True)
            self.table.setCellWidget(row, 0, _text(item.title))
            self.table.setCellWidget(row, 1, holder)
            self.table.setCellWidget(row, 2, detail)
            self.table.setCellWidget(row, 3, _text(_when(item.signed_at)))
            if state in ("rejected", "needs_signature") or needs_signature_again(
                state, item.field_errors
            ):
                actions = [
                    _link(
                        self.tr("Reopen"),
                        self.tr("Open it as a draft to correct it and sign again"),
                        partial(self.reopen_requested.emit, item.idempotency_key),
                    )
                ]
                if needs_signature_again(state, item.field_errors):
                    actions.insert(
                        0,
                        _link(
                            self.tr("Sign again…"),
                            self.tr(
                                "Check it and sign it again; it keeps its place, never sent twice"
                            ),
                            partial(self.sign_again_requested.emit, item.idempotency_key),
                        ),
                    )
                self.table.setCellWidget(row, 4, _buttons(*actions))
            else:
                self.table.removeCellWidget(row, 4)
        self.table.setVisible(bool(items))
        self.empty.setVisible(not items)

    def row_texts(self) -> list[tuple[str, str, str]]:
        """(title, status, detail) per row, as shown (tests and screen readers)."""
        texts = []
        for row in range(self.table.rowCount()):
            title = self.table.cellWidget(row, 0)
            detail = self.table.cellWidget(row, 2)
            pill = self._pills[row] if row < len(self._pills) else None
            texts.append(
                (
                    title.text() if isinstance(title, QLabel) else "",
                    pill.text() if pill is not None else "",
                    detail.text() if isinstance(detail, QLabel) else "",
                )
            )
        return texts


def section(title: str, body: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(section_title(title))
    layout.addWidget(body, 1)
    return holder

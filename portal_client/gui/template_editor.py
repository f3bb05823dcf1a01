"""The "Templates" and "Formulary" tabs: versions with who drafted them and why, a JSON
editor for a new version, and publishing by a second person (issue 12).

The decisions (reading the text, placing the server's field errors on their lines,
which version may be published) are ``core/catalog_editing.py``; every call runs through
the window's ``run`` (``ops.py``), so the GUI thread never waits on the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.catalog_editing import (
    EditorProblem,
    can_delete,
    can_publish,
    editor_text,
    placed_problems,
    read_editor_text,
)
from portal_client.core.errors import ApiError
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.gui.i18n import marked
from portal_client.gui.widgets import Banner

if TYPE_CHECKING:
    from collections.abc import Callable

    from portal_client.core.api_client import ApiClient
    from portal_client.core.catalog_calls import CatalogKind
    from portal_client.core.catalog_wire import (
        CatalogEntityPage,
        CatalogEntityWire,
        CatalogVersionContentWire,
        CatalogVersionWire,
    )

    Runner = Callable[..., None]

VERSION_COLUMNS = (
    QT_TRANSLATE_NOOP("Marked", "Version"),
    QT_TRANSLATE_NOOP("Marked", "Status"),
    QT_TRANSLATE_NOOP("Marked", "Drafted by"),
    QT_TRANSLATE_NOOP("Marked", "Why"),
    QT_TRANSLATE_NOOP("Marked", "Published by"),
)
STATUS_WORDS = {
    "draft": QT_TRANSLATE_NOOP("Marked", "Draft"),
    "published": QT_TRANSLATE_NOOP("Marked", "Published"),
    "retired": QT_TRANSLATE_NOOP("Marked", "Retired"),
}


class CatalogEditorView(QWidget):
    """One kind's editor: templates (a list on the left) or the whole formulary."""

    def __init__(
        self, client: ApiClient, run: Runner, kind: CatalogKind, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self._run = run
        self.kind: CatalogKind = kind
        self.entities: tuple[CatalogEntityWire, ...] = ()
        self.entity_id = "formulary" if kind == "formulary" else ""
        self.versions: tuple[CatalogVersionWire, ...] = ()
        self.shown: CatalogVersionContentWire | None = None
        self.problems: list[EditorProblem] = []

        self.banner = Banner()
        self.entity_list = QListWidget()
        self.entity_list.setAccessibleName(self.tr("Templates"))
        self.entity_list.currentRowChanged.connect(self._entity_chosen)
        self.table = QTableWidget(0, len(VERSION_COLUMNS))
        self.table.setHorizontalHeaderLabels([marked(title) for title in VERSION_COLUMNS])
        self.table.setAccessibleName(self.tr("Versions"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(len(VERSION_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._version_chosen)

        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName(self.tr("Content (JSON)"))
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Why this change (required)"))
        self.reason.setAccessibleName(self.tr("Why this change"))
        self.reason_label = QLabel(self.tr("Why:"))
        self.reason_label.setBuddy(self.reason)
        self.problem_list = QListWidget()
        self.problem_list.setAccessibleName(self.tr("Problems in the content"))
        self.problem_list.setMaximumHeight(110)
        self.problem_list.itemActivated.connect(self._go_to_problem)
        self.problem_list.hide()

        self._build_buttons()

        self._layout()
        self._update_buttons()

    def _build_buttons(self) -> None:
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.new_button = QPushButton(self.tr("New version"))
        self.save_button = QPushButton(self.tr("Save draft"))
        self.cancel_button = QPushButton(self.tr("Cancel edit"))
        self.publish_button = QPushButton(self.tr("Publish"))
        self.publish_button.setToolTip(
            self.tr("Publishing needs a second person: you cannot publish your own draft.")
        )
        self.delete_button = QPushButton(self.tr("Delete version"))
        self.refresh_button.clicked.connect(self.reload)
        self.new_button.clicked.connect(self.start_new_version)
        self.save_button.clicked.connect(self.save_draft)
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.publish_button.clicked.connect(self.publish_selected)
        self.delete_button.clicked.connect(self.delete_selected)

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for button in (
            self.refresh_button,
            self.new_button,
            self.publish_button,
            self.delete_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.reason_label)
        edit_row.addWidget(self.reason, 1)
        edit_row.addWidget(self.save_button)
        edit_row.addWidget(self.cancel_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.table, 2)
        right_layout.addWidget(self.editor, 5)
        right_layout.addWidget(self.problem_list)
        right_layout.addLayout(edit_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.entity_list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([300, 820])
        self.entity_list.setVisible(self.kind == "template")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------------ state

    @property
    def editing(self) -> bool:
        return not self.editor.isReadOnly()

    def selected_version(self) -> CatalogVersionWire | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.versions):
            return None
        return self.versions[rows[0].row()]

    def _update_buttons(self) -> None:
        chosen = self.selected_version()
        self.new_button.setEnabled(chosen is not None and not self.editing)
        self.publish_button.setEnabled(can_publish(chosen) and not self.editing)
        self.delete_button.setEnabled(can_delete(chosen) and not self.editing)
        self.save_button.setVisible(self.editing)
        self.cancel_button.setVisible(self.editing)
        self.reason.setVisible(self.editing)
        self.reason_label.setVisible(self.editing)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        kind, client = self.kind, self.client
        self._run(lambda: client.catalog_entities(kind), self._entities_loaded, self._failed)

    def _entities_loaded(self, page: CatalogEntityPage) -> None:
        self.entities = page.items
        wanted = self.entity_id
        self.entity_list.blockSignals(True)
        self.entity_list.clear()
        for entity in self.entities:
            item = QListWidgetItem(entity.name)
            item.setData(Qt.ItemDataRole.UserRole, entity.entity_id)
            self.entity_list.addItem(item)
        self.entity_list.blockSignals(False)
        ids = [entity.entity_id for entity in self.entities]
        row = ids.index(wanted) if wanted in ids else (0 if ids else -1)
        self.entity_list.setCurrentRow(row)
        self._entity_chosen(row)

    def select_entity(self, entity_id: str) -> None:
        ids = [entity.entity_id for entity in self.entities]
        if entity_id in ids:
            self.entity_list.setCurrentRow(ids.index(entity_id))

    def _entity_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.entities):
            self._show_versions(())
            return
        entity = self.entities[row]
        chosen = self.selected_version()
        # The same entity again (a reload): keep its selected version; another: its newest.
        same = chosen is not None and chosen.entity_id == entity.entity_id
        self.entity_id = entity.entity_id
        self._show_versions(entity.versions, chosen.version if same and chosen else None)

    def _show_versions(
        self, versions: tuple[CatalogVersionWire, ...], keep: int | None = None
    ) -> None:
        self.versions = versions
        self.table.setRowCount(len(versions))
        for row, version in enumerate(versions):
            published = "" if version.published_by is None else version.published_by
            cells = (
                str(version.version),
                marked(STATUS_WORDS[version.status]),
                version.created_by,
                version.reason,
                published,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        numbers = [version.version for version in versions]
        if versions:
            self.table.selectRow(numbers.index(keep) if keep in numbers else 0)
        self._version_chosen()

    def _version_chosen(self) -> None:
        self._update_buttons()
        chosen = self.selected_version()
        if chosen is None or self.editing:
            return
        kind, client, entity = self.kind, self.client, self.entity_id
        number = chosen.version
        self._run(
            lambda: client.catalog_version(kind, entity, number), self._content_loaded, self._failed
        )

    def _content_loaded(self, shown: CatalogVersionContentWire) -> None:
        chosen = self.selected_version()
        if self.editing or chosen is None or chosen.version != shown.version.version:
            return  # an answer for a version no longer selected, or the user is editing
        if chosen.entity_id != shown.version.entity_id:
            return
        self.shown = shown
        self.editor.setPlainText(editor_text(shown.content))

    # ------------------------------------------------------------------ editing

    def start_new_version(self) -> None:
        """The selected version's content, editable: saved as the next version."""
        if self.shown is None:
            return
        content = dict(self.shown.content)
        content.pop("version", None)  # the server numbers the new one
        self.editor.setPlainText(editor_text(content))
        self.editor.setReadOnly(False)
        self.reason.clear()
        self._show_problems([])
        self.banner.show_message(
            self.tr("Editing a new version. Save it as a draft; someone else publishes it."),
            "info",
        )
        self._update_buttons()
        self.editor.setFocus()

    def cancel_edit(self) -> None:
        self.editor.setReadOnly(True)
        self._show_problems([])
        self.banner.clear()
        self._update_buttons()
        if self.shown is not None:
            self.editor.setPlainText(editor_text(self.shown.content))

    def save_draft(self) -> None:
        text = self.editor.toPlainText()
        content, problems = read_editor_text(text)
        reason = self.reason.text().strip()
        if content is not None and len(reason) < 3:
            problems = [EditorProblem("reason", self.tr("Say why, in a few words."), None)]
        self._show_problems(problems)
        if content is None or problems:
            return
        kind, client, entity = self.kind, self.client, self.entity_id
        self.save_button.setEnabled(False)
        self._run(
            lambda: client.draft_catalog_version(kind, entity, content, reason),
            self._saved,
            lambda error: self._save_failed(error, text),
            lambda: self.save_button.setEnabled(True),
        )

    def _saved(self, version: CatalogVersionWire) -> None:
        self.editor.setReadOnly(True)
        self._show_problems([])
        self.banner.show_message(
            self.tr(
                "Version {version} saved as a draft. Another pharmacist or an admin publishes it."
            ).format(version=version.version),
            "info",
        )
        self._select_after_reload(version.version)

    def _save_failed(self, error: Exception, text: str) -> None:
        # The text stays as typed: the errors point into it.
        if isinstance(error, ApiError) and error.field_errors:
            errors = [(item.field, item.reason) for item in error.field_errors]
            self._show_problems(placed_problems(text, errors))
            first = self.problem_list.item(0)
            if first is not None:
                self._go_to_problem(first)
            self.banner.show_message(
                self.tr("The server refused the content: see each problem below."), "error"
            )
        else:
            self._failed(error)

    def _show_problems(self, problems: list[EditorProblem]) -> None:
        self.problems = problems
        self.problem_list.clear()
        for problem in problems:
            item = QListWidgetItem(problem.text())
            item.setData(Qt.ItemDataRole.UserRole, problem.line)
            self.problem_list.addItem(item)
        self.problem_list.setVisible(bool(problems))

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        line = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(line, int):
            return
        block = self.editor.document().findBlockByLineNumber(line - 1)
        cursor = QTextCursor(block)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    # ------------------------------------------------------------------ publish, delete

    def publish_selected(self) -> None:
        chosen = self.selected_version()
        if not can_publish(chosen) or chosen is None:
            return
        kind, client, entity, number = self.kind, self.client, self.entity_id, chosen.version
        self._run(
            lambda: client.publish_catalog_version(kind, entity, number),
            lambda version: self._changed(
                self.tr("Version {version} is published: prescribers get it now.").format(
                    version=version.version
                ),
                version.version,
            ),
            self._failed,
        )

    def delete_selected(self) -> None:
        chosen = self.selected_version()
        if not can_delete(chosen) or chosen is None:
            return
        kind, client, entity, number = self.kind, self.client, self.entity_id, chosen.version
        self._run(
            lambda: client.delete_catalog_version(kind, entity, number),
            lambda _none: self._changed(
                self.tr("Version {version} was deleted.").format(version=number), None
            ),
            self._failed,
        )

    def _changed(self, message: str, select: int | None) -> None:
        self.banner.show_message(message, "info")
        self._select_after_reload(select)

    def _select_after_reload(self, version: int | None) -> None:
        def loaded(page: CatalogEntityPage) -> None:
            self._entities_loaded(page)
            numbers = [item.version for item in self.versions]
            if version in numbers:
                self.table.selectRow(numbers.index(version))

        kind, client = self.kind, self.client
        self._run(lambda: client.catalog_entities(kind), loaded, self._failed)

    def _failed(self, error: Exception) -> None:
        text = error.with_reference(error.message) if isinstance(error, ApiError) else str(error)
        self.banner.show_message(text, "error")

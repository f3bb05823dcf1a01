"""The "New prescription" composer: template, patient, ingredients, administration, notes.

All the logic lives in ``core.composer.ComposerState``; this widget mirrors it.
Validation runs on every edit (the shared ``parse_prescription``, pure and
instant). A field shows its error once the user has touched it, and every error
shows after a submit attempt, next to its field and in a summary at the top.
The server's 422 errors land in the same places. Nothing typed is ever cleared
by an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pharmacy_domain.prescription import LAB_INTERPRETATIONS, SEXES, FieldError
from portal_client.core.composer import (
    ComposerState,
    LabEntry,
    allowed_range,
    field_label,
    format_number,
    message_for,
    typical_range,
)
from portal_client.core.errors import ApiError, NotSignedIn, OutcomeUnknown, ServerUnreachable
from portal_client.core.presentation import ACCESS_TEXT, SEX_TEXT
from portal_client.gui import resources
from portal_client.gui.ops import Op
from portal_client.gui.widgets import Banner, card, muted, section_title, set_invalid

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template
    from portal_client.core.api_client import ApiClient

TEMPLATE_ROLE = Qt.ItemDataRole.UserRole + 10
CONFIRM_TAG = (
    "<span style='background:#FFF4D6;color:#8A5A00;font-size:8pt;font-weight:600;'>"
    "&nbsp;PHARMACY TO CONFIRM&nbsp;</span>"
)


def _category_title(category: str) -> str:
    return category.replace("-", " ").replace("_", " ").capitalize()


class _FieldSlot:
    """One form field: its editor(s) and the error line beneath it."""

    def __init__(self, editor: QWidget, error: QLabel) -> None:
        self.editor = editor
        self.error = error

    def show(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        set_invalid(self.editor, bool(message))


class ComposerPage(QWidget):
    """Compose and submit one prescription.

    Signals:
        submitted(dict): the server accepted it (the prescription as the server stored it).
        cancelled(): the user left the composer.
        session_expired(str): the server no longer accepts our token.
    """

    submitted = Signal(dict)
    cancelled = Signal()
    session_expired = Signal(str)

    def __init__(
        self,
        client: ApiClient,
        *,
        confirm_discard: Callable[[QWidget], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Canvas")
        self.client = client
        self.state = ComposerState()
        self.templates: list[Template] = []
        self._confirm_discard = confirm_discard or _ask_discard
        self._touched: set[str] = set()
        self._show_all_errors = False
        self._server_errors: dict[str, str] = {}
        self._slots: dict[str, _FieldSlot] = {}
        self._ingredient_slots: dict[str, tuple[QLineEdit, QLabel]] = {}
        self._warning_keys: list[tuple[str, str, str]] = []
        self._ack_edits: dict[tuple[str, str], QLineEdit] = {}
        self._loading = False  # True while widgets are filled from the state
        self._busy = False
        self.current_errors: dict[str, str] = {}

        root = QVBoxLayout(self)
        root.setContentsMargins(24, 16, 24, 16)
        root.setSpacing(12)
        root.addLayout(self._build_header())
        root.addLayout(self._build_body(), 1)
        root.addLayout(self._build_footer())
        self.back.clicked.connect(self.request_cancel)
        self.discard.clicked.connect(self.request_cancel)
        self.submit.clicked.connect(self.attempt_submit)
        self._set_template(None)

    # ------------------------------------------------------------------ build

    def _build_header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        self.back = QPushButton(" My prescriptions")
        self.back.setIcon(resources.icon("back"))
        self.back.setObjectName("Link")
        title = QLabel("New prescription")
        title.setObjectName("PageTitle")
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.back)
        return header

    def _build_body(self) -> QHBoxLayout:
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self._build_template_picker(), 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        form = QWidget()
        form.setObjectName("Canvas")
        self.form_layout = QVBoxLayout(form)
        # The form grows with its content and the scroll area scrolls it; without this
        # the word-wrapped labels' height-for-width lets Qt squash the cards instead.
        self.form_layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.form_layout.setContentsMargins(0, 0, 8, 0)
        self.form_layout.setSpacing(12)
        self.summary = Banner()
        self.status_banner = Banner()
        self.form_layout.addWidget(self.status_banner)
        self.form_layout.addWidget(self.summary)
        self.form_layout.addWidget(self._build_patient_card())
        self.form_layout.addWidget(self._build_ingredients_card())
        self.form_layout.addWidget(self._build_administration_card())
        self.form_layout.addWidget(self._build_labs_card())
        self.form_layout.addWidget(self._build_checks_card())
        self.form_layout.addWidget(self._build_notes_card())
        self.form_layout.addStretch(1)
        scroll.setWidget(form)
        self.scroll_area = scroll
        body.addWidget(scroll, 1)
        return body

    def _build_footer(self) -> QHBoxLayout:
        footer = QHBoxLayout()
        self.discard = QPushButton("Discard")
        self.footer_status = muted("", hint=True)
        self.submit = QPushButton(" Submit prescription")
        self.submit.setObjectName("Primary")
        self.submit.setIcon(resources.icon("send"))
        self.submit.setMinimumHeight(36)
        footer.addWidget(self.discard)
        footer.addStretch(1)
        footer.addWidget(self.footer_status)
        footer.addWidget(self.submit)
        return footer

    def _error_label(self) -> QLabel:
        label = QLabel()
        label.setObjectName("FieldError")
        label.setWordWrap(True)
        label.hide()
        return label

    def _add_field(
        self,
        grid: QGridLayout,
        place: tuple[int, int],
        name: str,
        label: str,
        editor: QWidget,
        *,
        suffix: str = "",
        span: int = 1,
    ) -> None:
        row, column = place
        holder = QVBoxLayout()
        holder.setSpacing(3)
        caption = QLabel(label)
        caption.setBuddy(editor)
        holder.addWidget(caption)
        if suffix:
            line = QHBoxLayout()
            line.addWidget(editor, 1)
            line.addWidget(muted(suffix))
            holder.addLayout(line)
        else:
            holder.addWidget(editor)
        error = self._error_label()
        holder.addWidget(error)
        holder.addStretch(1)
        grid.addLayout(holder, row, column, 1, span)
        self._slots[name] = _FieldSlot(editor, error)
        editor.setAccessibleName(label)

    def _build_template_picker(self) -> QWidget:
        box = card()
        box.setFixedWidth(320)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.addWidget(section_title("Template"))
        self.template_tree = QTreeWidget()
        self.template_tree.setHeaderHidden(True)
        self.template_tree.setRootIsDecorated(False)
        self.template_tree.setIndentation(8)
        self.template_tree.setWordWrap(True)
        self.template_tree.setUniformRowHeights(False)
        self.template_tree.setAccessibleName("Template")
        self.template_tree.setStyleSheet("QTreeWidget { border: none; }")
        layout.addWidget(self.template_tree, 1)
        self.template_description = muted("", hint=True)
        self.template_description.setMinimumHeight(60)
        self.template_description.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.template_description)
        self.template_error = self._error_label()
        layout.addWidget(self.template_error)
        self.template_status = muted("Loading templates…", hint=True)
        layout.addWidget(self.template_status)
        self.template_tree.currentItemChanged.connect(self._template_clicked)
        self._slots["template_id"] = _FieldSlot(self.template_tree, self.template_error)
        return box

    def _build_patient_card(self) -> QWidget:
        box = card()
        grid = QGridLayout(box)
        grid.setContentsMargins(18, 14, 18, 14)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        grid.addWidget(section_title("Patient"), 0, 0, 1, 2)
        self.given_name = QLineEdit()
        self.family_name = QLineEdit()
        self.birth_date = QLineEdit()
        self.birth_date.setPlaceholderText("YYYY-MM-DD")
        self.birth_date.setInputMask("")
        self.sex = QComboBox()
        for value in SEXES:
            self.sex.addItem(SEX_TEXT.get(value, value), value)
        self.sex.setCurrentIndex(self.sex.findData("unknown"))
        self.weight_edit = QLineEdit()
        self.weight_edit.setPlaceholderText("e.g. 70")
        self.height_edit = QLineEdit()
        self.height_edit.setPlaceholderText("e.g. 172")
        self.allergies = QLineEdit()
        self.allergies.setPlaceholderText("Separate with commas, e.g. penicillin, latex")
        self._add_field(grid, (1, 0), "patient.given_name", "Given name", self.given_name)
        self._add_field(grid, (1, 1), "patient.family_name", "Family name", self.family_name)
        self._add_field(grid, (2, 0), "patient.birth_date", "Date of birth", self.birth_date)
        self._add_field(grid, (2, 1), "patient.sex", "Sex", self.sex)
        self._add_field(grid, (3, 0), "patient.weight_kg", "Weight", self.weight_edit, suffix="kg")
        self._add_field(grid, (3, 1), "patient.height_cm", "Height", self.height_edit, suffix="cm")
        self._add_field(grid, (4, 0), "patient.allergies", "Allergies", self.allergies, span=2)
        for editor, attribute in (
            (self.given_name, "given_name"),
            (self.family_name, "family_name"),
            (self.birth_date, "birth_date"),
            (self.weight_edit, "weight_kg"),
            (self.height_edit, "height_cm"),
            (self.allergies, "allergies"),
        ):
            editor.textEdited.connect(
                lambda text, a=attribute: self._edited(f"patient.{a}", a, text)
            )
        self.sex.currentIndexChanged.connect(
            lambda _i: self._edited("patient.sex", "sex", self.sex.currentData())
        )
        return box

    def _build_ingredients_card(self) -> QWidget:
        box = card()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(6)
        layout.addWidget(section_title("Ingredients"))
        self.ingredients_hint = muted("Choose a template to see its ingredients.", hint=True)
        layout.addWidget(self.ingredients_hint)
        self.ingredient_table = QTableWidget(0, 5)
        self.ingredient_table.setHorizontalHeaderLabels(
            ["Ingredient", "Amount", "Allowed", "Typical", ""]
        )
        self.ingredient_table.verticalHeader().hide()
        self.ingredient_table.setShowGrid(False)
        self.ingredient_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.ingredient_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ingredient_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.ingredient_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.ingredient_table.setStyleSheet("QTableWidget { border: none; }")
        header = self.ingredient_table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 150), (2, 100), (3, 100), (4, 170)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.ingredient_table.setColumnWidth(column, width)
        self.ingredient_table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.ingredient_table)
        self.ingredients_error = self._error_label()
        layout.addWidget(self.ingredients_error)
        self._slots["ingredients"] = _FieldSlot(self.ingredient_table, self.ingredients_error)
        return box

    def _build_administration_card(self) -> QWidget:
        box = card()
        grid = QGridLayout(box)
        grid.setContentsMargins(18, 14, 18, 14)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        grid.addWidget(section_title("Administration"), 0, 0, 1, 3)
        self.access = QComboBox()
        self.vehicle = QComboBox()
        self.volume = QLineEdit()
        self.minutes = QLineEdit()
        self._add_field(grid, (1, 0), "access", "Access route", self.access)
        self._add_field(grid, (1, 1), "vehicle.code", "Vehicle", self.vehicle)
        self._add_field(grid, (2, 1), "vehicle.volume_ml", "Volume", self.volume, suffix="mL")
        self._add_field(
            grid, (2, 0), "infusion_minutes", "Infusion time", self.minutes, suffix="min"
        )
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.access.currentIndexChanged.connect(
            lambda _i: self._edited("access", "access", self.access.currentData() or "")
        )
        self.vehicle.currentIndexChanged.connect(self._vehicle_changed)
        self.volume.textEdited.connect(
            lambda text: self._edited("vehicle.volume_ml", "volume_ml", text)
        )
        self.minutes.textEdited.connect(
            lambda text: self._edited("infusion_minutes", "infusion_minutes", text)
        )
        return box

    def _build_notes_card(self) -> QWidget:
        box = card()
        grid = QGridLayout(box)
        grid.setContentsMargins(18, 14, 18, 14)
        grid.addWidget(section_title("Notes for the pharmacy"), 0, 0)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(
            "Optional: clinical context, timing, anything the pharmacist should know"
        )
        self.notes.setFixedHeight(80)
        self._add_field(grid, (1, 0), "notes", "Notes", self.notes)
        self.notes.textChanged.connect(self._notes_edited)
        return box

    def _build_labs_card(self) -> QWidget:
        box = card()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(6)
        layout.addWidget(section_title("Lab results"))
        layout.addWidget(
            muted(
                "Dated results the pharmacy's checks need (e.g. G6PD before high-dose vitamin C, "
                "creatinine or eGFR for renal function).",
                hint=True,
            )
        )
        self.labs_table = QTableWidget(0, 6)
        self.labs_table.setHorizontalHeaderLabels(
            ["Lab", "Date", "Value", "Unit", "Interpretation", ""]
        )
        self.labs_table.verticalHeader().hide()
        self.labs_table.setShowGrid(False)
        self.labs_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.labs_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.labs_table.setStyleSheet("QTableWidget { border: none; }")
        self.labs_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.labs_table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Fixed)
        self.labs_table.setColumnWidth(5, 40)
        layout.addWidget(self.labs_table)
        self.add_lab_button = QPushButton("Add lab result")
        self.add_lab_button.setObjectName("Link")
        self.add_lab_button.clicked.connect(lambda: self.add_lab())  # noqa: PLW0108 - not clicked(bool)
        row = QHBoxLayout()
        row.addWidget(self.add_lab_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.labs_error = self._error_label()
        layout.addWidget(self.labs_error)
        self._slots["patient.labs"] = _FieldSlot(self.labs_table, self.labs_error)
        self._resize_labs_table()
        return box

    def add_lab(self, entry: LabEntry | None = None) -> int:
        """Append a lab row (empty, or filled from ``entry``); returns its row number."""
        lab = entry or LabEntry(date="")
        self.state.labs.append(lab)
        index = len(self.state.labs) - 1
        table = self.labs_table
        table.insertRow(index)
        code = QComboBox()
        code.setEditable(True)
        code.addItems(
            [
                "",
                "g6pd",
                "creatinine",
                "egfr",
                "potassium",
                "magnesium",
                "phosphate",
                "glucose",
                "triglycerides",
                "sodium",
                "calcium",
                "albumin",
            ]
        )
        code.setCurrentText(lab.code)
        date = QLineEdit(lab.date)
        date.setPlaceholderText("YYYY-MM-DD")
        value = QLineEdit(lab.value)
        unit = QLineEdit(lab.unit)
        unit.setPlaceholderText("e.g. mg/dL")
        interpretation = QComboBox()
        interpretation.addItem("—", "")
        for option in LAB_INTERPRETATIONS:
            interpretation.addItem(option, option)
        interpretation.setCurrentIndex(max(0, interpretation.findData(lab.interpretation)))
        remove = QPushButton("✕")
        remove.setObjectName("Link")
        remove.setToolTip("Remove this result")
        for column, widget in enumerate((code, date, value, unit, interpretation, remove)):
            table.setCellWidget(index, column, widget)
        table.setRowHeight(index, 46)

        def changed() -> None:
            lab.code = code.currentText()
            lab.date, lab.value, lab.unit = date.text(), value.text(), unit.text()
            lab.interpretation = str(interpretation.currentData() or "")
            self._touched.add("patient.labs")
            self._server_errors.pop("patient.labs", None)
            self._revalidate()

        code.currentTextChanged.connect(lambda _t: changed())
        for edit in (date, value, unit):
            edit.textEdited.connect(lambda _t: changed())
        interpretation.currentIndexChanged.connect(lambda _i: changed())
        remove.clicked.connect(lambda: self._remove_lab(lab))
        self._resize_labs_table()
        self._revalidate()
        return index

    def _remove_lab(self, lab: LabEntry) -> None:
        index = next(i for i, entry in enumerate(self.state.labs) if entry is lab)
        del self.state.labs[index]
        self.labs_table.removeRow(index)
        self._resize_labs_table()
        self._revalidate()

    def _resize_labs_table(self) -> None:
        table = self.labs_table
        table.setVisible(table.rowCount() > 0)
        height = table.horizontalHeader().height() + sum(
            table.rowHeight(r) for r in range(table.rowCount())
        )
        table.setFixedHeight(height + 4)

    def _build_checks_card(self) -> QWidget:
        self.checks_card = card()
        layout = QVBoxLayout(self.checks_card)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(6)
        layout.addWidget(section_title("Clinical checks"))
        layout.addWidget(
            muted(
                "The pharmacy's checks found these warnings. Give a reason for each one to "
                "go ahead; the pharmacist sees it.",
                hint=True,
            )
        )
        self.checks_layout = QVBoxLayout()
        self.checks_layout.setSpacing(6)
        layout.addLayout(self.checks_layout)
        self.checks_error = self._error_label()
        layout.addWidget(self.checks_error)
        self._slots["acknowledgements"] = _FieldSlot(self.checks_card, self.checks_error)
        self.checks_card.hide()
        return self.checks_card

    def _show_warnings(self, warnings: Sequence[Any]) -> None:
        """Rebuild the warning rows only when the warnings change (typing keeps focus)."""
        keys = [(w.code, w.field, w.message) for w in warnings]
        if keys == self._warning_keys:
            return
        self._warning_keys = keys
        while self.checks_layout.count():
            item = self.checks_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._ack_edits = {}
        for code, place, message in keys:
            row = QWidget()
            line = QVBoxLayout(row)
            line.setContentsMargins(0, 4, 0, 4)
            line.setSpacing(3)
            text = QLabel(f"<span style='color:#8A5A00'><b>Warning:</b> {message}</span>")
            text.setWordWrap(True)
            reason = QLineEdit(self.state.acknowledgements.get((code, place), ""))
            reason.setPlaceholderText("Reason to go ahead (required)")
            reason.setAccessibleName(f"Reason for: {message}")
            reason.textEdited.connect(
                lambda value, key=(code, place): self._acknowledged(key, value)
            )
            line.addWidget(text)
            line.addWidget(reason)
            self.checks_layout.addWidget(row)
            self._ack_edits[(code, place)] = reason
        self.checks_card.setVisible(bool(keys))

    def _acknowledged(self, key: tuple[str, str], reason: str) -> None:
        self.state.acknowledgements[key] = reason
        self._touched.add("acknowledgements")
        self._server_errors.pop("acknowledgements", None)
        self._revalidate()

    # ------------------------------------------------------------- templates

    def load_templates(self, templates: Sequence[Template] | None = None) -> None:
        """Show ``templates``, or fetch them in the background when none are given."""
        if templates is not None:
            self._show_templates(list(templates))
            return
        self.template_status.setText("Loading templates…")
        self.template_status.show()
        client = self.client
        Op(self, client.templates).success(self._show_templates).failure(
            self._templates_failed
        ).run()

    def _templates_failed(self, error: Exception) -> None:
        if isinstance(error, NotSignedIn):
            self.session_expired.emit(str(error))
            return
        self.template_status.setText(f"Could not load templates: {error}")

    def _show_templates(self, templates: list[Template]) -> None:
        self.templates = templates
        self.template_tree.clear()
        by_category: dict[str, list[Template]] = {}
        for template in sorted(templates, key=lambda t: (t.category, t.name.casefold())):
            by_category.setdefault(template.category, []).append(template)
        bold = QFont(self.template_tree.font())
        bold.setBold(True)
        for category, members in by_category.items():
            head = QTreeWidgetItem([_category_title(category).upper()])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.setForeground(0, Qt.GlobalColor.darkGray)
            self.template_tree.addTopLevelItem(head)
            for template in members:
                item = QTreeWidgetItem([template.name])
                item.setData(0, TEMPLATE_ROLE, template.key)
                item.setToolTip(0, f"{template.name}\n\n{template.description}")
                head.addChild(item)
            head.setExpanded(True)
        self.template_status.setVisible(not templates)
        self.template_status.setText("No templates are published yet." if not templates else "")

    def select_template(self, template_id: str) -> None:
        """Pick a template by id (tests and keyboard users)."""
        for index in range(self.template_tree.topLevelItemCount()):
            head = self.template_tree.topLevelItem(index)
            for child_index in range(head.childCount() if head else 0):
                child = head.child(child_index) if head else None
                key = child.data(0, TEMPLATE_ROLE) if child else None
                if child is not None and key and key[0] == template_id:
                    self.template_tree.setCurrentItem(child)
                    return
        raise KeyError(template_id)

    def _template_clicked(self, item: QTreeWidgetItem | None, _previous: Any = None) -> None:
        if item is None:
            return
        key = item.data(0, TEMPLATE_ROLE)
        if not key:
            return
        template = next((t for t in self.templates if t.key == tuple(key)), None)
        item.setSelected(True)  # keep the choice visible when focus moves to the form
        if template is not None and template is not self.state.template:
            self._set_template(template)

    def _set_template(self, template: Template | None) -> None:
        self.state.select_template(template)
        self.template_description.setText(
            template.description if template else "Choose the template to prescribe from."
        )
        self._touched.discard("template_id")
        self._loading = True
        try:
            self._fill_ingredients(template)
            self.access.clear()
            self.vehicle.clear()
            if template is not None:
                for route in template.access_routes:
                    self.access.addItem(ACCESS_TEXT.get(route, route), route)
                self.access.setCurrentIndex(template.access_routes.index(self.state.access))
                for option in template.vehicles:
                    self.vehicle.addItem(option.name, option.code)
                self.volume.setText(self.state.volume_ml)
                self.minutes.setText(self.state.infusion_minutes)
                self._update_range_hints()
            has_vehicle = bool(template and template.vehicles)
            self.vehicle.setEnabled(has_vehicle)
            self.volume.setEnabled(has_vehicle)
        finally:
            self._loading = False
        self._revalidate()

    def _fill_ingredients(self, template: Template | None) -> None:
        table = self.ingredient_table
        table.setRowCount(0)
        self._ingredient_slots.clear()
        self.ingredients_hint.setVisible(template is None)
        table.setVisible(template is not None)
        if template is None:
            return
        table.setRowCount(len(template.ingredients))
        for row, ingredient in enumerate(template.ingredients):
            name = QLabel(
                f"{ingredient.name}<br>{CONFIRM_TAG}" if ingredient.to_confirm else ingredient.name
            )
            name.setTextFormat(Qt.TextFormat.RichText)
            name.setWordWrap(True)
            name.setContentsMargins(4, 0, 4, 0)
            if ingredient.to_confirm:
                name.setToolTip(
                    "The reference range for this ingredient is unverified: "
                    "the pharmacist will confirm the amount."
                )
            table.setCellWidget(row, 0, name)
            editor_box = QWidget()
            line = QHBoxLayout(editor_box)
            line.setContentsMargins(2, 2, 6, 2)
            amount = QLineEdit(self.state.amounts.get(ingredient.code, ""))
            amount.setAlignment(Qt.AlignmentFlag.AlignRight)
            amount.setAccessibleName(f"{ingredient.name} amount")
            amount.setObjectName(f"amount:{ingredient.code}")
            line.addWidget(amount, 1)
            unit = muted(ingredient.unit)
            unit.setFixedWidth(34)
            line.addWidget(unit)
            table.setCellWidget(row, 1, editor_box)
            table.setCellWidget(row, 2, muted(allowed_range(ingredient)))
            table.setCellWidget(row, 3, muted(typical_range(ingredient) or "—"))
            check = QLabel()
            check.setWordWrap(True)
            check.setContentsMargins(4, 0, 4, 0)
            table.setCellWidget(row, 4, check)
            table.setRowHeight(row, 54 if ingredient.to_confirm else 42)
            amount.textEdited.connect(
                lambda text, code=ingredient.code: self._amount_edited(code, text)
            )
            self._ingredient_slots[ingredient.code] = (amount, check)
        height = table.horizontalHeader().height() + sum(
            table.rowHeight(r) for r in range(table.rowCount())
        )
        table.setFixedHeight(height + 4)

    def _update_range_hints(self) -> None:
        template = self.state.template
        option = template.vehicle(self.state.vehicle_code) if template else None
        self.volume.setPlaceholderText(
            f"{format_number(option.min_volume_ml)}–{format_number(option.max_volume_ml)}"
            if option
            else ""
        )
        if template and template.infusion_minutes_min is not None:
            self.minutes.setPlaceholderText(
                f"{template.infusion_minutes_min}–{template.infusion_minutes_max}"
            )

    # ----------------------------------------------------------------- edits

    def _edited(self, form_field: str, attribute: str, value: Any) -> None:
        if self._loading:
            return
        setattr(self.state, attribute, value)
        self._touched.add(form_field)
        self._server_errors.pop(form_field, None)
        self._revalidate()

    def _notes_edited(self) -> None:
        self._edited("notes", "notes", self.notes.toPlainText())

    def _amount_edited(self, code: str, text: str) -> None:
        self.state.amounts[code] = text
        self._touched.add(f"ingredient:{code}")
        self._server_errors.pop(f"ingredient:{code}", None)
        self._server_errors.pop("ingredients", None)
        self._revalidate()

    def _vehicle_changed(self, _index: int) -> None:
        if self._loading:
            code = self.vehicle.currentData() or ""
            self.state.vehicle_code = code
            return
        template = self.state.template
        code = self.vehicle.currentData() or ""
        option = template.vehicle(code) if template else None
        self.state.vehicle_code = code
        if option is not None and "vehicle.volume_ml" not in self._touched:
            self.state.volume_ml = format_number(option.default_volume_ml)
            self.volume.setText(self.state.volume_ml)
        self._update_range_hints()
        self._touched.add("vehicle.code")
        self._revalidate()

    # ------------------------------------------------------------ validation

    def _revalidate(self) -> None:
        errors: dict[str, str] = {}
        result = self.state.check()
        self._show_warnings(result.warnings)
        for error in result.errors:
            place = self.state.field_for_error(error.field)
            if place == "template_version":
                place = "template_id"
            errors.setdefault(place, message_for(error))
        for place, message in self._server_errors.items():
            errors.setdefault(place, message)
        missing = len(result.unacknowledged)
        if missing:
            errors.setdefault(
                "acknowledgements",
                "1 warning still needs a reason"
                if missing == 1
                else f"{missing} warnings still need a reason",
            )
        self.current_errors = errors

        def visible(place: str) -> bool:
            return self._show_all_errors or place in self._touched or place in self._server_errors

        for place, slot in self._slots.items():
            slot.show(errors.get(place, "") if visible(place) else "")
        # The ingredient table shows the "at least one ingredient" error at its foot.
        notes = {note.field: note.message for note in self.state.range_notes()}
        for code, (editor, check) in self._ingredient_slots.items():
            place = f"ingredient:{code}"
            message = errors.get(place, "") if visible(place) else ""
            set_invalid(editor, bool(message))
            if message:
                check.setText(f"<span style='color:#A3261D'>{message}</span>")
            elif code in notes:
                check.setText(f"<span style='color:#8A5A00'>Note: {notes[code]}</span>")
            else:
                check.setText("")
        self._update_summary()

    def _update_summary(self) -> None:
        errors = self.current_errors
        if errors and self._show_all_errors:
            items = "".join(
                f"<li>{field_label(place, self.state.template)}: {message}</li>"
                for place, message in errors.items()
            )
            count = len(errors)
            noun = "thing" if count == 1 else "things"
            self.summary.show_message(
                f"<b>{count} {noun} to fix before this can be sent</b>"
                f"<ul style='margin:2px 0 0 -20px'>{items}</ul>",
                "error",
            )
        else:
            self.summary.clear()
        self.footer_status.setText("Ready to submit" if not errors else f"{len(errors)} to fix")

    def show_server_errors(self, field_errors: Sequence[dict[str, str]]) -> None:
        """Place the server's 422 errors next to their fields, like local ones."""
        self._server_errors = {}
        for raw in field_errors:
            error = FieldError(str(raw.get("field", "")), str(raw.get("reason", "")))
            place = self.state.field_for_error(error.field)
            self._server_errors.setdefault(place, message_for(error))
        self._show_all_errors = True
        self._revalidate()

    def _focus_first_error(self) -> None:
        order = [
            "template_id",
            *self._slots.keys(),
            *(f"ingredient:{c}" for c in self._ingredient_slots),
        ]
        for place in order:
            if place in self.current_errors:
                if place.startswith("ingredient:"):
                    widget: QWidget = self._ingredient_slots[place.split(":", 1)[1]][0]
                else:
                    widget = self._slots[place].editor
                widget.setFocus()
                self.scroll_area.ensureWidgetVisible(widget)
                return

    # -------------------------------------------------------------- submit

    def attempt_submit(self) -> None:
        if self._busy:
            return
        self._show_all_errors = True
        self._revalidate()
        if self.current_errors:
            self._focus_first_error()
            return
        body = self.state.to_body()
        key = self.state.idempotency_key
        check_first = self.state.outcome_unknown
        client = self.client

        def send() -> dict[str, Any]:
            if check_first:  # the last attempt may have arrived: never send it twice
                existing = client.find_by_idempotency_key(key)
                if existing is not None:
                    return existing
            return client.submit_prescription(body, key)

        self._set_busy(True)
        self.status_banner.clear()
        Op(self, send).success(self._submit_succeeded).failure(self._submit_failed).finally_(
            lambda: self._set_busy(False)
        ).run()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.submit.setEnabled(not busy)
        self.submit.setText(" Sending…" if busy else " Submit prescription")
        self.discard.setEnabled(not busy)
        self.back.setEnabled(not busy)

    def _submit_succeeded(self, prescription: dict[str, Any]) -> None:
        self.state.outcome_unknown = False
        self.submitted.emit(prescription)

    def _submit_failed(self, error: Exception) -> None:
        if isinstance(error, NotSignedIn):
            self.status_banner.show_message(
                "Your session has ended, so the prescription was not sent.", "error"
            )
            self.session_expired.emit(str(error))
        elif isinstance(error, OutcomeUnknown):
            self.state.outcome_unknown = True
            self.status_banner.show_message(
                "The pharmacy did not confirm receipt, so it may or may not have arrived. "
                "Press Submit again: it is re-sent under the same identifier, so it can never "
                "be duplicated.",
                "warn",
            )
        elif isinstance(error, ServerUnreachable):
            self.status_banner.show_message(
                f"Not sent. {error} Everything you entered is kept.", "error"
            )
        elif isinstance(error, ApiError) and error.status == 422 and error.field_errors:
            self.status_banner.show_message(
                "The pharmacy could not accept the prescription as written. "
                "Please correct the fields marked below.",
                "error",
            )
            self.show_server_errors(error.field_errors)
            self._focus_first_error()
        else:
            self.status_banner.show_message(f"Not sent: {error}", "error")

    # -------------------------------------------------------------- leaving

    def is_dirty(self) -> bool:
        return bool(self._touched)

    def request_cancel(self) -> None:
        if self.is_dirty() and not self._confirm_discard(self):
            return
        self.cancelled.emit()

    def start_new(self) -> None:
        """Clear the form for the next prescription (a fresh idempotency key)."""
        template = self.state.template
        self.state = ComposerState()
        self._touched.clear()
        self._server_errors.clear()
        self._show_all_errors = False
        self.status_banner.clear()
        self._loading = True
        try:
            for editor in (
                self.given_name,
                self.family_name,
                self.birth_date,
                self.weight_edit,
                self.height_edit,
                self.allergies,
            ):
                editor.clear()
            self.sex.setCurrentIndex(self.sex.findData("unknown"))
            self.notes.clear()
            self.labs_table.setRowCount(0)
            self._resize_labs_table()
            self._warning_keys = [("", "", "force a rebuild")]
        finally:
            self._loading = False
        self._set_template(template)


def _ask_discard(parent: QWidget) -> bool:
    from PySide6.QtWidgets import QMessageBox

    answer = QMessageBox.question(
        parent,
        "Discard this prescription?",
        "The prescription has not been sent. Discard what you entered?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard

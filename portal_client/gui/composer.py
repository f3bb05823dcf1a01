"""The "New prescription" composer: template, patient, ingredients, administration, notes,
and the pharmacy's clinical checks beside the form.

All the logic lives in ``core.composer.ComposerState``; this widget mirrors it.
The shared engine runs on every edit (pure, well under a millisecond) and the
checks panel shows its figures and findings. A field shows its error once the
user has touched it, and every error shows after a sign attempt, next to its
field and in a summary at the top. Nothing typed is ever cleared by an error.

Every edit is autosaved (encrypted) within a second through the durable store's
``AutosaveDebouncer``; the save itself runs off the GUI thread. Signing opens the
sign dialog (step-up), then queues the signed body in the outbox, which sends it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QResizeEvent, QShortcut
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
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
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
from portal_client.core.errors import NotSignedIn
from portal_client.core.presentation import (
    ACCESS_TEXT,
    SEX_TEXT,
    block_reason,
    sign_summary_html,
)
from portal_client.gui import resources
from portal_client.gui.findings_panel import ChecksPanel
from portal_client.gui.ops import Op
from portal_client.gui.sign_dialog import SignDialog
from portal_client.gui.widgets import Banner, card, muted, section_title, set_invalid

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template
    from portal_client.core.api_client import ApiClient, SigningGrant
    from portal_client.core.durable import (
        AutosaveDebouncer,
        DraftStore,
        DurableSession,
        OutboxItem,
    )

#: Opens the sign dialog and calls back with the grant (None: cancelled). Tests replace it.
SignFlow = Callable[
    ["ComposerPage", dict[str, Any], str, Callable[["SigningGrant | None"], None]], None
]

TEMPLATE_ROLE = Qt.ItemDataRole.UserRole + 10
CONFIRM_TAG = (
    "<span style='background:#FFF4D6;color:#8A5A00;font-size:8pt;font-weight:600;'>"
    "&nbsp;PHARMACY TO CONFIRM&nbsp;</span>"
)


#: ``QTableView::item { padding: 4px 6px; }`` in portal.qss: cell widgets sit inside it.
TABLE_ITEM_PADDING = (6, 4)
AMOUNT_EDITOR_WIDTH = 64
#: The checks panel's width: enough for figures and findings at 1366 pixels wide,
#: more room on a large screen (where the form needs no more).
CHECKS_WIDTH_NARROW = 300
CHECKS_WIDTH_WIDE = 370
WIDE_COMPOSER = 1500


class _WrappingItemDelegate(QStyledItemDelegate):
    """Rows as tall as their word-wrapped text at the view's current width."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        view = self.parent()
        if not isinstance(view, QTreeWidget):
            return super().sizeHint(option, index)
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        width = max(40, view.viewport().width() - view.indentation() * depth)
        item_option = QStyleOptionViewItem(option)
        self.initStyleOption(item_option, index)
        item_option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        # The style wraps only within a valid rectangle, so give it a generous height.
        item_option.rect = QRect(0, 0, width, 1000)
        hint = view.style().sizeFromContents(
            QStyle.ContentsType.CT_ItemViewItem, item_option, QSize(), view
        )
        return QSize(width, hint.height() + 2)


class TemplateTree(QTreeWidget):
    """The template list: long names wrap onto a second line instead of being cut."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(8)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setItemDelegate(_WrappingItemDelegate(self))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()  # row heights follow the new width


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
    """Compose, autosave, sign and queue one prescription.

    Signals:
        signed(object): the signed prescription is in the outbox (an ``OutboxItem``).
        cancelled(): the user left the composer (the draft is kept).
        discarded(str): the user discarded the draft with this id.
        draft_saved(str): the draft with this id was written to the local store.
        session_expired(str): the server no longer accepts our token.
        save_requested(): Ctrl+Enter on a composer without signing (clinic staff): the
            window saves the draft for its prescriber instead.

    ``signing=False`` (clinic staff) leaves the sign action out altogether: no button,
    no shortcut, and ``attempt_sign`` does nothing. The window adds its own actions to
    ``footer_actions``.
    """

    signed = Signal(object)
    cancelled = Signal()
    discarded = Signal(str)
    draft_saved = Signal(str)
    session_expired = Signal(str)
    save_requested = Signal()

    def __init__(
        self,
        client: ApiClient,
        *,
        confirm_discard: Callable[[QWidget], bool] | None = None,
        sign_flow: SignFlow | None = None,
        signing: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.signing = signing
        # Clinic staff prepare for someone else's signature: the title says so.
        self.new_title = "New prescription" if signing else "Prepare a prescription for signature"
        self.draft_title = "Draft" if signing else self.new_title
        self.setObjectName("Canvas")
        self.client = client
        self.state = ComposerState()
        self.templates: list[Template] = []
        self.confirm_discard = confirm_discard or _ask_discard
        self._sign_flow = sign_flow or open_sign_dialog
        self.durable: DurableSession | None = None
        self._draft_store: DraftStore | None = None
        self._autosave: AutosaveDebouncer | None = None
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.timeout.connect(self._autosave_tick)
        self._saving = False
        self._touched: set[str] = set()
        self._show_all_errors = False
        self._server_errors: dict[str, str] = {}
        self._slots: dict[str, _FieldSlot] = {}
        self._ingredient_slots: dict[str, tuple[QLineEdit, QLabel]] = {}
        self._loading = False  # True while widgets are filled from the state
        self._busy = False
        self._template_chosen = False
        self.current_errors: dict[str, str] = {}
        self.blocks: list[Any] = []

        root = QVBoxLayout(self)
        root.setContentsMargins(24, 16, 24, 16)
        root.setSpacing(12)
        root.addLayout(self._build_header())
        root.addLayout(self._build_body(), 1)
        root.addLayout(self._build_footer())
        self.back.clicked.connect(self.request_cancel)
        self.discard.clicked.connect(self.request_discard)
        self.submit.clicked.connect(self.attempt_sign)
        self.checks.field_activated.connect(self.focus_field)
        self.checks.acknowledged.connect(
            lambda code, place, reason: self._acknowledged((code, place), reason)
        )
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.sign_by_keyboard)
        self._set_template(None)

    def sign_by_keyboard(self) -> None:
        """Ctrl+Enter: the same as pressing Sign and submit, when it may be pressed."""
        if not self.signing:
            self.save_requested.emit()
        elif self.submit.isEnabled():
            self.attempt_sign()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE_COMPOSER
        self.checks.setFixedWidth(CHECKS_WIDTH_WIDE if wide else CHECKS_WIDTH_NARROW)

    # ------------------------------------------------------------------ build

    def _build_header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        self.back = QPushButton(" My prescriptions")
        self.back.setIcon(resources.icon("back"))
        self.back.setObjectName("Link")
        self.page_title = QLabel(self.new_title)
        self.page_title.setObjectName("PageTitle")
        self.save_state = muted("", hint=True)
        self.save_state.setWordWrap(False)
        header.addWidget(self.page_title)
        header.addSpacing(12)
        header.addWidget(self.save_state)
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
        self.form_layout.addWidget(self._build_notes_card())
        self.form_layout.addStretch(1)
        scroll.setWidget(form)
        self.scroll_area = scroll
        body.addWidget(scroll, 1)
        self.checks = ChecksPanel()
        self.checks.setFixedWidth(CHECKS_WIDTH_NARROW)
        body.addWidget(self.checks, 0)
        return body

    def _build_footer(self) -> QHBoxLayout:
        footer = QHBoxLayout()
        self.discard = QPushButton("Discard")
        self.footer_status = muted("", hint=True)
        self.submit = QPushButton(" Sign and submit…")
        self.submit.setObjectName("Primary")
        self.submit.setIcon(resources.icon("send"))
        self.submit.setMinimumHeight(36)
        footer.addWidget(self.discard)
        footer.addStretch(1)
        footer.addWidget(self.footer_status)
        self.footer_actions = QHBoxLayout()
        self.footer_actions.setSpacing(8)
        footer.addLayout(self.footer_actions)
        if self.signing:
            footer.addWidget(self.submit)
        else:
            # Clinic staff never sign: the button exists (for shared code paths) but is
            # never placed, shown or enabled.
            self.submit.setParent(self)
            self.submit.hide()
            self.submit.setEnabled(False)
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
        box.setFixedWidth(240)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.addWidget(section_title("Template"))
        self.template_tree = TemplateTree()
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
        # The product name takes what is left; a note on the amount appears under it.
        self.ingredient_table = QTableWidget(0, 4)
        self.ingredient_table.setHorizontalHeaderLabels(
            ["Ingredient", "Amount", "Allowed", "Typical"]
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
        for column, width in ((1, 118), (2, 84), (3, 84)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.ingredient_table.setColumnWidth(column, width)
        self.ingredient_table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header.sectionResized.connect(self._fit_ingredient_rows)
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

    def _acknowledged(self, key: tuple[str, str], reason: str) -> None:
        self.state.acknowledgements[key] = reason
        self._touched.add("acknowledgements")
        self._server_errors.pop("acknowledgements", None)
        self._revalidate()
        self._note_edit()

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
            self._template_chosen = True
            self._set_template(template)

    def _set_template(self, template: Template | None) -> None:
        self.state.select_template(template)
        self._touched.discard("template_id")
        self._show_template_widgets()
        self._revalidate()

    def _show_template_widgets(self) -> None:
        """Fill the order part of the form from ``self.state`` (template and its values)."""
        template = self.state.template
        self.template_description.setText(
            template.description if template else "Choose the template to prescribe from."
        )
        vehicle_code = self.state.vehicle_code
        self._loading = True
        try:
            self._fill_ingredients(template)
            self.access.clear()
            self.vehicle.clear()
            if template is not None:
                for route in template.access_routes:
                    self.access.addItem(ACCESS_TEXT.get(route, route), route)
                self.access.setCurrentIndex(max(0, self.access.findData(self.state.access)))
                for option in template.vehicles:
                    self.vehicle.addItem(option.name, option.code)
                self.vehicle.setCurrentIndex(max(0, self.vehicle.findData(vehicle_code)))
                self.state.vehicle_code = vehicle_code or str(self.vehicle.currentData() or "")
                self.volume.setText(self.state.volume_ml)
                self.minutes.setText(self.state.infusion_minutes)
                self._update_range_hints()
            has_vehicle = bool(template and template.vehicles)
            self.vehicle.setEnabled(has_vehicle)
            self.volume.setEnabled(has_vehicle)
        finally:
            self._loading = False

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
            name.setObjectName("IngredientName")
            name.setTextFormat(Qt.TextFormat.RichText)
            name.setWordWrap(True)
            if ingredient.to_confirm:
                name.setToolTip(
                    "The reference range for this ingredient is unverified: "
                    "the pharmacist will confirm the amount."
                )
            check = QLabel()
            check.setObjectName("IngredientCheck")
            check.setWordWrap(True)
            check.hide()
            name_cell = QWidget()
            name_layout = QVBoxLayout(name_cell)
            name_layout.setContentsMargins(4, 5, 4, 5)
            name_layout.setSpacing(2)
            name_layout.addWidget(name)
            name_layout.addWidget(check)
            table.setCellWidget(row, 0, name_cell)
            editor_box = QWidget()
            line = QHBoxLayout(editor_box)
            line.setContentsMargins(2, 2, 6, 2)
            amount = QLineEdit(self.state.amounts.get(ingredient.code, ""))
            amount.setAlignment(Qt.AlignmentFlag.AlignRight)
            amount.setAccessibleName(f"{ingredient.name} amount")
            amount.setObjectName(f"amount:{ingredient.code}")
            amount.setFixedWidth(AMOUNT_EDITOR_WIDTH)
            line.addWidget(amount)
            unit = muted(ingredient.unit)
            unit.setWordWrap(False)
            line.addWidget(unit, 1)
            table.setCellWidget(row, 1, editor_box)
            table.setCellWidget(row, 2, muted(allowed_range(ingredient)))
            table.setCellWidget(row, 3, muted(typical_range(ingredient) or "—"))
            amount.textEdited.connect(
                lambda text, code=ingredient.code: self._amount_edited(code, text)
            )
            self._ingredient_slots[ingredient.code] = (amount, check)
        self._size_ingredient_columns(template)
        self._fit_ingredient_rows()

    def _size_ingredient_columns(self, template: Template) -> None:
        """Amount, Allowed and Typical as wide as their longest text (units such as
        "mmol/day" whole); the product name takes the rest."""
        metrics = self.ingredient_table.fontMetrics()
        pad_x = 2 * TABLE_ITEM_PADDING[0]
        units = max((metrics.horizontalAdvance(r.unit) for r in template.ingredients), default=0)
        self.ingredient_table.setColumnWidth(1, AMOUNT_EDITOR_WIDTH + units + 18 + pad_x)
        for column, text in ((2, allowed_range), (3, typical_range)):
            widest = max(
                (metrics.horizontalAdvance(text(r) or "—") for r in template.ingredients),
                default=0,
            )
            self.ingredient_table.setColumnWidth(column, min(widest + pad_x + 4, 130))

    def _fit_ingredient_rows(self, *_resized: object) -> None:
        """Each row as tall as its wrapped product name (and note) at today's width.

        Runs again whenever the name column changes width (window resized), so a
        long product name is never cut at the bottom.
        """
        table = self.ingredient_table
        if table.rowCount() == 0:
            return
        # A cell widget sits inside the item's padding (``QTableView::item`` in portal.qss).
        pad_x, pad_y = TABLE_ITEM_PADDING
        width = table.columnWidth(0) - 2 * pad_x
        for row in range(table.rowCount()):
            needed = 42
            for column in (0, 2, 3):  # the name and the ranges may wrap
                cell = table.cellWidget(row, column)
                inner = table.columnWidth(column) - 2 * pad_x if column else width
                if cell is not None and inner > 0 and cell.hasHeightForWidth():
                    needed = max(needed, cell.heightForWidth(inner) + 2 * pad_y)
            if table.rowHeight(row) != needed:
                table.setRowHeight(row, needed)
        height = table.horizontalHeader().sizeHint().height() + sum(
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
        self.blocks = result.blocks

        # A clinical block shows at its field at once: signing is disabled because of it.
        blocked_places = {self.state.field_for_error(b.field) for b in self.blocks}

        def visible(place: str) -> bool:
            return (
                self._show_all_errors
                or place in self._touched
                or place in self._server_errors
                or place in blocked_places
            )

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
            check.setVisible(bool(check.text()))
        self._fit_ingredient_rows()
        template = self.state.template
        if template is None:
            self.checks.show_empty()
        else:
            clinical = {
                "acknowledgements",
                *(self.state.field_for_error(b.field) for b in self.blocks),
            }
            self.checks.update_result(
                result,
                self.state.acknowledgements,
                nutrition=template.is_nutrition,
                form_errors=len([p for p in errors if p not in clinical]),
            )
        self._update_summary()
        if not self._loading and self.is_dirty():
            self._note_edit()

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
                f"<b>{count} {noun} to fix before this can be signed</b>"
                f"<ul style='margin:2px 0 0 -20px'>{items}</ul>",
                "error",
            )
        else:
            self.summary.clear()
        self.submit.setEnabled(self.signing and not self.blocks and not self._busy)
        self.submit.setToolTip(
            block_reason(self.blocks) or "Check, sign with your password and send (Ctrl+Enter)"
        )
        if not self.signing:
            # Staff may save an unfinished draft; they see what the prescriber will see.
            if self.blocks:
                self.footer_status.setText("Has a clinical block the prescriber must resolve")
            elif errors:
                self.footer_status.setText(f"{len(errors)} left to complete before signing")
            else:
                self.footer_status.setText("Complete: ready for the prescriber to sign")
        elif self.blocks:
            count = len(self.blocks)
            noun = "a clinical block" if count == 1 else f"{count} clinical blocks"
            self.footer_status.setText(f"Cannot be signed: {noun} (see Clinical checks)")
        elif errors:
            self.footer_status.setText(f"{len(errors)} to complete before signing")
        else:
            self.footer_status.setText("Ready to sign")

    def show_server_errors(self, field_errors: Sequence[dict[str, str]]) -> None:
        """Place the server's 422 errors next to their fields, like local ones."""
        self._server_errors = {}
        for raw in field_errors:
            error = FieldError(str(raw.get("field", "")), str(raw.get("reason", "")))
            place = self.state.field_for_error(error.field)
            if place == "template_version":
                place = "template_id"
            self._server_errors.setdefault(place, message_for(error))
        self._show_all_errors = True
        self._revalidate()

    def _widget_for(self, place: str) -> QWidget | None:
        if place.startswith("ingredient:"):
            row = self._ingredient_slots.get(place.split(":", 1)[1])
            return row[0] if row else None
        if place == "patient.labs":
            return self.labs_table if self.labs_table.rowCount() else self.add_lab_button
        if place == "acknowledgements":
            edits = list(self.checks.reason_edits.values())
            return edits[0] if edits else None
        if place == "vehicle":
            place = "vehicle.code"
        slot = self._slots.get(place)
        return slot.editor if slot else None

    def focus_field(self, wire_field: str) -> bool:
        """Scroll to and focus the form field a finding or error concerns."""
        place = self.state.field_for_error(wire_field)
        widget = self._widget_for(place)
        if widget is None:
            return False
        if self.checks.isAncestorOf(widget):
            self.checks.scroll_area.ensureWidgetVisible(widget)
        else:
            self.scroll_area.ensureWidgetVisible(widget, 40, 60)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _focus_first_error(self) -> None:
        order = [
            "template_id",
            *self._slots.keys(),
            *(f"ingredient:{c}" for c in self._ingredient_slots),
        ]
        for place in order:
            if place in self.current_errors:
                widget = self._widget_for(place)
                if widget is not None:
                    widget.setFocus()
                    self.scroll_area.ensureWidgetVisible(widget)
                return

    # ---------------------------------------------------------------- drafts

    def set_durable(self, durable: DurableSession | None) -> None:
        """Use this store for autosave and signing (None: not open yet, or closed)."""
        from portal_client.core.durable import AutosaveDebouncer

        self.durable = durable
        if durable is None:
            return  # the last store stays the autosave target until its final flush
        self._draft_store = durable.drafts
        if self._autosave is None:
            self._autosave = AutosaveDebouncer(self._save_draft)
        if self._autosave.has_unsaved:
            self._schedule_autosave()

    def _save_draft(self, draft_id: str, payload: dict[str, Any]) -> None:
        """Runs on a worker thread (the debouncer calls it)."""
        drafts = self._draft_store
        if drafts is None:
            raise RuntimeError("the local store is not open yet")  # the edit stays pending
        drafts.save(draft_id, payload)

    def _note_edit(self) -> None:
        if self._autosave is None:
            from portal_client.core.durable import AutosaveDebouncer

            self._autosave = AutosaveDebouncer(self._save_draft)
        self._autosave.note_edit(self.state.draft_id, self.state.to_draft())
        self.save_state.setText("Editing…")
        self._schedule_autosave()

    def _schedule_autosave(self) -> None:
        autosave = self._autosave
        if autosave is None or self._saving:
            return
        due = autosave.seconds_until_due()
        if due is not None:
            self._autosave_timer.start(int(due * 1000) + 10)

    def _autosave_tick(self) -> None:
        autosave = self._autosave
        if autosave is None or self.durable is None or self._saving:
            return
        self._saving = True

        def saved(ids: list[str]) -> None:
            if self.state.draft_id in ids and not autosave.has_unsaved:
                self.save_state.setText(self._saved_text())
            for draft_id in ids:
                self.draft_saved.emit(draft_id)

        def failed(error: Exception) -> None:
            self.save_state.setText(f"Not saved yet: {error}")

        def finished() -> None:
            self._saving = False
            self._schedule_autosave()

        Op(self, autosave.save_if_due).success(saved).failure(failed).finally_(finished).run()

    def _saved_text(self) -> str:
        durable = self.durable
        if durable is not None and not durable.persistent:
            return "Draft kept for this session only (no system keyring)"
        return "Draft saved"

    def flush_drafts(self) -> Callable[[], None]:
        """A function that saves every pending edit now (call it off the GUI thread)."""
        autosave = self._autosave

        def flush() -> None:
            if autosave is not None:
                autosave.flush()

        return flush

    def has_unsaved_edits(self) -> bool:
        return self._autosave is not None and self._autosave.has_unsaved

    def open_draft(self, draft_id: str, payload: Mapping[str, Any]) -> None:
        """Show a saved draft (or a refused prescription) exactly where it was left."""
        state = ComposerState.from_draft(draft_id, payload, self.templates)
        self._restore(state)
        self._touched = {"patient.given_name"} if state.title() != "Untitled draft" else set()
        self._template_chosen = state.template is not None
        self.page_title.setText(self.draft_title)
        self.save_state.setText(self._saved_text())
        self._revalidate()

    def _restore(self, state: ComposerState) -> None:
        self.state = state
        self._touched = set()
        self._server_errors = {}
        self._show_all_errors = False
        self._template_chosen = False
        self.status_banner.clear()
        self._loading = True
        try:
            for editor, value in (
                (self.given_name, state.given_name),
                (self.family_name, state.family_name),
                (self.birth_date, state.birth_date),
                (self.weight_edit, state.weight_kg),
                (self.height_edit, state.height_cm),
                (self.allergies, state.allergies),
            ):
                editor.setText(value)
            self.sex.setCurrentIndex(max(0, self.sex.findData(state.sex)))
            self.notes.setPlainText(state.notes)
            labs, state.labs = list(state.labs), []
            self.labs_table.setRowCount(0)
            for lab in labs:
                self.add_lab(lab)
            self._resize_labs_table()
            self.template_tree.clearSelection()
            if state.template is not None:
                self.select_template(state.template.id)
            self._show_template_widgets()
        finally:
            self._loading = False

    # ------------------------------------------------------------------ sign

    def attempt_sign(self) -> None:
        """Validate, then open the sign dialog; a grant puts the body in the outbox."""
        if self._busy or not self.signing:
            return
        self._show_all_errors = True
        self._revalidate()
        if self.current_errors or self.blocks:
            self._focus_first_error()
            return
        if self.durable is None:
            self.status_banner.show_message(
                "Your local drafts store is still opening; try again in a moment.", "warn"
            )
            return
        body = self.state.signable_body()
        self._set_busy(True)
        self._sign_flow(self, body, self.sign_summary(body), lambda grant: self._grant(body, grant))

    def sign_summary(self, body: Mapping[str, Any]) -> str:
        template = self.state.template
        names: dict[str, str] = {}
        if template is not None:
            names.update({row.code: row.name for row in template.ingredients})
            names.update({f"vehicle:{v.code}": v.name for v in template.vehicles})
        result = self.state.check()
        return sign_summary_html(
            body,
            template_name=template.name if template else "",
            ingredient_names=names,
            computed=result.evaluation.computed if result.evaluation else {},
            nutrition=bool(template and template.is_nutrition),
            warnings=result.warnings,
        )

    def _grant(self, body: dict[str, Any], grant: SigningGrant | None) -> None:
        if grant is None:
            self._set_busy(False)
            return
        durable = self.durable
        autosave = self._autosave
        draft_id = self.state.draft_id
        title = self.state.title()
        assert durable is not None
        token = grant.signing_token

        def queue() -> OutboxItem:
            from portal_client.core.durable import AlreadySigned

            if autosave is not None:
                autosave.flush()  # so no late autosave brings the draft back after signing
            try:
                return durable.outbox.sign(
                    body, draft_id=draft_id, title=title, signing_token=token
                )
            except AlreadySigned as already:
                return already.item

        def queued(item: OutboxItem) -> None:
            self.signed.emit(item)

        def failed(error: Exception) -> None:
            self.status_banner.show_message(
                f"The signed prescription could not be stored on this computer: {error}. "
                "Nothing was sent; your draft is kept.",
                "error",
            )

        Op(self, queue).success(queued).failure(failed).finally_(
            lambda: self._set_busy(False)
        ).run()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.submit.setEnabled(self.signing and not busy and not self.blocks)
        self.submit.setText(" Signing…" if busy else " Sign and submit…")
        self.discard.setEnabled(not busy)
        self.back.setEnabled(not busy)

    # -------------------------------------------------------------- leaving

    def is_dirty(self) -> bool:
        return bool(self._touched) or self._template_chosen

    def request_cancel(self) -> None:
        """Back to the list: the draft stays (it is autosaved)."""
        self.cancelled.emit()

    def request_discard(self) -> None:
        if self.is_dirty() and not self.confirm_discard(self):
            return
        draft_id = self.state.draft_id
        durable = self.durable
        autosave = self._autosave

        def forget() -> None:
            if autosave is not None:
                autosave.flush()
            if durable is not None:
                durable.drafts.discard(draft_id)

        Op(self, forget).success(lambda _none: self.discarded.emit(draft_id)).run()
        self.start_new()
        self.cancelled.emit()

    def start_new(self) -> None:
        """Clear the form for the next prescription (a fresh draft id and key)."""
        fresh = ComposerState()
        fresh.select_template(self.state.template)
        self._restore(fresh)
        self.page_title.setText(self.new_title)
        self.save_state.setText("")
        self._revalidate()


def open_sign_dialog(
    page: ComposerPage,
    body: dict[str, Any],
    summary_html: str,
    done: Callable[[SigningGrant | None], None],
) -> None:
    """The real sign flow: a window-modal dialog; ``done`` gets the grant or None."""
    user = page.client.user
    dialog = SignDialog(
        page.client, body, summary_html, use_otp=bool(user and user.mfa_enrolled), parent=page
    )
    dialog.setWindowModality(Qt.WindowModality.WindowModal)

    def finished(_code: int) -> None:
        if dialog.session_ended:
            page.session_expired.emit("signing needs a new sign-in")
        done(dialog.grant)
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()


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

"""The ingredients card: one row per template ingredient, its amount, allowed and typical range.

Amounts are typed, never scrolled: the table takes no focus and no Tab of its own (Tab
goes from one amount editor to the next, in the page's focus chain) and has no editable
cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.form_review import allowed_range, typical_range
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.gui.composer.fields import FieldSlot, card_column, error_label
from portal_client.gui.i18n import marked
from portal_client.gui.theme import text_colour
from portal_client.gui.widgets import muted, section_title, set_invalid

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template, TemplateIngredient
    from portal_client.core.form_review import FormReview

#: Rows made ahead while the composer is built: the largest shipped template's count
#: (13, the PN bags); a larger one makes the rest when picked.
ROWS_AHEAD = 13
ROWS_PER_STEP = 5
CONFIRM_TAG = QT_TRANSLATE_NOOP(
    "Marked",
    "<span "
    "style='background:#FFF4D6;color:#8A5A00;font-size:8pt;font-weight:600;'>&nbsp;PHARMACY "
    "TO CONFIRM&nbsp;</span>",
)
#: ``QTableView::item { padding: 4px 6px; }`` in portal.qss: cell widgets sit inside it.
TABLE_ITEM_PADDING = (6, 4)
AMOUNT_EDITOR_WIDTH = 64


@dataclass
class _RowParts:
    """One ingredient row's widgets, and the ingredient it shows now."""

    name: QLabel
    check: QLabel
    amount: QLineEdit
    unit: QLabel
    allowed: QLabel
    typical: QLabel
    code: str = ""


class IngredientsCard(QFrame):
    """Signals:
    amount_edited(str, str): ingredient code, the amount as typed.
    """

    amount_edited = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: How many of the table's rows the template shows; the rest are hidden, kept to
        #: be filled by the next template rather than made again.
        self._shown = 0
        self.setObjectName("Card")
        layout = card_column(self)
        layout.addWidget(section_title(self.tr("Ingredients")))
        self.hint = muted(self.tr("Choose a template to see its ingredients."), hint=True)
        layout.addWidget(self.hint)
        # The product name takes what is left; a note on the amount appears under it.
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Ingredient"), self.tr("Amount"), self.tr("Allowed"), self.tr("Typical")]
        )
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setTabKeyNavigation(False)  # else it eats Tab pressed in an amount
        self.table.setAccessibleName(self.tr("Ingredients"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setStyleSheet("QTableWidget { border: none; }")
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 118), (2, 84), (3, 84)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, width)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header.sectionResized.connect(self.fit_rows)
        # A restored header state or a resize that moves no section edge emits no
        # sectionResized: fit again whenever the header's geometry settles.
        header.geometriesChanged.connect(self.fit_rows)
        layout.addWidget(self.table)
        self.error = error_label()
        layout.addWidget(self.error)
        #: The "at least one ingredient" error, at the table's foot.
        self.slot = FieldSlot(self.table, self.error)
        #: Each row's amount editor and the line under its name, by ingredient code.
        self.rows: dict[str, tuple[QLineEdit, QLabel]] = {}
        #: The widgets of each row in the table, in order (filled again for the next template).
        self._row_parts: list[_RowParts] = []

    def make_rows_ahead(self, count: int = ROWS_AHEAD) -> Iterator[None]:
        """Make ``count`` hidden rows now, a few per build step (``stepped_build``): a
        template's first pick then fills rows instead of making and styling them (nine
        widgets a row, most of that pick's 20 ms on the GUI thread)."""
        table = self.table
        while len(self._row_parts) < count:
            for _ in range(min(ROWS_PER_STEP, count - len(self._row_parts))):
                row = len(self._row_parts)
                table.setRowCount(row + 1)
                self._row_parts.append(self._new_row(row))
                table.setRowHidden(row, True)
                self._row_parts[row].name.ensurePolished()
            yield

    def show_template(self, template: Template | None, amounts: dict[str, str]) -> None:
        """One row per ingredient of ``template`` (none without), amounts from ``amounts``.

        The rows already in the table are filled again rather than made anew: a row is
        nine widgets, and making and styling them was most of a template pick's time (and
        of clearing the form after signing, which keeps the template)."""
        table = self.table
        self.rows.clear()
        self.hint.setVisible(template is None)
        ingredients = () if template is None else template.ingredients
        # Hidden while filled: a cell widget put into a visible view is shown, laid out
        # and styled on the spot, one at a time.
        table.setVisible(False)
        if table.rowCount() < len(ingredients):
            table.setRowCount(len(ingredients))
        for row, ingredient in enumerate(ingredients):
            if row == len(self._row_parts):
                self._row_parts.append(self._new_row(row))
            parts = self._row_parts[row]
            self._fill_row(parts, ingredient, amounts.get(ingredient.code, ""))
            self.rows[ingredient.code] = (parts.amount, parts.check)
        # Fewer than before: the rows beyond are hidden, widgets kept, never read.
        for row in range(table.rowCount()):
            table.setRowHidden(row, row >= len(ingredients))
        self._shown = len(ingredients)
        if template is None:
            return
        self._size_columns(template)
        table.setVisible(True)
        self.fit_rows()

    def _new_row(self, row: int) -> _RowParts:
        """The widgets of one row, put in ``row`` of the table (``_fill_row`` fills them)."""
        table = self.table
        name = QLabel()
        name.setObjectName("IngredientName")
        name.setTextFormat(Qt.TextFormat.RichText)
        name.setWordWrap(True)
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
        amount = QLineEdit()
        amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        amount.setFixedWidth(AMOUNT_EDITOR_WIDTH)
        line.addWidget(amount)
        unit = muted("")
        unit.setWordWrap(False)
        line.addWidget(unit, 1)
        table.setCellWidget(row, 1, editor_box)
        allowed, typical = muted(""), muted("")
        table.setCellWidget(row, 2, allowed)
        table.setCellWidget(row, 3, typical)
        parts = _RowParts(name, check, amount, unit, allowed, typical)
        amount.textEdited.connect(lambda text: self.amount_edited.emit(parts.code, text))
        return parts

    def _fill_row(self, parts: _RowParts, ingredient: TemplateIngredient, amount: str) -> None:
        """Show ``ingredient`` in a row, as a new row would (no note, no error outline)."""
        parts.code = ingredient.code
        parts.name.setText(
            f"{ingredient.name}<br>{marked(CONFIRM_TAG)}"
            if ingredient.to_confirm
            else ingredient.name
        )
        parts.name.setToolTip(
            self.tr(
                "The reference range for this ingredient is unverified: the "
                "pharmacist will confirm the amount."
            )
            if ingredient.to_confirm
            else ""
        )
        parts.check.setText("")
        parts.check.hide()
        parts.amount.setText(amount)  # also clears the editor's undo history
        parts.amount.setAccessibleName(self.tr("{name} dose").format(name=ingredient.name))
        parts.amount.setObjectName(f"amount:{ingredient.code}")
        set_invalid(parts.amount, False)
        parts.unit.setText(ingredient.unit)
        parts.allowed.setText(allowed_range(ingredient))
        parts.typical.setText(typical_range(ingredient) or "—")

    def inputs(self) -> list[QWidget]:
        """The amount editors, in the template's order (the focus chain's part)."""
        return [editor for editor, _check in self.rows.values()]

    def show_review(self, review: FormReview) -> None:
        """Each row's error (once visible) or its out-of-range note."""
        changed = False
        for code, (editor, check) in self.rows.items():
            kind, message = review.ingredient_check(code)
            set_invalid(editor, kind == "error")
            colour = text_colour(kind) if kind in ("error", "note") else None
            text = f"<span style='color:{colour}'>{message}</span>" if colour else ""
            if text != check.text():  # only a changed note can change a row's height
                check.setText(text)
                check.setVisible(bool(text))
                changed = True
        if changed:
            self.fit_rows()

    def _size_columns(self, template: Template) -> None:
        """Amount, Allowed and Typical as wide as their longest text (units such as
        "mmol/day" whole); the product name takes the rest."""
        metrics = self.table.fontMetrics()
        pad_x = 2 * TABLE_ITEM_PADDING[0]
        units = max((metrics.horizontalAdvance(r.unit) for r in template.ingredients), default=0)
        self.table.setColumnWidth(1, AMOUNT_EDITOR_WIDTH + units + 18 + pad_x)
        for column, text in ((2, allowed_range), (3, typical_range)):
            widest = max(
                (metrics.horizontalAdvance(text(r) or "—") for r in template.ingredients),
                default=0,
            )
            self.table.setColumnWidth(column, min(widest + pad_x + 4, 130))

    def fit_rows(self, *_resized: object) -> None:
        """Each row as tall as its wrapped product name (and note) at today's width.

        Runs again whenever the name column changes width (window resized), so a
        long product name is never cut at the bottom.
        """
        table = self.table
        if self._shown == 0:
            return
        # A cell widget sits inside the item's padding (``QTableView::item`` in portal.qss).
        pad_x, pad_y = TABLE_ITEM_PADDING
        width = table.columnWidth(0) - 2 * pad_x
        for row in range(self._shown):
            needed = 42
            for column in (0, 2, 3):  # the name and the ranges may wrap
                cell = table.cellWidget(row, column)
                inner = table.columnWidth(column) - 2 * pad_x if column else width
                if cell is not None and inner > 0 and cell.hasHeightForWidth():
                    needed = max(needed, cell.heightForWidth(inner) + 2 * pad_y)
            if table.rowHeight(row) != needed:
                table.setRowHeight(row, needed)
        height = table.horizontalHeader().sizeHint().height() + sum(
            table.rowHeight(r) for r in range(self._shown)
        )
        if table.height() != height + 4 or table.minimumHeight() != height + 4:
            table.setFixedHeight(height + 4)

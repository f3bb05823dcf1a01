"""Finding, scrolling to and focusing the editor a form place names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QWidget

if TYPE_CHECKING:
    from portal_client.core.form_review import FormReview
    from portal_client.gui.composer import ComposerPage
    from portal_client.gui.composer.fields import FieldSlot
    from portal_client.gui.composer.ingredients_card import IngredientsCard
    from portal_client.gui.composer.labs_card import LabsCard
    from portal_client.gui.findings_panel import ChecksPanel


class FormNavigator:
    def __init__(
        self,
        slots: dict[str, FieldSlot],
        ingredients: IngredientsCard,
        labs: LabsCard,
        checks: ChecksPanel,
        scroll_area: QScrollArea,
    ) -> None:
        self._slots = slots
        self._ingredients = ingredients
        self._labs = labs
        self._checks = checks
        self._scroll_area = scroll_area

    def widget_for(self, place: str) -> QWidget | None:
        """The editor of a form place (``patient.weight_kg``, ``ingredient:<code>``…)."""
        if place.startswith("ingredient:"):
            row = self._ingredients.rows.get(place.split(":", 1)[1])
            return row[0] if row else None
        if place == "patient.labs":
            table = self._labs.table
            return table if table.rowCount() else self._labs.add_button
        if place == "acknowledgements":
            edits = list(self._checks.reason_edits.values())
            return edits[0] if edits else None
        if place == "vehicle":
            place = "vehicle.code"
        slot = self._slots.get(place)
        return slot.editor if slot else None

    def focus(self, place: str) -> bool:
        """Scroll to and focus the editor of ``place``; False when the form has none."""
        widget = self.widget_for(place)
        if widget is None:
            return False
        if self._checks.isAncestorOf(widget):
            self._checks.scroll_area.ensureWidgetVisible(widget)
        else:
            self._scroll_area.ensureWidgetVisible(widget, 40, 60)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def focus_first_error(self, review: FormReview) -> None:
        """After a sign attempt: the first field, in the form's order, with an error."""
        order = [
            "template_id",
            *self._slots.keys(),
            *(f"ingredient:{code}" for code in self._ingredients.rows),
        ]
        place = review.first_error(order)
        widget = self.widget_for(place) if place is not None else None
        if widget is not None:
            widget.setFocus()
            self._scroll_area.ensureWidgetVisible(widget)


def focus_order(page: ComposerPage) -> list[QWidget]:
    """Every input of the composer in the order Tab visits them: the template, the form
    top to bottom (each ingredient's dose in the template's order), the reasons the
    checks ask for, the footer, and back to the list."""
    return [
        page.template_tree,
        *page.patient.inputs(),
        *page.ingredients.inputs(),
        *page.administration.inputs(),
        *page.labs.inputs(),
        *page.dispensing.inputs(),
        page.notes,
        *page.checks.reason_edits.values(),
        *page.sign_bar.inputs(),
        page.back,
    ]

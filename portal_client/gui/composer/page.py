"""The composer page: assembles the cards over one ``ComposerState`` and signs.

The state decides (which errors show, the footer's words, what is sent); the cards
render it and report edits. Every edit goes: card signal → ``ComposerState`` →
``review()`` → every card shows the review → autosave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLayout, QScrollArea, QVBoxLayout, QWidget

from portal_client.core.composer import ComposerState, LabEntry, composer_titles
from portal_client.core.errors import NotSignedIn
from portal_client.core.form_review import FormReview
from portal_client.gui.actions import COMPOSER_SHORTCUTS
from portal_client.gui.composer.administration_card import AdministrationCard, NotesCard
from portal_client.gui.composer.autosave import DraftAutosave
from portal_client.gui.composer.bars import ComposerHeader, SignBar
from portal_client.gui.composer.dispensing_card import DispensingCard
from portal_client.gui.composer.fields import FieldSlot
from portal_client.gui.composer.ingredients_card import IngredientsCard
from portal_client.gui.composer.labs_card import LabsCard
from portal_client.gui.composer.navigation import FormNavigator, focus_order
from portal_client.gui.composer.patient_card import PatientCard
from portal_client.gui.composer.server_check import ServerChecker
from portal_client.gui.composer.signing import (
    ConfirmDiscard,
    SignFlow,
    ask_discard,
    open_sign_dialog,
    store_signed,
)
from portal_client.gui.composer.template_card import TemplateCard
from portal_client.gui.findings_panel import ChecksPanel
from portal_client.gui.focus_chain import set_focus_chain
from portal_client.gui.ops import Op
from portal_client.gui.stepped_build import BuildSteps, ensure_polished, paint_ahead
from portal_client.gui.widgets import Banner

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template
    from portal_client.core.api_client import ApiClient, SigningGrant
    from portal_client.core.durable import DurableSession, OutboxItem
    from portal_client.core.server_checks import ServerCheck

#: The checks panel's width: enough for figures and findings at 1366 pixels wide,
#: more room on a large screen (where the form needs no more).
CHECKS_WIDTH_NARROW = 300
CHECKS_WIDTH_WIDE = 370
WIDE_COMPOSER = 1500


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
        reviewed(): the form was checked again and every card shows it.

    ``signing=False`` (clinic staff) leaves the sign action out altogether: no button,
    no shortcut, and ``attempt_sign`` does nothing. The window adds its own actions to
    ``footer_actions``.

    The parts are attributes (``patient``, ``template_card``, ``ingredients``,
    ``administration``, ``labs``, ``notes_card``, ``header``, ``sign_bar``, ``checks``),
    and their editors are named here too (``given_name``, ``submit``…).
    """

    signed = Signal(object)
    cancelled = Signal()
    discarded = Signal(str)
    draft_saved = Signal(str)
    session_expired = Signal(str)
    save_requested = Signal()
    reviewed = Signal()

    def __init__(
        self,
        client: ApiClient,
        *,
        confirm_discard: ConfirmDiscard | None = None,
        sign_flow: SignFlow | None = None,
        signing: bool = True,
        parent: QWidget | None = None,
        defer_build: bool = False,
    ) -> None:
        super().__init__(parent)
        self.signing = signing
        self.new_title, self.draft_title = composer_titles(signing=signing)
        self.setObjectName("Canvas")
        self.client = client
        self.state = ComposerState()
        self.confirm_discard: ConfirmDiscard = confirm_discard or ask_discard
        self._sign_flow: SignFlow = sign_flow or open_sign_dialog
        self.durable: DurableSession | None = None
        self.autosave = DraftAutosave(lambda: self.state.draft_id, self)
        self._loading = False  # True while widgets are filled from the state
        self._busy = False
        self._focus_chain: list[QWidget] = []
        self.review: FormReview = self.state.review()
        self.server_checker = ServerChecker(client, self)
        self.built = False  # every part made (``build_steps`` ran to its end)

        if not defer_build:
            for _step in self.build_steps():
                pass

    def build_steps(self, *, paint: bool = False) -> BuildSteps:
        """The page's parts, one per step (``portal_client.gui.stepped_build``): each is
        made inside its final parent and styled there (with ``paint``, painted once too),
        so the first ``show()`` has little left to do. The constructor runs them all
        unless told ``defer_build``."""
        finish = paint_ahead if paint else ensure_polished
        root = QVBoxLayout(self)
        root.setContentsMargins(24, 16, 24, 16)
        root.setSpacing(12)
        self.header = ComposerHeader(self.new_title, parent=self)
        root.addWidget(self.header)
        body = self._build_body()
        root.addLayout(body, 1)
        self.template_card = TemplateCard(self)
        body.insertWidget(0, self.template_card, 0)
        finish(self.header)
        yield
        finish(self.template_card)
        yield
        form = self.scroll_area.widget()
        self.patient = PatientCard(form)
        yield from self._add_card(self.patient, finish)
        self.ingredients = IngredientsCard(form)
        yield from self._add_card(self.ingredients, finish)
        yield from self.ingredients.make_rows_ahead()
        self.administration = AdministrationCard(form)
        yield from self._add_card(self.administration, finish)
        self.labs = LabsCard(form)
        yield from self._add_card(self.labs, finish)
        self.dispensing = DispensingCard(form)
        yield from self._add_card(self.dispensing, finish)
        self.notes_card = NotesCard(form)
        yield from self._add_card(self.notes_card, finish)
        self.form_layout.addStretch(1)
        self.checks = ChecksPanel(self)
        self.checks.setFixedWidth(CHECKS_WIDTH_NARROW)
        body.addWidget(self.checks, 0)
        finish(self.checks)
        yield
        self.sign_bar = SignBar(signing=self.signing, parent=self)
        root.addWidget(self.sign_bar)
        finish(self.sign_bar)
        yield
        self._name_parts()
        self.navigator = FormNavigator(
            self._slots, self.ingredients, self.labs, self.checks, self.scroll_area
        )
        self._connect_parts()
        for keys in COMPOSER_SHORTCUTS:
            shortcut = QShortcut(QKeySequence(keys.keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.sign_by_keyboard)
        self._set_template(None, by_user=False)
        self.built = True
        self._fit_checks()

    def _add_card(self, card: QWidget, finish: Callable[[QWidget], None]) -> BuildSteps:
        self.form_layout.addWidget(card)
        finish(card)
        yield

    def _name_parts(self) -> None:
        """The editors under the names the windows and tests have always used."""
        patient, administration = self.patient, self.administration
        self.back, self.page_title = self.header.back, self.header.page_title
        self.save_state = self.header.save_state
        self.given_name, self.family_name = patient.given_name, patient.family_name
        self.birth_date, self.sex = patient.birth_date, patient.sex
        self.weight_edit, self.height_edit = patient.weight_edit, patient.height_edit
        self.allergies = patient.allergies
        self.template_tree = self.template_card.tree
        self.template_description = self.template_card.description
        self.template_error = self.template_card.error
        self.template_status = self.template_card.status
        self.ingredient_table = self.ingredients.table
        self.ingredients_hint = self.ingredients.hint
        self.ingredients_error = self.ingredients.error
        self._ingredient_slots = self.ingredients.rows
        self.access, self.vehicle = administration.access, administration.vehicle
        self.volume, self.minutes = administration.volume, administration.minutes
        self.labs_table, self.add_lab_button = self.labs.table, self.labs.add_button
        self.labs_error = self.labs.error
        self.notes = self.notes_card.notes
        self.discard, self.submit = self.sign_bar.discard, self.sign_bar.submit
        self.footer_status, self.footer_actions = self.sign_bar.status, self.sign_bar.extra_actions
        #: Every field's editor and error line, in the form's order (for "first error").
        self._slots: dict[str, FieldSlot] = {
            "template_id": self.template_card.slot,
            **patient.slots,
            "ingredients": self.ingredients.slot,
            **administration.slots,
            "patient.labs": self.labs.slot,
            **self.dispensing.slots,
            "notes": self.notes_card.slot,
        }

    def _build_body(self) -> QHBoxLayout:
        """The row under the header: (the template card), the scrolling form, (the checks)."""
        body = QHBoxLayout()
        body.setSpacing(16)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # Tab stops on the fields, which scroll into view; the form itself is no stop.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        form = QWidget()
        form.setObjectName("Canvas")
        self.form_layout = QVBoxLayout(form)
        # The form grows with its content and the scroll area scrolls it; without this
        # the word-wrapped labels' height-for-width lets Qt squash the cards instead.
        self.form_layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.form_layout.setContentsMargins(0, 0, 8, 0)
        self.form_layout.setSpacing(12)
        scroll.setWidget(form)  # before the cards: each is made in its final parent
        self.summary = Banner(form)
        self.status_banner = Banner(form)
        self.form_layout.addWidget(self.status_banner)
        self.form_layout.addWidget(self.summary)
        self.scroll_area = scroll
        body.addWidget(scroll, 1)
        return body

    def _connect_parts(self) -> None:
        self.back.clicked.connect(self.request_cancel)
        self.discard.clicked.connect(self.request_discard)
        self.submit.clicked.connect(self.attempt_sign)
        self.checks.field_activated.connect(self.focus_field)
        self.checks.acknowledged.connect(
            lambda code, place, reason: self._acknowledged((code, place), reason)
        )
        self.template_card.picked.connect(self._template_picked)
        self.patient.edited.connect(self._edited)
        self.administration.edited.connect(self._edited)
        self.administration.vehicle_chosen.connect(self._vehicle_chosen)
        self.ingredients.amount_edited.connect(self._amount_edited)
        self.labs.add_requested.connect(self.add_lab)
        self.labs.changed.connect(self._labs_changed)
        self.labs.remove_requested.connect(self._remove_lab)
        self.notes_card.edited.connect(lambda text: self._edited("notes", "notes", text))
        self.dispensing.patient_edited.connect(self._edited)
        self.dispensing.dispensing_edited.connect(self._dispensing_edited)
        self.autosave.state_text.connect(self.save_state.setText)
        self.autosave.draft_saved.connect(self.draft_saved)
        self.server_checker.answered.connect(self._server_checked)

    def sign_by_keyboard(self) -> None:
        """Ctrl+Enter: the same as pressing Sign and submit, when it may be pressed."""
        if not self.signing:
            self.save_requested.emit()
        elif self.submit.isEnabled():
            self.attempt_sign()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.built:  # else the last build step fits it
            self._fit_checks()

    def _fit_checks(self) -> None:
        wide = self.width() >= WIDE_COMPOSER
        self.checks.setFixedWidth(CHECKS_WIDTH_WIDE if wide else CHECKS_WIDTH_NARROW)

    @property
    def templates(self) -> list[Template]:
        return self.template_card.templates

    @property
    def current_errors(self) -> dict[str, str]:
        """Every error of the form now, by form place (shown or not yet)."""
        return self.review.errors

    @property
    def blocks(self) -> list[Any]:
        return self.review.blocks

    # ----------------------------------------------------------------- edits

    def _edited(self, form_field: str, attribute: str, value: str) -> None:
        if self._loading:
            return
        self.state.edit(form_field, attribute, value)
        self._revalidate()

    def _dispensing_edited(self, form_field: str, attribute: str, value: str) -> None:
        if self._loading:
            return
        self.state.edit_dispensing(form_field, attribute, value)
        self.dispensing.show_schedule(self.state)
        self._revalidate()

    def _amount_edited(self, code: str, text: str) -> None:
        self.state.edit_amount(code, text)
        self._revalidate()

    def _vehicle_chosen(self, code: str) -> None:
        if self._loading:
            self.state.vehicle_code = code
            return
        if self.state.choose_vehicle(code):
            self.volume.setText(self.state.volume_ml)  # the new vehicle's volume, in view
        self.administration.show_ranges(self.state)
        self._revalidate()

    def add_lab(self, entry: LabEntry | None = None) -> int:
        """Append a lab row (empty, or filled from ``entry``); returns its row number."""
        lab = entry or LabEntry(date="")
        self.state.labs.append(lab)
        index = self.labs.add_row(lab)
        self._revalidate()
        return index

    def _labs_changed(self) -> None:
        self.state.labs_edited()
        self._revalidate()

    def _remove_lab(self, lab: LabEntry) -> None:
        index = next(i for i, entry in enumerate(self.state.labs) if entry is lab)
        del self.state.labs[index]
        self.labs.remove_row(index)
        self._revalidate()

    def _acknowledged(self, key: tuple[str, str], reason: str) -> None:
        self.state.acknowledge(key, reason)
        self._revalidate()
        self._note_edit()

    # ------------------------------------------------------------- templates

    def load_templates(self, templates: Sequence[Template] | None = None) -> None:
        """Show ``templates``, or fetch them in the background when none are given."""
        if templates is not None:
            self.template_card.show_templates(list(templates))
            return
        self.template_card.show_loading()
        Op(self, self.client.templates).success(self.template_card.show_templates).failure(
            self._templates_failed
        ).run()

    def _templates_failed(self, error: Exception) -> None:
        if isinstance(error, NotSignedIn):
            self.session_expired.emit(str(error))
            return
        self.template_card.show_failed(error)

    def select_template(self, template_id: str) -> None:
        """Pick a template by id (tests and keyboard users)."""
        self.template_card.select_template(template_id)

    def _template_picked(self, template: Template) -> None:
        if template is not self.state.template:
            self._set_template(template, by_user=True)

    def _set_template(self, template: Template | None, *, by_user: bool) -> None:
        self.state.choose_template(template, by_user=by_user)
        self._show_template_widgets()
        self._revalidate()

    def _show_template_widgets(self) -> None:
        """Fill the order part of the form from ``self.state`` (template and its values)."""
        template = self.state.template
        self.template_card.show_template(template)
        self._loading = True
        try:
            self.ingredients.show_template(template, self.state.amounts)
            self.administration.show_state(self.state)
        finally:
            self._loading = False

    # ------------------------------------------------------------ validation

    def _revalidate(self) -> None:
        review = self.review = self.state.review()
        for place, slot in self._slots.items():
            slot.show(review.shown(place))
        self.ingredients.show_review(review)
        template = self.state.template
        if template is None:
            self.checks.show_empty()
        else:
            self.checks.update_result(
                review.result,
                self.state.acknowledgements,
                nutrition=template.is_nutrition,
                form_errors=review.form_error_count,
            )
        summary = review.summary_html()
        if summary:
            self.summary.show_message(summary, "error")
        else:
            self.summary.clear()
        self.sign_bar.show_review(review, busy=self._busy)
        if not self._loading and self.state.needs_autosave:
            self._note_edit()
        self.server_checker.follow(self.state, review)
        self.reviewed.emit()
        self.refresh_focus_chain()

    def refresh_focus_chain(self) -> None:
        """Set the Tab order again when the inputs changed (a template's rows, a lab row,
        a warning's reason, a window's footer button); cheap when they did not."""
        order = focus_order(self)
        if order != self._focus_chain:
            self._focus_chain = set_focus_chain(order)

    def recheck(self) -> None:
        """Run the checks again: the formulary or rules they use changed."""
        self._revalidate()

    def _server_checked(self, check: ServerCheck) -> None:
        self.state.server_check = check
        self._revalidate()

    def show_server_errors(self, field_errors: Sequence[dict[str, str]]) -> None:
        """Place the server's 422 errors next to their fields, like local ones."""
        self.state.show_server_errors(field_errors)
        self._revalidate()

    def focus_field(self, wire_field: str) -> bool:
        """Scroll to and focus the form field a finding or error concerns."""
        return self.navigator.focus(self.state.field_for_error(wire_field))

    # ---------------------------------------------------------------- drafts

    def set_durable(self, durable: DurableSession | None) -> None:
        """Use this store for autosave and signing (None: not open yet, or closed)."""
        self.durable = durable
        self.autosave.set_durable(durable)

    def _note_edit(self) -> None:
        self.autosave.note_edit(self.state.draft_id, self.state.to_draft())

    def flush_drafts(self) -> Callable[[], None]:
        """A function that saves every pending edit now (call it off the GUI thread)."""
        return self.autosave.flush_function()

    def has_unsaved_edits(self) -> bool:
        return self.autosave.has_unsaved

    def open_draft(self, draft_id: str, payload: Mapping[str, Any]) -> None:
        """Show a saved draft (or a refused prescription) exactly where it was left."""
        state = ComposerState.from_draft(draft_id, payload, self.templates)
        self._restore(state)
        state.resume()
        self.page_title.setText(self.draft_title)
        self.save_state.setText(self.autosave.saved_text())
        self._revalidate()

    def open_state(self, state: ComposerState) -> None:
        """Show a new prescription built elsewhere (a patient record's)."""
        self._restore(state)
        self.page_title.setText(self.new_title)
        self.save_state.setText("")
        self._revalidate()

    def _restore(self, state: ComposerState) -> None:
        self.state = state
        self.status_banner.clear()
        self._loading = True
        try:
            self.patient.show_state(state)
            self.dispensing.show_state(state)
            self.notes.setPlainText(state.notes)
            labs, state.labs = list(state.labs), []
            self.labs.clear()
            for lab in labs:
                self.add_lab(lab)
            self.labs.fit_height()
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
        self.state.begin_sign()
        self._revalidate()
        if not self.review.can_sign:
            self.navigator.focus_first_error(self.review)
            return
        if self.durable is None:
            self.status_banner.show_message(
                self.tr("Your local drafts store is still opening; try again in a moment."), "warn"
            )
            return
        body = self.state.signable_body()
        self._set_busy(True)
        self._sign_flow(self, body, self.sign_summary(body), lambda grant: self._grant(body, grant))

    def sign_summary(self, body: Mapping[str, Any]) -> str:
        return self.state.sign_summary_html(body)

    def _grant(self, body: dict[str, Any], grant: SigningGrant | None) -> None:
        if grant is None:
            self._set_busy(False)
            return
        durable = self.durable
        flush = self.autosave.flush_function()
        draft_id = self.state.draft_id
        title = self.state.title()
        assert durable is not None
        token = grant.signing_token

        def queue() -> OutboxItem:
            flush()  # so no late autosave brings the draft back after signing
            return store_signed(durable, body, draft_id=draft_id, title=title, token=token)

        def queued(item: OutboxItem) -> None:
            self.signed.emit(item)

        def failed(error: Exception) -> None:
            self.status_banner.show_message(
                self.tr(
                    "The signed prescription could not be stored on this computer: "
                    "{error}. Nothing was sent; your draft is kept."
                ).format(error=error),
                "error",
            )

        Op(self, queue).success(queued).failure(failed).finally_(
            lambda: self._set_busy(False)
        ).run()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sign_bar.show_busy(busy, self.review)
        self.back.setEnabled(not busy)

    # -------------------------------------------------------------- leaving

    def is_dirty(self) -> bool:
        return self.state.is_dirty()

    def request_cancel(self) -> None:
        """Back to the list: the draft stays (it is autosaved)."""
        self.cancelled.emit()

    def request_discard(self) -> None:
        if self.is_dirty() and not self.confirm_discard(self):
            return
        draft_id = self.state.draft_id
        durable = self.durable
        flush = self.autosave.flush_function()

        def forget() -> None:
            flush()
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

"""Moving a prescription on after submission: the words an action needs, and sending it.

``ActionDialog`` asks for one action's note (a question, an answer, a reason, a tracking
number) and sends it itself, in the background: a refusal it can fix (the note, the
network) keeps the dialog and the text. ``LifecycleActions`` is what a role window uses:
it opens the dialog or sends at once, updates the row in place, and explains a conflict
(someone else moved the prescription first, or it gained a step the user had not seen)
after fetching the row as it now is.

Every action says how many history steps the user was shown (``seen_steps``), so the
server refuses one decided on an out-of-date view. When no answer comes (a timeout), the
prescription is fetched again to find out whether the step was recorded, instead of
calling it "not sent".

The dialog is not modal: the idle lock hides it with the window and brings it back,
text included. Its title names the prescription by reference only, never the patient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pharmacy_domain.status import ACTIONS, MAX_NOTE_LENGTH, Action, BeyondUse, NoteRule
from portal_client.core.api_client import StepNotConfirmed, act_and_confirm, history_length
from portal_client.core.domain_text import action_label, action_note_label
from portal_client.core.errors import ApiError, NotSignedIn, OutcomeUnknown, PortalError
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.core.lifecycle_text import (
    action_done_message,
    conflict_message,
    note_problem,
    open_question,
    outcome_unknown_message,
)
from portal_client.core.prescription_list import patient_name
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.beyond_use_fields import BeyondUseFields
from portal_client.gui.focus_chain import set_focus_chain
from portal_client.gui.i18n import marked
from portal_client.gui.ops import Op
from portal_client.gui.widgets import Banner, muted, set_invalid

if TYPE_CHECKING:
    from portal_client.gui.list_view import PrescriptionBrowser
    from portal_client.gui.main_window import PortalMainWindow

#: Sends the note and, to mark ready, the beyond-use details (worker thread); returns the
#: updated prescription.
Send = Callable[[str, BeyondUse | None], PrescriptionWire]

#: Who reads the note, and what follows: the line under the dialog's heading.
_EXPLANATION = {
    "request_clarification": (
        QT_TRANSLATE_NOOP(
            "Marked",
            "The prescriber sees your question with the prescription and answers it in the "
            "portal. Until then it waits under “Waiting for the prescriber”.",
        )
    ),
    "answer_clarification": (
        QT_TRANSLATE_NOOP(
            "Marked", "The pharmacist reads your answer with the prescription and reviews it again."
        )
    ),
    "cancel": (
        QT_TRANSLATE_NOOP(
            "Marked",
            "The pharmacy will not prepare this prescription. Cancelling cannot be undone: "
            "to change an order, cancel it and sign a new one.",
        )
    ),
    "reject": (
        QT_TRANSLATE_NOOP(
            "Marked",
            "The prescriber sees this reason. Say what must change for the pharmacy to accept it.",
        )
    ),
    "ship": QT_TRANSLATE_NOOP(
        "Marked", "Optional. The prescriber sees it in the prescription's history."
    ),
    "mark_ready": QT_TRANSLATE_NOOP(
        "Marked",
        "The prescriber sees the beyond-use date and storage with the prescription; the "
        "note is optional.",
    ),
}
_DANGEROUS = frozenset({"cancel", "reject"})
#: The send button, where the action's own label is too short to stand alone.
_SEND_LABEL = {"reject": QT_TRANSLATE_NOOP("Marked", "Reject prescription")}
_PLACEHOLDER = {
    "reject": (
        QT_TRANSLATE_NOOP(
            "Marked",
            "e.g. Magnesium exceeds the peripheral limit; please reduce to 2 g or order "
            "central access.",
        )
    ),
}


def _is_fixable_here(error: Exception) -> bool:
    """Errors the dialog shows and lets the user retry with the same text: the note was
    refused (422), or the request did not arrive or its outcome is unknown (network)."""
    if isinstance(error, ApiError):
        return error.status == 422
    return isinstance(error, PortalError) and not isinstance(error, NotSignedIn)


class ActionDialog(QDialog):
    """One action's note for one prescription, checked and sent.

    Signals:
        acted(PrescriptionWire): sent; the updated prescription. The dialog then closes.
        failed(object): an error the dialog cannot fix (someone else moved it first,
            not allowed, gone, session ended). The dialog closes, except when the
            session ended: the text waits for the sign-in again.
        unconfirmed(object): no answer came and the step is not shown as recorded; the
            prescription as it is now (``None`` if it could not be fetched). The dialog
            stays, with the text.
    """

    acted = Signal(object)
    failed = Signal(object)
    unconfirmed = Signal(object)

    def __init__(
        self,
        action: Action,
        item: PrescriptionWire,
        send: Send,
        parent: QWidget | None = None,
        *,
        template_name: str = "",
        text: str = "",
    ) -> None:
        super().__init__(parent)
        self.action = action
        self.item = item
        self._send = send
        self.busy = False
        self.reference = item.reference or item.id
        verb = action_label(action).rstrip("…")
        self.send_label = marked(_SEND_LABEL.get(action.name, "")) or verb
        self.setWindowTitle(f"{verb} — {self.reference}")  # never the patient
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)

        self._add_heading(layout, verb, template_name)
        self.beyond_use: BeyondUseFields | None = None
        if action.needs_beyond_use:
            self.beyond_use = BeyondUseFields(dt.date.today(), self)
            layout.addWidget(self.beyond_use)
            # The message goes as soon as a storage is chosen.
            self.beyond_use.storage.currentIndexChanged.connect(lambda _i: self.show_problem(""))

        label_row = QHBoxLayout()
        note_name = action_note_label(action)
        self.note_label = QLabel(
            self.tr("{note} (optional)").format(note=note_name)
            if action.note is NoteRule.OPTIONAL
            else note_name
        )
        self.counter = muted("")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        label_row.addWidget(self.note_label, 1)
        label_row.addWidget(self.counter)
        layout.addLayout(label_row)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName(note_name)
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText(marked(_PLACEHOLDER.get(action.name, "")))
        self.note.setPlainText(text)
        self.note_label.setBuddy(self.note)
        layout.addWidget(self.note, 1)
        self.problem = QLabel()
        self.problem.setObjectName("FieldError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)

        self._add_buttons(layout)
        self.ok_button.clicked.connect(self.submit)
        # Enter writes a new line in the note; Ctrl+Enter sends, as in a mail client.
        self.note.installEventFilter(self)
        self.ok_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.back_button.clicked.connect(self.reject)
        self.note.textChanged.connect(self._text_changed)
        self._text_changed()
        extra = [] if self.beyond_use is None else self.beyond_use.inputs()
        set_focus_chain([*extra, self.note, self.ok_button, self.back_button])
        (extra[0] if extra else self.note).setFocus()

    def _add_buttons(self, layout: QVBoxLayout) -> None:
        self.buttons = QDialogButtonBox()
        self.ok_button = QPushButton(self.send_label)
        self.ok_button.setObjectName("Danger" if self.action.name in _DANGEROUS else "Primary")
        self.ok_button.setDefault(True)
        self.back_button = QPushButton(
            self.tr("Keep the prescription") if self.action.name == "cancel" else self.tr("Cancel")
        )
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.back_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(self.buttons)

    def _add_heading(self, layout: QVBoxLayout, verb: str, template_name: str) -> None:
        """What is acted on (reference, template, patient: inside the dialog, never in its
        title), the question being answered, and who will read the note."""
        item, action = self.item, self.action
        layout.addWidget(QLabel(f"<b>{escape(verb)} — {escape(self.reference)}</b>"))
        about = " · ".join(
            part
            for part in (template_name, patient_name(item.patient_view()) if item.patient else "")
            if part
        )
        if about:
            layout.addWidget(muted(about))
        question = open_question(item) if action.name == "answer_clarification" else None
        self.question_label: QLabel | None = None
        if question is not None:
            self.question_label = QLabel(
                self.tr("<b>Question from {who}</b> · {when}<br>").format(
                    who=escape(question.who), when=escape(question.when)
                )
                + escape(question.note).replace("\n", "<br>")
            )
            self.question_label.setWordWrap(True)
            self.question_label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
            )
            self.question_label.setObjectName("WarnBanner")
            self.question_label.setContentsMargins(10, 7, 10, 7)
            layout.addWidget(self.question_label)
        explanation = marked(_EXPLANATION.get(action.name, ""))
        if not explanation and action.note is NoteRule.OPTIONAL:
            explanation = self.tr("Optional. The prescriber sees it in the prescription's history.")
        if explanation:
            layout.addWidget(muted(explanation))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.note
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.submit()
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ state

    def text(self) -> str:
        return self.note.toPlainText()

    def _text_changed(self) -> None:
        length = len(self.text().strip())
        self.counter.setText(f"{length:,} / {MAX_NOTE_LENGTH:,}")
        self.counter.setObjectName("FieldError" if length > MAX_NOTE_LENGTH else "Muted")
        self.counter.style().unpolish(self.counter)
        self.counter.style().polish(self.counter)
        if self.problem.isVisible() and note_problem(self.action, self.text()) is None:
            self.show_problem("")  # fixed: the message goes as soon as it no longer applies

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setVisible(bool(message))
        set_invalid(self.note, bool(message))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.note.setReadOnly(busy)
        self.ok_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)
        self.ok_button.setText(self.tr("Sending…") if busy else self.send_label)

    # ------------------------------------------------------------------ send

    def submit(self) -> None:
        if self.busy:
            return
        problem = note_problem(self.action, self.text())
        if problem is not None:
            self.show_problem(problem)
            self.note.setFocus()
            return
        beyond_use = None
        if self.beyond_use is not None:
            problem = self.beyond_use.problem()
            if problem is not None:
                self.problem.setText(problem)
                self.problem.show()
                self.beyond_use.storage.setFocus()
                return
            beyond_use = self.beyond_use.value()
        self.show_problem("")
        note = self.text().strip()
        send = self._send
        self._set_busy(True)
        Op(self, lambda: send(note, beyond_use)).success(self._sent).failure(self._refused).run()

    def _sent(self, updated: PrescriptionWire) -> None:
        self._set_busy(False)
        self.acted.emit(updated)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self._set_busy(False)  # before closing: reject() waits while busy
        if _is_fixable_here(error):
            self.show_problem(self._words_for(error))
            if isinstance(error, OutcomeUnknown):
                self.unconfirmed.emit(
                    error.current if isinstance(error, StepNotConfirmed) else None
                )
            return
        if isinstance(error, NotSignedIn):
            self.show_problem(
                self.tr("Your session ended. Sign in again, then send: your text is kept.")
            )
            self.failed.emit(error)
            return
        self.failed.emit(error)
        self.reject()

    def _words_for(self, error: Exception) -> str:
        if isinstance(error, ApiError):
            reasons = [e.reason for e in error.field_errors if e.reason]
            refused = self.tr("The pharmacy refused it: {message}").format(message=error.message)
            return refused + (f" ({'; '.join(reasons)})" if reasons else "")
        if isinstance(error, OutcomeUnknown):  # it may have arrived: never "not sent"
            fetched = isinstance(error, StepNotConfirmed) and error.current is not None
            return outcome_unknown_message(
                self.action.name, self.reference, fetched=fetched, text_kept=True
            )
        return f"Not sent: {error} Your text is kept; try again."

    def reject(self) -> None:
        if self.busy:
            return  # the answer is on its way; closing now would hide what happened
        super().reject()


class LifecycleActions(QObject):
    """A role window's moves on the prescription selected in its browser.

    Signals:
        acted(str, PrescriptionWire): the action's name and the updated prescription
            (already shown).
        busy_changed(bool): a move is on its way (buttons wait for it).
    """

    acted = Signal(str, object)
    busy_changed = Signal(bool)

    def __init__(
        self, window: PortalMainWindow, browser: PrescriptionBrowser, banner: Banner
    ) -> None:
        super().__init__(window)  # the window is reached through parent(): no Python cycle
        self.browser = browser
        self.banner = banner
        self.dialog: ActionDialog | None = None
        self.busy = False
        #: Notes typed and closed without sending, by (prescription, action): memory only.
        self._unsent: dict[tuple[str, str], str] = {}

    @property
    def window(self) -> PortalMainWindow:
        return cast("PortalMainWindow", self.parent())

    def _sender(self, item: PrescriptionWire, action: str) -> Send:
        """Sends ``action`` on ``item`` as the user sees it now (read here, on the GUI
        thread; the returned function runs on a worker)."""
        client, user_id = self.window.client, self.window.user.id
        # None without a history (the server counts from 1: every prescription has one).
        prescription_id, seen_steps = item.id, history_length(item) or None

        def send(note: str, beyond_use: BeyondUse | None) -> PrescriptionWire:
            return act_and_confirm(
                client,
                prescription_id,
                action,
                note or None,
                seen_steps=seen_steps,
                user_id=user_id,
                beyond_use=beyond_use,
            )

        return send

    def open_dialog(self, action_name: str, item: PrescriptionWire) -> ActionDialog:
        """The note dialog for ``action_name`` on ``item`` (the open one is raised instead)."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        prescription_id = item.id
        key = (prescription_id, action_name)
        dialog = ActionDialog(
            ACTIONS[action_name],
            item,
            self._sender(item, action_name),
            self.window,
            template_name=self._template_name(item),
            text=self._unsent.get(key, ""),
        )
        snapshot = item  # frozen: what the user acted on, whatever the list shows later

        def finished(_code: int) -> None:
            if dialog.result() != QDialog.DialogCode.Accepted and dialog.text().strip():
                self._unsent[key] = dialog.text()
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()

        def acted(updated: PrescriptionWire) -> None:
            self._unsent.pop(key, None)
            self._done(action_name, updated)

        dialog.acted.connect(acted)
        dialog.failed.connect(lambda error: self._failed(snapshot, error))
        dialog.unconfirmed.connect(lambda current: self._show_as_now(snapshot, current))
        dialog.finished.connect(finished)
        self.dialog = dialog
        dialog.show()
        return dialog

    def send(self, action_name: str, item: PrescriptionWire, note: str = "") -> None:
        """Take an action that needs no words (confirmed in place by the window)."""
        if self.busy:
            return
        send = self._sender(item, action_name)
        snapshot = item
        self._set_busy(True)
        self.banner.clear()
        self.window.run(
            lambda: send(note, None),
            lambda updated: self._done(action_name, updated),
            lambda error: self._failed(snapshot, error, action_name),
            lambda: self._set_busy(False),
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def _template_name(self, item: PrescriptionWire) -> str:
        row = self.browser.model.row_for(item.id)
        if row is not None:
            return self.browser.model.state.rows[row].template_name
        return item.template_name

    def _done(self, action_name: str, updated: PrescriptionWire) -> None:
        self.browser.upsert(updated)
        reference = updated.reference or updated.id
        self.banner.show_message(action_done_message(action_name, reference), "info")
        self.acted.emit(action_name, updated)

    def _failed(self, item: PrescriptionWire, error: Exception, action_name: str = "") -> None:
        reference = item.reference or item.id
        if isinstance(error, NotSignedIn):
            self.window.session_expired.emit(str(error))
            return
        if isinstance(error, OutcomeUnknown):  # sent in place: no text to keep
            current = error.current if isinstance(error, StepNotConfirmed) else None
            self.banner.show_message(
                outcome_unknown_message(action_name, reference, fetched=current is not None),
                "warn",
            )
            self._show_as_now(item, current)
            return
        status = error.status if isinstance(error, ApiError) else None
        if status == 409:
            detail, code = error_detail(error), error_code(error)
            self.banner.show_message(conflict_message(reference, detail, code=code), "warn")

            def explain(current: PrescriptionWire) -> None:
                self.banner.show_message(
                    conflict_message(reference, detail, current, code=code), "warn"
                )
                # The row may have left the list shown (a cancelled one under "To review"),
                # and the counts have changed: after the row, so the list has the last word.
                self.window.refresh()

            self.refresh_row(item.id, then=explain)
        elif status == 404:
            self.banner.show_message(
                self.tr("{reference} is no longer available to you: {error_detail}").format(
                    reference=reference, error_detail=error_detail(error)
                ),
                "warn",
            )
            self.window.refresh()
        else:
            self.banner.show_message(
                self.tr("Nothing was recorded for {reference}: {error}").format(
                    reference=reference, error=error
                ),
                "error",
            )

    def _show_as_now(self, item: PrescriptionWire, current: PrescriptionWire | None) -> None:
        """After an action without answer: the row as fetched then, and the list again."""
        if current is not None and current.id == item.id:
            self.browser.upsert(current)
        self.window.refresh()

    def refresh_row(
        self, prescription_id: str, then: Callable[[PrescriptionWire], object] | None = None
    ) -> None:
        """Fetch one prescription as it is now and show it in place (after a conflict)."""
        client = self.window.client

        def show(current: PrescriptionWire) -> None:
            self.browser.upsert(current)
            if then is not None:
                then(current)

        self.window.run(
            lambda: client.get_prescription(prescription_id),
            show,
            lambda _error: self.window.refresh(),
        )


def error_detail(error: Exception) -> str:
    return error.with_reference(error.message) if isinstance(error, ApiError) else str(error)


def error_code(error: Exception) -> str | None:
    """The server's machine-readable ``code`` of an error answer, if it sent one."""
    code = error.code if isinstance(error, ApiError) else None
    return code or None

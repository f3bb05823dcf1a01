"""The composer's header (title, save state, back to the list) and its sign bar (footer)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from portal_client.core.form_review import FormReview
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.gui import resources
from portal_client.gui.busy import busy_bar
from portal_client.gui.i18n import marked
from portal_client.gui.widgets import muted

SIGN_TEXT = QT_TRANSLATE_NOOP("Marked", " Sign and submit…")
SIGNING_TEXT = QT_TRANSLATE_NOOP("Marked", " Signing…")
#: The page's own spacing, which these rows had when they were layouts inside it.
ROW_SPACING = 12


class ComposerHeader(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(ROW_SPACING)
        self.back = QPushButton(self.tr(" My prescriptions"))
        self.back.setIcon(resources.icon("back"))
        self.back.setObjectName("Link")
        self.page_title = QLabel(title)
        self.page_title.setObjectName("PageTitle")
        self.save_state = muted("", hint=True)
        self.save_state.setWordWrap(False)
        layout.addWidget(self.page_title)
        layout.addSpacing(12)
        layout.addWidget(self.save_state)
        layout.addStretch(1)
        layout.addWidget(self.back)


class SignBar(QWidget):
    """Discard on the left; what stands in the way, the window's own actions and Sign on
    the right. ``signing=False`` (clinic staff): the Sign button is never placed, shown
    or enabled (it exists for the shared code paths)."""

    def __init__(self, *, signing: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.signing = signing
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(ROW_SPACING)
        self.discard = QPushButton(self.tr("Discard"))
        self.status = muted("", hint=True)
        self.submit = QPushButton(marked(SIGN_TEXT))
        self.submit.setObjectName("Primary")
        self.submit.setIcon(resources.icon("send"))
        self.submit.setMinimumHeight(36)
        layout.addWidget(self.discard)
        layout.addStretch(1)
        layout.addWidget(self.status)
        # While the order is being signed and stored; never cancellable (the outbox has it).
        self.busy_bar = busy_bar()
        layout.addWidget(self.busy_bar)
        #: Where a window adds its own footer buttons (clinic staff: save for a prescriber).
        self.extra_actions = QHBoxLayout()
        self.extra_actions.setSpacing(8)
        layout.addLayout(self.extra_actions)
        if signing:
            layout.addWidget(self.submit)
        else:
            self.submit.setParent(self)
            self.submit.hide()
            self.submit.setEnabled(False)

    def inputs(self) -> list[QWidget]:
        """Discard, the window's own buttons, then Sign (the focus chain's part)."""
        extras = (self.extra_actions.itemAt(i) for i in range(self.extra_actions.count()))
        widgets = [item.widget() for item in extras if item is not None]
        return [self.discard, *(w for w in widgets if w is not None), self.submit]

    def show_review(self, review: FormReview, *, busy: bool) -> None:
        self.submit.setEnabled(review.sign_enabled(signing=self.signing, busy=busy))
        self.submit.setToolTip(review.sign_tooltip())
        self.status.setText(review.footer_text(signing=self.signing))

    def show_busy(self, busy: bool, review: FormReview) -> None:
        """While signing: Sign and Discard wait (and Back, in the header)."""
        self.submit.setEnabled(review.sign_enabled(signing=self.signing, busy=busy))
        self.submit.setText(marked(SIGNING_TEXT if busy else SIGN_TEXT))
        self.busy_bar.setVisible(busy)
        self.discard.setEnabled(not busy)

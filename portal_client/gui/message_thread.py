"""The order's message thread under its detail, in the prescriber's and the pharmacist's
windows (``core/messages.py`` decides the words and keys; the calls are
``ApiClient``'s ``core/message_calls.py``, always through ``PortalMainWindow.run``).

Opening an order loads its thread and marks it read; a refresh that shows new messages
on the open order fetches them. Ctrl+Enter or "Send" sends in the background: the text
stays in the box until the server has it, and a failure says why with the text kept (a
retry carries the same key, so it is never stored twice). The list's Messages column
and the status bar's total show what is unread.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.message_wire import MessagePage, MessageReadWire, MessageWire
from portal_client.core.messages import (
    MessageThread,
    check_message_text,
    send_failed_text,
    thread_html,
    thread_title,
    unread_total_text,
)
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.ops import Op

if TYPE_CHECKING:
    from portal_client.gui.list_view import PrescriptionBrowser
    from portal_client.gui.main_window import PortalMainWindow


class MessageBox(QPlainTextEdit):
    """The box to write in: Ctrl+Enter sends (a key handler, so it binds no window key)."""

    send_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.send_requested.emit()
            return
        super().keyPressEvent(event)


class MessagePanel(QFrame):
    """The thread, the box and "Send", with a line for what went wrong."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        self.title = QLabel(thread_title(0))
        self.title.setObjectName("SectionTitle")
        self.history = QTextBrowser()
        self.history.setAccessibleName(self.tr("Messages on this order"))
        self.history.setOpenLinks(False)
        # The detail above stays the larger part: a long thread scrolls in its box.
        self.history.setMinimumHeight(90)
        self.history.setMaximumHeight(170)
        self.box = MessageBox()
        self.box.setAccessibleName(self.tr("Write a message"))
        self.box.setPlaceholderText(placeholder)
        self.box.setTabChangesFocus(True)
        self.box.setFixedHeight(64)
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setAccessibleName(self.tr("Send the message"))
        self.send_button.setToolTip(self.tr("Send the message (Ctrl+Enter)"))
        self.error = QLabel()
        self.error.setObjectName("FieldError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Message not sent"))
        self.error.hide()
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.box, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addWidget(self.title)
        layout.addWidget(self.history, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.setEnabled(False)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))


class PrescriptionMessages(QObject):
    """Follows the browser's open order: its thread in ``panel``, the total in the status
    bar. ``refreshed()`` is called by the window after each list refresh.

    Signals:
    thread_changed(): the open thread was drawn again (loaded, a message in or out).
    total_changed(int): the caller's unread total, as the server last said.
    """

    thread_changed = Signal()
    total_changed = Signal(int)

    def __init__(
        self, window: PortalMainWindow, browser: PrescriptionBrowser, placeholder: str
    ) -> None:
        super().__init__(window)
        self._window = window
        self._browser = browser
        self._viewer_id = window.user.id
        self.panel = MessagePanel(placeholder)
        detail_at = browser.right_layout.indexOf(browser.detail)
        browser.right_layout.insertWidget(detail_at + 1, self.panel)
        self.total_label = QLabel(unread_total_text(0))
        self.total_label.setAccessibleName(self.tr("Unread messages"))
        window.statusBar().addPermanentWidget(self.total_label)
        #: Threads and unsent text by prescription id, in memory only (never settings).
        self._threads: dict[str, MessageThread] = {}
        self._typed: dict[str, str] = {}
        self._loading: set[str] = set()
        self._sending: set[str] = set()
        self.total = 0
        self.current: MessageThread | None = None
        browser.current_changed.connect(self._opened)
        browser.rendered.connect(self._rendered)
        self.panel.box.send_requested.connect(self.send)
        self.panel.send_button.clicked.connect(self.send)
        self.refresh_total()

    # ------------------------------------------------------------- opening

    def _opened(self, item: PrescriptionWire | None) -> None:
        if self.current is not None:
            self._typed[self.current.prescription_id] = self.panel.box.toPlainText()
        self.panel.show_error("")
        if item is None:
            self.current = None
            self.panel.setEnabled(False)
            self.panel.box.clear()
            self.panel.history.clear()
            self.panel.title.setText(thread_title(0))
            return
        thread = self._threads.setdefault(item.id, MessageThread(item.id))
        self.current = thread
        self.panel.setEnabled(True)
        self.panel.box.setPlainText(self._typed.pop(item.id, ""))
        self._show_sending()
        self._draw()
        self._load(thread)

    def _rendered(self, item: PrescriptionWire | None) -> None:
        """A refresh redrew the open order: fetch its new messages, if it has any."""
        if item is None or self.current is None or item.id != self.current.prescription_id:
            return
        if item.unread_messages:
            self._load(self.current)

    def _load(self, thread: MessageThread) -> None:
        prescription_id = thread.prescription_id
        if prescription_id in self._loading:
            return
        self._loading.add(prescription_id)
        client, cursor = self._window.client, thread.latest_cursor

        def arrived(page: MessagePage) -> None:
            thread.merge(page)
            if thread is not self.current:
                return
            self._draw()
            if thread.last_seq > page.read_up_to:
                self._mark_read(thread)
            else:
                self._show_row_unread(prescription_id, page.unread)

        def failed(error: Exception) -> None:
            if thread is self.current:
                self.panel.show_error(
                    self.tr("Could not load the messages: {error}").format(error=error)
                )

        self._window.run(
            lambda: client.thread_after(prescription_id, cursor),
            arrived,
            failed,
            lambda: self._loading.discard(prescription_id),
        )

    def _mark_read(self, thread: MessageThread) -> None:
        client, prescription_id, up_to = (
            self._window.client,
            thread.prescription_id,
            thread.last_seq,
        )

        def marked(answer: MessageReadWire) -> None:
            self._show_row_unread(prescription_id, answer.unread)
            self.refresh_total()

        self._window.run(lambda: client.mark_messages_read(prescription_id, up_to), marked)

    def _show_row_unread(self, prescription_id: str, unread: int) -> None:
        """The row's count as the server just said, without waiting for the next refresh
        (reading moves only the reader's marker: no other desk's list changes)."""
        row = self._browser.model.row_for(prescription_id)
        if row is None:
            return
        wire = self._browser.model.state.rows[row].wire
        if wire.unread_messages != unread:
            self._browser.upsert(replace(wire, unread_messages=unread))

    # ------------------------------------------------------------- sending

    def send(self) -> None:
        thread = self.current
        if thread is None or thread.prescription_id in self._sending:
            return
        text = self.panel.box.toPlainText()
        problem = check_message_text(text)
        if problem is not None:
            self.panel.show_error(problem)
            return
        pending = thread.begin_send(text)
        prescription_id = thread.prescription_id
        self._sending.add(prescription_id)
        self.panel.show_error("")
        self._show_sending()
        client = self._window.client

        def stored(message: MessageWire) -> None:
            thread.sent(message)
            if thread is self.current:
                if self.panel.box.toPlainText() == pending.text:
                    self.panel.box.clear()
                self._draw()
            elif self._typed.get(prescription_id) == pending.text:
                del self._typed[prescription_id]

        def failed(error: Exception) -> None:
            if thread is self.current:  # the text is still in the box, to send again
                self.panel.show_error(send_failed_text(error))

        def finished() -> None:
            self._sending.discard(prescription_id)
            self._show_sending()

        self._window.run(
            lambda: client.post_message(prescription_id, pending.text, pending.key),
            stored,
            failed,
            finished,
        )

    def _show_sending(self) -> None:
        """While a send is out the box holds exactly what is being sent."""
        sending = self.current is not None and self.current.prescription_id in self._sending
        self.panel.box.setReadOnly(sending)
        self.panel.send_button.setEnabled(not sending)
        self.panel.send_button.setText(self.tr("Sending…") if sending else self.tr("Send"))

    # ------------------------------------------------------------- drawing

    def _draw(self) -> None:
        thread = self.current
        if thread is None:
            return
        self.panel.title.setText(thread_title(len(thread.messages)))
        self.panel.history.setHtml(thread_html(thread, self._viewer_id))
        bar = self.panel.history.verticalScrollBar()
        bar.setValue(bar.maximum())  # the newest message in view
        self.thread_changed.emit()

    # ------------------------------------------------------------- the total

    def refreshed(self) -> None:
        """After a list refresh: the total may have moved with it."""
        self.refresh_total()

    def refresh_total(self) -> None:
        if self._window.is_locked:
            return
        client = self._window.client

        def counted(total: int) -> None:
            self.total = total
            self.total_label.setText(unread_total_text(total))
            self.total_changed.emit(total)

        # Not ``window.run``: a failure here says nothing, not even an ended session
        # (which the window's own calls report with its reason, say a password change).
        Op(self, lambda: client.unread_messages().total).success(counted).failure(
            lambda _error: None
        ).run()

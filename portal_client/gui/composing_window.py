"""What the prescriber's and the clinic staff's windows share: lists, a composer, a local store.

Both open the user's encrypted local store in the background after sign-in (keyring
and disk), autosave the composer into it, and close it on a background thread when
the window closes, so that a quit never cuts a draft write short. Subclasses say what
else the store starts (the prescriber's outbox worker) and what their list page holds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.gui import resources
from portal_client.gui.composer import ComposerPage
from portal_client.gui.i18n import marked
from portal_client.gui.main_window import ConfirmLeave, PortalMainWindow, window_title
from portal_client.gui.ops import Op
from portal_client.gui.stepped_build import BuildSteps
from portal_client.gui.widgets import Banner, muted

if TYPE_CHECKING:
    from concurrent.futures import Future

    from portal_client.core.api_client import ApiClient, SignedInUser
    from portal_client.core.durable import DurableSession
    from portal_client.core.reference_data import Refreshed

log = logging.getLogger(__name__)

StoreOpener = Callable[["ApiClient", "SignedInUser"], "DurableSession"]


def open_default_store(client: ApiClient, user: SignedInUser) -> DurableSession:
    """Blocks (network, keyring, disk): run it in the background. The store is named
    after the pharmacy's identity (``/healthz``, remembered per address for when the
    server does not answer); with none known, after the server's address."""
    from portal_client.core import paths
    from portal_client.core.durable import ApiClientTransport, open_user_store
    from portal_client.core.durable.pharmacy_names import pharmacy_id_for

    data_dir = paths.data_dir()
    return open_user_store(
        data_dir,
        client.base_url,
        user.username,
        ApiClientTransport(client),
        pharmacy_id=pharmacy_id_for(data_dir, client.base_url, lambda: client.health().pharmacy_id),
    )


class ComposingWindow(PortalMainWindow):
    """A main window with a list page, the composer and the user's local store.

    Subclasses build ``self.composer`` and the list page (using :meth:`canvas_page` and
    :meth:`build_list_header`), then call :meth:`start`; they override
    :meth:`new_from_list` and :meth:`show_list` (required), and as needed
    :meth:`templates_ready`, :meth:`local_store_ready`, :meth:`reload_local_work`
    and, if they run more than the store, :meth:`stop_local_workers`.
    Closing the window closes the local work (:meth:`closing`).
    """

    #: The window title's page name while the composer shows.
    COMPOSER_TITLE = QT_TRANSLATE_NOOP("Marked", "Prescription")
    #: Said when the local store cannot open ({error}: why), with what the user loses.
    STORE_FAILED_MESSAGE = QT_TRANSLATE_NOOP(
        "Marked", "Drafts are unavailable on this computer: {error}"
    )

    composer: ComposerPage
    store_banner: Banner  # on the list page: what the local store says

    def __init__(
        self,
        client: ApiClient,
        user: SignedInUser,
        parent: QWidget | None = None,
        *,
        confirm_leave: ConfirmLeave | None = None,
        defer_build: bool = False,
    ) -> None:
        self.durable: DurableSession | None = None
        self.local_closed = threading.Event()  # set once the store is closed (tests wait)
        self._closing = False
        self._store_opening: Future[DurableSession] | None = None
        super().__init__(client, user, parent, confirm_leave=confirm_leave, defer_build=defer_build)

    def _build_frame(self) -> BuildSteps:
        yield from super()._build_frame()
        self.pages = QStackedWidget()
        self.root_layout.addWidget(self.pages, 1)

    def start(self, loading_message: str, store_opener: StoreOpener | None) -> None:
        """Once built: focus "new", then load templates and the list, and open the store."""
        self.composer.cancelled.connect(self.show_list)
        self.composer.session_expired.connect(self.session_expired)
        self.composer.discarded.connect(lambda _id: self.reload_local_work())
        self.follow_published_checks()
        self.new_button.setFocus()  # the first thing most visits do
        self.show_list_status(loading_message)
        self.load_templates(then=self.templates_ready)
        self.refresh()
        self.open_local_store(store_opener)

    def follow_published_checks(self) -> None:
        """Check orders with the formulary and rules the server publishes (issue 12)."""
        from portal_client.gui.reference_follower import ReferenceFollower

        self.reference_follower = ReferenceFollower(self.client, self)
        self.reference_follower.refreshed.connect(self._reference_refreshed)
        self.composer.server_checker.answered.connect(self.reference_follower.follow_server)
        self.reference_follower.refresh()

    def _reference_refreshed(self, outcome: Refreshed) -> None:
        from portal_client.core.reference_data import reference_message

        self.composer.recheck()
        message = reference_message(outcome)
        if message is not None and self.composer.state.template is not None:
            self.composer.status_banner.show_message(*message)

    def show_list(self) -> None:
        """Back from the composer to the lists."""
        raise NotImplementedError

    def templates_ready(self) -> None:
        """The pharmacy's templates arrived (``self.templates``)."""
        if not self.composer.templates:
            self.composer.load_templates(self.templates)

    # ---------------------------------------------------------------- list page

    def canvas_page(self) -> tuple[QWidget, QVBoxLayout]:
        """The list page's background and its column, spaced like every list page.
        Made inside the page stack: a page built outside it is styled a second time
        when added (tens of milliseconds with the style sheet)."""
        page = QWidget(self.pages)
        page.setObjectName("Canvas")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(12)
        return page, layout

    def build_list_header(
        self, title: str, new_label: str, new_tooltip: str, refresh_tooltip: str
    ) -> QHBoxLayout:
        """Title, count, Refresh and the primary "new" button (also File › New, Ctrl+N)."""
        header = QHBoxLayout()
        title_label = QLabel(title)
        title_label.setObjectName("PageTitle")
        self.count_label = muted("")
        self.count_label.setWordWrap(False)
        self.refresh_button = QPushButton(self.tr(" Refresh"))
        self.refresh_button.setIcon(resources.icon("refresh"))
        self.refresh_button.setToolTip(refresh_tooltip)
        self.new_button = QPushButton(f" {new_label}")
        self.new_button.setObjectName("Primary")
        self.new_button.setIcon(resources.icon("plus"))
        self.new_button.setMinimumHeight(34)
        self.new_button.setToolTip(new_tooltip)
        self.menus.add_new_prescription(new_label, self._new_by_keyboard)
        header.addWidget(title_label)
        header.addSpacing(8)
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(self.refresh_button)
        header.addWidget(self.new_button)
        self.refresh_button.clicked.connect(self.refresh)
        self.new_button.clicked.connect(self.new_from_list)
        return header

    def new_from_list(self) -> None:
        """The "new" button: start composing."""
        raise NotImplementedError

    def _new_by_keyboard(self) -> None:
        """Ctrl+N from the lists; in the composer it would throw away nothing, so it is ignored."""
        if not self.is_locked and self.pages.currentWidget() is not self.composer:
            self.new_from_list()

    def enter_composer(self) -> None:
        self.pages.setCurrentWidget(self.composer)
        self.setWindowTitle(window_title(self.user, marked(self.COMPOSER_TITLE)))
        if not self.composer.templates and self.templates:
            self.composer.load_templates(self.templates)
        elif not self.composer.templates:
            self.composer.load_templates()
        self.composer.given_name.setFocus()

    # ---------------------------------------------------------------- local store

    def open_local_store(self, opener: StoreOpener | None) -> None:
        """Open the user's store in the background; ``local_store_ready`` follows."""
        open_store = opener or open_default_store
        client, user = self.client, self.user
        self._store_opening = (
            Op(self, lambda: open_store(client, user))
            .success(self._store_opened)
            .failure(self._store_failed)
            .run()
        )

    def _store_opened(self, durable: DurableSession) -> None:
        if self._closing:  # closed while the store was opening
            threading.Thread(target=durable.close, name="portal-close-store").start()
            return
        self.durable = durable
        self.composer.set_durable(durable)
        if durable.notice:
            self.store_banner.show_message(durable.notice, "warn")
        self.local_store_ready(durable)

    def local_store_ready(self, durable: DurableSession) -> None:
        """The store is open (and the composer autosaves into it): show local work."""

    def reload_local_work(self) -> None:
        """Read what the local store holds (off the GUI thread) and show it again."""

    def discard_local_draft(self, draft_id: str) -> None:
        """A draft the user threw away from a list (asked first); the composer clears
        if it shows that draft."""
        durable = self.durable
        if durable is None or not self.composer.confirm_discard(self):
            return
        if self.composer.state.draft_id == draft_id:
            self.composer.start_new()
        Op(self, lambda: durable.drafts.discard(draft_id)).success(
            lambda _found: self.reload_local_work()
        ).run()

    def _store_failed(self, error: Exception) -> None:
        log.warning("Local store did not open: %s", type(error).__name__)
        self.store_banner.show_message(
            marked(self.STORE_FAILED_MESSAGE).format(error=error), "error"
        )

    def about_to_lock(self) -> None:
        """The lock screen covers the window: the open draft is saved now."""
        self.flush_local_work()

    def flush_local_work(self) -> None:
        """Save pending draft edits now, in the background (before a lock, for example)."""
        Op(self, self.composer.flush_drafts()).failure(
            lambda error: log.warning("Draft flush failed: %s", type(error).__name__)
        ).run()

    def closing(self) -> None:
        self.close_local_work()

    def stop_local_workers(self) -> Callable[[], object] | None:
        """Detach what runs beside the store; return how to stop it off the GUI thread."""
        return None

    def close_local_work(self) -> None:
        """Flush drafts, stop workers, close the store: off the GUI thread, not a daemon
        (the process waits for it, so a quit never cuts a draft write short)."""
        self._closing = True
        stop_workers = self.stop_local_workers()
        flush = self.composer.flush_drafts()
        durable, self.durable = self.durable, None
        opening, self._store_opening = self._store_opening, None
        if durable is None and opening is not None:
            # Still opening, or opened with the answer not yet delivered: a window deleted
            # meanwhile never receives it, and the store's lock file would stay held.
            opening.add_done_callback(_close_when_opened)
        self.composer.set_durable(None)
        done = self.local_closed

        def close() -> None:
            try:
                flush()
            except Exception:
                log.exception("Could not save the last draft edits")
            if stop_workers is not None:
                stop_workers()
            if durable is not None:
                durable.close()
            done.set()

        if durable is None and stop_workers is None:
            done.set()
            return
        threading.Thread(target=close, name="portal-close-store").start()


def _close_when_opened(opening: Future[DurableSession]) -> None:
    """Close a store whose window went away while it opened (closing twice is harmless)."""
    if not opening.cancelled() and opening.exception() is None:
        durable = opening.result()
        threading.Thread(target=durable.close, name="portal-close-store").start()

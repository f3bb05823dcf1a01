"""The composer's autosave: every edit is written (encrypted) within a second.

The durable store's ``AutosaveDebouncer`` decides when; the write itself runs off the
GUI thread (``Op``). The header shows what the last write did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from portal_client.core.composer import SAVE_STATE_EDITING, save_state_failed, save_state_saved
from portal_client.core.i18n import translate
from portal_client.gui.ops import Op

if TYPE_CHECKING:
    from portal_client.core.durable import AutosaveDebouncer, DraftStore, DurableSession


class DraftAutosave(QObject):
    """Signals:
    state_text(str): what the header says about saving ("Editing…", "Draft saved"…).
    draft_saved(str): the draft with this id was written to the local store.
    """

    state_text = Signal(str)
    draft_saved = Signal(str)

    def __init__(self, current_draft_id: Callable[[], str], parent: QObject) -> None:
        super().__init__(parent)
        self._current_draft_id = current_draft_id
        self.durable: DurableSession | None = None
        self._draft_store: DraftStore | None = None
        self._debouncer: AutosaveDebouncer | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._saving = False

    def set_durable(self, durable: DurableSession | None) -> None:
        """Save into this store (None: not open yet, or closed)."""
        self.durable = durable
        if durable is None:
            return  # the last store stays the autosave target until its final flush
        self._draft_store = durable.drafts
        if self._debouncer is not None and self._debouncer.has_unsaved:
            self._schedule()

    def _save(self, draft_id: str, payload: dict[str, Any]) -> None:
        """Runs on a worker thread (the debouncer calls it)."""
        drafts = self._draft_store
        if drafts is None:
            raise RuntimeError("the local store is not open yet")  # the edit stays pending
        drafts.save(draft_id, payload)

    def _the_debouncer(self) -> AutosaveDebouncer:
        if self._debouncer is None:
            from portal_client.core.durable import AutosaveDebouncer

            self._debouncer = AutosaveDebouncer(self._save)
        return self._debouncer

    def note_edit(self, draft_id: str, payload: dict[str, Any]) -> None:
        self._the_debouncer().note_edit(draft_id, payload)
        self.state_text.emit(translate("Composer", SAVE_STATE_EDITING))
        self._schedule()

    def _schedule(self) -> None:
        debouncer = self._debouncer
        if debouncer is None or self._saving:
            return
        due = debouncer.seconds_until_due()
        if due is not None:
            self._timer.start(int(due * 1000) + 10)

    def _tick(self) -> None:
        debouncer = self._debouncer
        if debouncer is None or self.durable is None or self._saving:
            return
        self._saving = True

        def saved(ids: list[str]) -> None:
            if self._current_draft_id() in ids and not debouncer.has_unsaved:
                self.state_text.emit(self.saved_text())
            for draft_id in ids:
                self.draft_saved.emit(draft_id)

        def failed(error: Exception) -> None:
            self.state_text.emit(save_state_failed(error))

        def finished() -> None:
            self._saving = False
            self._schedule()

        Op(self, debouncer.save_if_due).success(saved).failure(failed).finally_(finished).run()

    def saved_text(self) -> str:
        durable = self.durable
        return save_state_saved(persistent=durable is None or durable.persistent)

    def flush_function(self) -> Callable[[], None]:
        """A function that saves every pending edit now (call it off the GUI thread)."""
        debouncer = self._debouncer

        def flush() -> None:
            if debouncer is not None:
                debouncer.flush()

        return flush

    @property
    def has_unsaved(self) -> bool:
        return self._debouncer is not None and self._debouncer.has_unsaved

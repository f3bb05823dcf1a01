"""The end-to-end tests drive real windows: garbage is collected on the GUI thread."""

from tests.helpers.gui_threads import (  # noqa: F401 - autouse fixtures
    _gui_thread_collection,
    _qt_released_before_exit,
)

"""Qt tests collect garbage and drain background operations the way the client does.

Import the fixture into a conftest of tests that use Qt windows. Without it, Python's
cyclic garbage collector runs on whichever thread allocates, and a worker thread of
``portal_client.gui.ops`` then destroys the Qt objects of a previous test's windows:
a segmentation fault in the middle of a run, or an abort after the last test.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from portal_client.gui import ops
from portal_client.gui.app import release_qt_objects
from portal_client.gui.bool_refcount import protect_bools
from portal_client.gui.collector import GuiThreadCollector


@pytest.fixture(scope="module", autouse=True)
def _gui_thread_collection(qapp: QApplication) -> Iterator[None]:
    """Collection on the GUI thread for a module's tests; at its end the operations are
    drained and everything collected here, so no Qt object is left for a worker thread,
    for the tests that follow (collection automatic again) or for the exit."""
    protect_bools()
    collector = GuiThreadCollector(qapp)
    collector.start()
    yield
    ops.shutdown(wait=True)
    collector.stop()
    collector.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.enable()


@pytest.fixture(scope="session", autouse=True)
def _qt_released_before_exit(qapp: QApplication) -> Iterator[None]:
    """After the last test, Qt objects go as in the client: before the QApplication."""
    yield
    release_qt_objects()

"""The Qt binding itself, where a release broke the app: PySide6 6.12.0 on Python 3.11
dropped a reference to None on every call of a method returning nothing, so a session
aborted ("Fatal Python error: none_dealloc") after a few thousand edits."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

#: Enough to tell a leak (one per call) from noise, few enough not to abort the run.
CALLS = 500


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_methods_returning_nothing_keep_none_s_reference_count(qtbot: QtBot) -> None:
    label, edit = QLabel(), QLineEdit()
    qtbot.addWidget(label)
    qtbot.addWidget(edit)
    calls = {
        "QLabel.setText": lambda: label.setText("5 mL"),
        "QWidget.setVisible": lambda: label.setVisible(False),
        "QStyle.polish": lambda: edit.style().polish(edit),
    }
    lost = {}
    for name, call in calls.items():
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            call()
        lost[name] = before - sys.getrefcount(None)
    # A few references come and go with other objects; a leak loses one per call.
    assert all(count < CALLS // 10 for count in lost.values()), lost

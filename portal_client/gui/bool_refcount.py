"""A guard against PySide6 6.12's reference-count bug on ``True``.

Every ``SignalInstance.emit()`` called from Python returns ``True`` without taking a
reference to it, so each emit takes one reference from ``True`` for good. A session
(or a test run) emits thousands of signals; once ``True``'s count reaches zero,
Python aborts with ``Fatal Python error: bool_dealloc``, mostly while the interpreter
finalises, when the references still held legitimately go. Python 3.12 makes
``True`` and ``False`` immortal; on older interpreters this module does the same by
giving both a reference count no session can use up. Nothing else is touched.
"""

from __future__ import annotations

import sys

#: References given to ``True`` and ``False`` (2**40: more emits than a process makes).
_RESERVE = 1 << 40


def emit_leaks_true() -> bool:
    """Whether this PySide6 loses a reference to ``True`` on each emit (measured)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        fired = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(10):
        probe.fired.emit()
    return sys.getrefcount(True) < before


def protect_bools() -> None:
    """Make ``True`` and ``False`` effectively immortal (idempotent; no-op on 3.12+)."""
    if sys.version_info >= (3, 12):
        return  # immortal already
    import ctypes  # here, not at import: it costs milliseconds

    for value in (True, False):
        if sys.getrefcount(value) < _RESERVE:
            refcount = ctypes.c_ssize_t.from_address(id(value))  # ob_refcnt comes first
            refcount.value += _RESERVE

"""The colours of a prescription's status, shared by the list's badges, the detail pane
and the history (pure data, so the colours are tested without Qt)."""

from __future__ import annotations

#: Badge colours (background, text), shared by the table delegate and the detail pane.
#: Calm and distinct: amber only where someone must answer, blues while the pharmacy
#: works on it, green once it has left, grey when it will never be prepared.
STATUS_COLOURS = {
    "submitted": ("#ECE9FB", "#4B3FA0"),
    "needs_clarification": ("#FFE7C2", "#8A4500"),
    "approved": ("#D8F1EE", "#0F5F57"),
    "compounding": ("#E3EEF9", "#1F4E79"),
    "ready": ("#D7EFFA", "#0B5572"),
    "shipped": ("#DDF3E4", "#1E6B3A"),
    "rejected": ("#FDE2E1", "#A3261D"),
    "cancelled": ("#ECEFF1", "#4A5560"),
}
UNKNOWN_STATUS_COLOURS = ("#E8EAED", "#3C4043")


def status_colours(status: str) -> tuple[str, str]:
    return STATUS_COLOURS.get(status, UNKNOWN_STATUS_COLOURS)

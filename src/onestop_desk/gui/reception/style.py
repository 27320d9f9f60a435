"""The reception's look: one style sheet per widget, from ``resources/styles/reception.qss``."""

from __future__ import annotations

import re
from functools import cache

from onestop_desk.gui.widgets import load_style

# A section starts with a comment line "/* == name == */" and runs to the next one.
_SECTION = re.compile(r"^/\* == (?P<name>[a-z_]+) == \*/$", re.M)


def sheet(name: str) -> str:
    """The style sheet of one reception widget (``pane``, ``citizen``, ``form``, ``login``, ...)."""
    try:
        return _sections()[name]
    except KeyError:
        raise KeyError(f"reception.qss: no section {name!r}") from None


@cache
def _sections() -> dict[str, str]:
    text = load_style("reception.qss")
    marks = list(_SECTION.finditer(text))
    return {
        mark["name"]: text[
            mark.end() : marks[i + 1].start() if i + 1 < len(marks) else None
        ].strip()
        + "\n"
        for i, mark in enumerate(marks)
    }

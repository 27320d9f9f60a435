"""Finds the bundled resources both in an installed wheel and in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The ``resources`` folder: packaged inside the wheel, or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "resources"
    if packaged.is_dir():
        return packaged
    checkout = here.parent.parent / "resources"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"resources folder not found beside {here}")


def resource_path(*parts: str) -> Path:
    """Path of one bundled resource file, e.g. ``resource_path("catalog", "fields.json")``."""
    return resources_dir().joinpath(*parts)

"""Staff roles: what a staff account may do (stored on the account, checked by the services)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A staff account's role; the values are the stored strings."""

    RECEPTION = "reception"
    HEAD = "head"
    ADMIN = "admin"
